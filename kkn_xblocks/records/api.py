"""The only door to the programme record. Blocks call these functions; nothing else imports models.

Every write is safe under concurrency: rows are created through unique constraints (a losing
concurrent insert re-reads the winner's row), and state changes are conditional updates.
Functions take and return plain values (strings, datetimes, small dataclasses), never requests.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from kkn_xblocks import clock

from .models import Attendance, ModuleCompletion, ModuleSubmission, Participation


def create_once(model, defaults=None, **lookup):
    """``get_or_create`` that survives a concurrent insert of the same unique row.

    Returns ``(row, created)``: a read, and only when it finds nothing an insert in a savepoint
    (``insert_once``); a concurrent insert that wins makes the read after the rolled-back savepoint
    return the winner's row, as ``get_or_create`` does, in two statements fewer.
    """
    try:
        return model.objects.get(**lookup), False
    except model.DoesNotExist:
        return insert_once(model, defaults, **lookup)


def insert_once(model, defaults=None, **lookup):
    """The insert half of ``create_once``, for a caller that has just read the row and found none
    (in the same transaction): ``(row, created)``, the row a concurrent insert won with otherwise.

    Like ``get_or_create`` (django/db/models/query.py) the insert runs in a savepoint, so a lost race
    leaves the caller's transaction usable for the read that follows; unlike ``create_once`` before
    it, the read is not repeated and no second savepoint wraps the first (every handler already
    runs in one transaction)."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **(defaults or {})), True
    except IntegrityError:
        return model.objects.get(**lookup), False


def run_of(course_key):
    """The ``course_key`` column's value to write, or nothing: a caller that does not know the run
    never blanks a run already recorded."""
    return {"course_key": course_key[:255]} if course_key else {}


# --- Participation -----------------------------------------------------------------------------

def join_programme(learner_key, programme_id, name=""):
    """Make sure the learner takes part in the programme; refresh her display name if it changed.

    Read first: she has usually joined already, and a plain read takes no write lock (each exam
    submit and start calls this); only a missing row or a changed name is written."""
    row = Participation.objects.filter(learner_key=learner_key, programme_id=programme_id).first()
    if row is not None and (not name or row.name == name):
        return row
    if row is None:
        row, created = insert_once(Participation, {"name": name}, learner_key=learner_key, programme_id=programme_id)
        if created:
            return row
    if name and row.name != name:
        rename_participant(learner_key, programme_id, name)
        row.name = name
    return row


def rename_participant(learner_key, programme_id, name):
    """Her display name as the runtime has it now, for a participant the caller has just read: one
    UPDATE, no read."""
    Participation.objects.filter(learner_key=learner_key, programme_id=programme_id).update(
        name=name, updated_at=clock.now())


def names_of(programme_id, learner_keys):
    """``{learner_key: name}`` for the given learners, in one query."""
    rows = Participation.objects.filter(programme_id=programme_id, learner_key__in=list(learner_keys))
    return dict(rows.values_list("learner_key", "name"))


# --- Modules -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompletedModule:
    module_id: str
    title: str
    version: str
    completed_at: datetime


@dataclass(frozen=True)
class Progress:
    """A learner's progress through a programme's modules."""

    module_ids: tuple
    completed: tuple  # CompletedModule, in programme order

    @property
    def done(self):
        return len(self.completed)

    @property
    def total(self):
        return len(self.module_ids)

    @property
    def missing(self):
        done = {c.module_id for c in self.completed}
        return tuple(m for m in self.module_ids if m not in done)

    def is_complete(self, module_id):
        return any(c.module_id == module_id for c in self.completed)


def submit_task(learner_key, programme_id, module_id, text, word_count, when=None, course_key=""):
    """Store the learner's submitted development task text (the latest submission wins).
    ``course_key``: the course run it was written in, which retention counts from."""
    when = when or clock.now()
    values = {"text": text, "word_count": word_count, "submitted_at": when, **run_of(course_key)}
    row, created = create_once(
        ModuleSubmission, values, learner_key=learner_key, programme_id=programme_id, module_id=module_id,
    )
    if not created:
        ModuleSubmission.objects.filter(pk=row.pk).update(**values)
    return when


def submitted_task(learner_key, programme_id, module_id):
    """The learner's submitted task as ``(text, submitted_at)``, or None."""
    row = (
        ModuleSubmission.objects.filter(learner_key=learner_key, programme_id=programme_id, module_id=module_id)
        .values_list("text", "submitted_at")
        .first()
    )
    return tuple(row) if row else None


