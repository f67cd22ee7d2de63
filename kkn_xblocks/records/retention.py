"""Retention (GDPR art. 5.1 e): delete what is past its time, as ``privacy.POLICIES`` says.

The times are days in the Django setting ``KKN_RECORDS_RETENTION_DAYS`` (a dict; any key left out
takes its default below). Safe to run daily: a second run the same day finds nothing more to do,
and each rule is one statement, so an interrupted run leaves every row either done or untouched.
Certificates, completions, attendance and profiles have no rule: they are what the programme
certifies, kept until the learner's account is retired.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from kkn_xblocks import clock

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


@dataclass(frozen=True)
class Removed:
    """One rule's work: ``rows`` rows of ``model`` deleted, or their ``cleared`` columns blanked."""

    model: str
    setting: str
    days: int
    rows: int
    cleared: tuple  # empty: the rows were deleted


def apply_retention(now=None, dry_run=False):
    """Apply every retention rule; return what was (or, with ``dry_run``, would be) removed."""
    now = now or clock.now()
    days = retention_days()
    done = []
    for model, policy in declared_models():
        for rule in policy.retention:
            cutoff = now - timedelta(days=days[rule.setting])
            due = model.objects.filter(**rule.only, **{f"{rule.since}__lt": cutoff})
            with transaction.atomic():
                if rule.clear:
                    blank = {c: blank_value(model, c) for c in rule.clear}
                    # Only rows still holding something: the count printed is what really went.
                    pks = [row[0] for row in due.values_list("pk", *rule.clear)
                           if any(value != blank[c] for c, value in zip(rule.clear, row[1:]))]
                    if not dry_run and pks:
                        model.objects.filter(pk__in=pks).update(**blank)
                    count = len(pks)
                else:
                    label = model._meta.label  # pylint: disable=protected-access
                    count = due.count() if dry_run else due.delete()[1].get(label, 0)
            done.append(Removed(model.__name__, rule.setting, days[rule.setting], count, rule.clear))
    return done
