"""Retention (GDPR art. 5.1 e): delete what is past its time, as ``privacy.POLICIES`` says.

The times are days in the Django setting ``KKN_RECORDS_RETENTION_DAYS`` (a dict; any key left out
takes its default below), counted from the end of the row's course run (``course_runs``) or from
the row's own date when that is later or the run's end is unknown. Safe to run daily: a second run
the same day finds nothing more to do, and each rule runs in one transaction, so an interrupted run
leaves every row either done or untouched.
Certificates, completions, attendance and profiles have no rule: they are what the programme
certifies, kept until the learner's account is retired.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from kkn_xblocks import clock

from . import course_runs
from .privacy import blank_value, declared_models

SETTING = "KKN_RECORDS_RETENTION_DAYS"
# Short where nothing needs more: a wrong code only serves the guessing limit (minutes); exam
# answers only a learner's questions about her result (appeals in Swedish public administration
# are made within three weeks); development-task texts are read by facilitators during the run.
DEFAULT_DAYS = {
    "TASK_TEXTS": 365,
    "DRAFTS": 180,  # in the learner's block state: applied by the module block (draft_retention_days)
    "WRONG_CODES": 1,
    "EXAM_ANSWERS": 90,
}
MAX_DAYS = 3650


class RetentionSettingError(ValueError):
    """``KKN_RECORDS_RETENTION_DAYS`` holds something that is not a number of days."""

    def __init__(self, name, value):
        super().__init__(name, value)
        self.name = name
        self.value = value


def retention_days():
    """``{rule name: days}``: the defaults with the operator's setting applied, checked."""
    configured = getattr(settings, SETTING, None) or {}
    if not isinstance(configured, dict):
        raise RetentionSettingError("", configured)
    days = dict(DEFAULT_DAYS)
    for name, value in configured.items():
        if name not in DEFAULT_DAYS or isinstance(value, bool) or not isinstance(value, int) or \
                not 0 <= value <= MAX_DAYS:
            raise RetentionSettingError(name, value)
        days[name] = value
    return days


def draft_retention_days():
    """Days an unsubmitted draft is kept. A wrong setting never breaks a learner's page: the
    default applies there, and the retention command names the mistake to the operator."""
    try:
        return retention_days()["DRAFTS"]
    except RetentionSettingError:
        return DEFAULT_DAYS["DRAFTS"]


def draft_run_end(course_key):
    """The end of the draft's course run, or None when unknown. A wrong ``KKN_COURSE_RUN_ENDS``
    never breaks a learner's page: the draft's own date counts there, and the retention command
    names the mistake to the operator."""
    if not course_key:
        return None
    try:
        return course_runs.run_ends({course_key}).get(course_key)
    except course_runs.CourseRunEndError:
        return None


@dataclass(frozen=True)
class Removed:
    """One rule's work: ``rows`` rows of ``model`` deleted, or their ``cleared`` columns blanked.
    ``own_date``: how many of them were counted from their own date, as the end of their course
    run is unknown; ``waiting``: rows past their own time kept because their run ended less than
    ``days`` ago (or has not ended)."""

    model: str
    setting: str
    days: int
    rows: int
    cleared: tuple  # empty: the rows were deleted
    own_date: int = 0
    waiting: int = 0


CHUNK = 500  # primary keys per statement: well under every backend's limit of query parameters


def _holding(model, rule, due):
    """``[(pk, course key)]`` of the due rows that still hold something to remove."""
    if not rule.clear:
        return list(due.values_list("pk", rule.course))
    blank = {c: blank_value(model, c) for c in rule.clear}
    return [(row[0], row[1]) for row in due.values_list("pk", rule.course, *rule.clear)
            if any(value != blank[c] for c, value in zip(rule.clear, row[2:]))]


def _remove(model, rule, pks):
    blank = {c: blank_value(model, c) for c in rule.clear}
    for start in range(0, len(pks), CHUNK):
        rows = model.objects.filter(pk__in=pks[start:start + CHUNK])
        if rule.clear:
            rows.update(**blank)
        else:
            rows.delete()


def apply_retention(now=None, dry_run=False):
    """Apply every retention rule; return what was (or, with ``dry_run``, would be) removed.

    A row's time counts from the later of its own date (``rule.since``) and the end of its course
    run (``course_runs.run_ends``); from its own date when the run's end is unknown (rows written
    before the run was recorded, a run without an end date). Both settings are checked first, so a
    wrong one removes nothing."""
    now = now or clock.now()
    days = retention_days()
    configured = course_runs.configured_ends()
    done = []
    for model, policy in declared_models():
        for rule in policy.retention:
            cutoff = now - timedelta(days=days[rule.setting])
            # Past its own date is needed either way: the run's end can only make a row wait longer.
            due = model.objects.filter(**rule.only, **{f"{rule.since}__lt": cutoff})
            with transaction.atomic():
                holding = _holding(model, rule, due)
                ends = course_runs.run_ends({course for _pk, course in holding if course}, configured)
                pks = [pk for pk, course in holding if course not in ends or ends[course] < cutoff]
                own_date = sum(1 for _pk, course in holding if course not in ends)
                if not dry_run:
                    _remove(model, rule, pks)
            done.append(Removed(model.__name__, rule.setting, days[rule.setting], len(pks), rule.clear,
                                own_date=own_date, waiting=len(holding) - len(pks)))
    return done