def record_completion(learner_key, programme_id, module_id, module_version, module_title="", course_key="",
                      when=None):
    """Record that the learner completed the module. Idempotent: returns ``(completed_at, created)``;
    a second call (or fifty concurrent ones) leaves the first completion untouched."""
    row, created = create_once(
        ModuleCompletion,
        {
            "module_version": module_version,
            "module_title": module_title[:255],
            "course_key": course_key[:255],
            "completed_at": when or clock.now(),
        },
        learner_key=learner_key, programme_id=programme_id, module_id=module_id,
    )
    return row.completed_at, created


def programme_progress(learner_key, programme_id, module_ids):
    """The learner's progress over ``module_ids`` (the programme's modules, in order): one query,
    whatever the number of modules."""
    module_ids = tuple(module_ids)
    rows = ModuleCompletion.objects.filter(
        learner_key=learner_key, programme_id=programme_id, module_id__in=module_ids
    ).values_list("module_id", "module_title", "module_version", "completed_at")
    by_id = {r[0]: CompletedModule(*r) for r in rows}
    return Progress(module_ids=module_ids, completed=tuple(by_id[m] for m in module_ids if m in by_id))


@dataclass(frozen=True)
class ModuleReportRow:
    learner_key: str
    name: str
    submitted_at: datetime | None
    word_count: int | None
    completed_at: datetime | None


def module_report(programme_id, module_id):
    """Everyone who submitted or completed the module, for the staff view: three queries."""
    subs = {
        k: (at, words)
        for k, at, words in ModuleSubmission.objects.filter(programme_id=programme_id, module_id=module_id)
        .values_list("learner_key", "submitted_at", "word_count")
    }
    done = dict(
        ModuleCompletion.objects.filter(programme_id=programme_id, module_id=module_id)
        .values_list("learner_key", "completed_at")
    )
    keys = sorted(set(subs) | set(done))
    names = names_of(programme_id, keys)
    rows = [
        ModuleReportRow(
            learner_key=k,
            name=names.get(k, ""),
            submitted_at=subs.get(k, (None, None))[0],
            word_count=subs.get(k, (None, None))[1],
            completed_at=done.get(k),
        )
        for k in keys
    ]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.learner_key))


# --- Meetings (read side shared with the exam's eligibility rule) ------------------------------

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


def attended_meeting_count(learner_key, programme_id):
    """How many distinct meetings of the programme the learner attended (present or late): one query."""
    return (
        Attendance.objects.filter(learner_key=learner_key, programme_id=programme_id, status__in=ATTENDED)
        .values("meeting_id").distinct().count()
    )


from .attendance import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    AttendanceRecord, CheckInResult, Profile, RosterEntry, attendance_for, check_in, get_profile,
    guarded_code_check, is_participant, mark_attendance, save_profile, session_roster, wrong_code_count,
)
from .exams import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    BY_DEADLINE, BY_LEARNER, NO_ACCOMMODATION, Accommodation, Attempt, OverviewRow, accommodation_for, as_finalised,
    attempt, attempts_of, exam_overview, finalise_attempt, grant_extra_time, overdue_attempts, save_answers,
    set_exemption, start_attempt,
)
from .certificates import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    CertificateRecord, certificate_of, certificates_of_programme, find_certificate, issue_certificate,
    revoke_certificate,
)
from .retirement import Retired, retire_learner  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from .extract import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    as_document, as_json, extract_learner, file_stem as extract_file_stem,
)
from .retention import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    DEFAULT_DAYS, Removed, RetentionSettingError, apply_retention, draft_retention_days, draft_run_end, retention_days,
)
from .course_runs import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    SETTING as COURSE_RUN_ENDS_SETTING, CourseRunEndError, run_ends as course_run_ends,
)
from .municipalities import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    Approval, Contact, Member, OverviewFacts, Revision, SaveOutcome, SharedTaskState, approve_shared_task,
    contact_choice, contact_list, join_contact_list, leave_contact_list, municipality_members, overview_facts,
    save_shared_task, shared_task, shared_task_history, shared_tasks_of_module,
)
from .credentials import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    AchievementTexts, credential_of, is_configured as badges_configured,
    may_carry_credential_record, NotConfigured as BadgesNotConfigured,
)
from .openbadges import badge_image, with_jwt_proof  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
