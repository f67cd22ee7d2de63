"""When a course run ends: the date retention counts from (GDPR art. 5.1 e, issue 15).

In the LMS the end is the run's end date in the platform's ``CourseOverview`` (openedx-platform
``openedx/core/djangoapps/content/course_overviews/models.py``: ``id = CourseKeyField(primary_key=True)``,
``end = models.DateTimeField(null=True)``, null when the run has no end date). The operator's
setting ``KKN_COURSE_RUN_ENDS`` (``{"course-v1:...": "2027-06-30"}``) sets or overrides the end of a
run: for a run without an end date, or where the platform is not installed (the local runtime).
A run whose end is known nowhere has none: retention then counts from the row's own date.
"""
from datetime import date, datetime, time, timedelta, timezone

from django.conf import settings

SETTING = "KKN_COURSE_RUN_ENDS"


class CourseRunEndError(ValueError):
    """``KKN_COURSE_RUN_ENDS`` holds something that is not ``{course key: date}``."""

    def __init__(self, key, value):
        super().__init__(key, value)
        self.key = key
        self.value = value


def _end_of(value):
    """A configured end as an aware datetime: a date means the run ends when that day (UTC) does."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(value)
        return value
    if isinstance(value, str):
        value = date.fromisoformat(value.strip())  # ValueError when it is no YYYY-MM-DD date
    if isinstance(value, date):
        return datetime.combine(value + timedelta(days=1), time.min, tzinfo=timezone.utc)
    raise ValueError(value)


def configured_ends():
    """``{course key: end}`` from ``KKN_COURSE_RUN_ENDS``, checked; raises ``CourseRunEndError``."""
    configured = getattr(settings, SETTING, None) or {}
    if not isinstance(configured, dict):
        raise CourseRunEndError("", configured)
    ends = {}
    for key, value in configured.items():
        if not isinstance(key, str) or not key.strip():
            raise CourseRunEndError(key, value)
        try:
            ends[key.strip()] = _end_of(value)
        except ValueError as error:
            raise CourseRunEndError(key, value) from error
    return ends


def _course_overview_model():
    """The platform's ``CourseOverview``, or None outside the LMS and Studio."""
    try:
        # pylint: disable=import-outside-toplevel,import-error
        from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
    except (ImportError, RuntimeError):  # not installed, or the app is not in INSTALLED_APPS
        return None
    return CourseOverview


def _as_course_keys(course_keys):
    """The keys the platform's ``CourseKeyField`` can look up: it parses a string with
    ``CourseKey.from_string`` (openedx/opaque-keys ``opaque_keys/edx/django/models.py``), which
    raises on a key that is not a course's (a local runtime's run); those have no overview."""
    try:
        # pylint: disable=import-outside-toplevel,import-error
        from opaque_keys import InvalidKeyError
        from opaque_keys.edx.keys import CourseKey
    except ImportError:
        return [k for k in course_keys if k]
    keys = []
    for key in course_keys:
        try:
            keys.append(CourseKey.from_string(key))
        except InvalidKeyError:
            continue
    return keys


def platform_ends(course_keys):
    """``{course key: end}`` of the given runs that the platform knows an end date of: one query."""
    model = _course_overview_model()
    keys = _as_course_keys(course_keys) if model is not None else []
    if not keys:
        return {}
    rows = model.objects.filter(id__in=keys, end__isnull=False).values_list("id", "end")
    return {str(course_id): end for course_id, end in rows}


def run_ends(course_keys, configured=None):
    """``{course key: end}`` for the runs among ``course_keys`` whose end is known; the operator's
    setting wins over the platform. ``configured``: ``configured_ends()``, when already read."""
    configured = configured_ends() if configured is None else configured
    ends = platform_ends([k for k in course_keys if k not in configured])
    ends.update({k: configured[k] for k in course_keys if k in configured})
    return ends
