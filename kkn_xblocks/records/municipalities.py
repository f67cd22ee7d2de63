"""Municipalities as the unit: the programme overview's facts, shared development tasks and the
opt-in contact list. Re-exported by ``api.py`` (the blocks' only door).

* ``overview_facts`` reads everything the programme council's overview needs in three queries,
  whatever the number of municipalities, meetings or participants.
* A shared task is one text per programme, module and municipality. A save names the version it
  started from and is a conditional update: of two saves from the same version one wins, the other
  gets the current text back with nothing written, so no text is ever silently overwritten. Every
  save adds a revision row (who, what, when); approvals name the version they approve.
* The contact list holds only the participants who chose to be in it.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F

from kkn_xblocks import clock

from .attendance import ATTENDED
from .models import (
    Attendance, ContactListing, ModuleCompletion, Participation, SharedTask, SharedTaskApproval,
    SharedTaskRevision,
)
from .modules import submit_task
from .rows import create_once, run_of


# --- The programme overview ----------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    """A participant as the overview and the shared task see her."""

    learner_key: str
    name: str
    municipality: str
    role: str
    region: str


@dataclass(frozen=True)
class OverviewFacts:
    members: tuple  # Member, every participant of the programme
    attended: frozenset  # (learner_key, meeting_id) she attended (present or late)
    completed: dict  # learner_key -> frozenset of the given module ids she completed


def overview_facts(programme_id, meeting_ids, module_ids):
    """Who takes part, who attended which meeting, who completed which module: three queries."""
    members = tuple(
        Member(*row) for row in Participation.objects.filter(programme_id=programme_id)
        .values_list("learner_key", "name", "municipality", "role", "region").order_by("learner_key")
    )
    attended = frozenset(
        Attendance.objects.filter(programme_id=programme_id, meeting_id__in=list(meeting_ids), status__in=ATTENDED)
        .values_list("learner_key", "meeting_id").distinct()
    )
    completed = {}
    for key, module_id in ModuleCompletion.objects.filter(
        programme_id=programme_id, module_id__in=list(module_ids)
    ).values_list("learner_key", "module_id"):
        completed.setdefault(key, set()).add(module_id)
    return OverviewFacts(members, attended, {key: frozenset(ids) for key, ids in completed.items()})


def municipality_members(programme_id, municipality):
    """The participants who gave this municipality in their profile: one query."""
    rows = Participation.objects.filter(programme_id=programme_id, municipality=municipality)
    return [Member(*row) for row in rows.values_list("learner_key", "name", "municipality", "role", "region")
            .order_by("learner_key")]


# --- Shared development task ---------------------------------------------------------------------

@dataclass(frozen=True)
class Approval:
    learner_key: str
    name: str
    role: str
    version: int
    approved_at: datetime


@dataclass(frozen=True)
class SharedTaskState:
    municipality: str
    text: str
    version: int
    updated_at: datetime | None
    submitted_at: datetime | None
    approvals: tuple  # Approval of the current version

    @property
    def submitted(self):
        return self.submitted_at is not None


@dataclass(frozen=True)
class Revision:
    version: int
    learner_key: str
    name: str
    text: str
    word_count: int
    saved_at: datetime


def _task_row(programme_id, module_id, municipality):
    row, _created = create_once(SharedTask, {}, programme_id=programme_id, module_id=module_id,
                                       municipality=municipality)
    return row


def shared_task(programme_id, module_id, municipality):
    """The municipality's shared task as it stands (an empty version 0 if nobody wrote yet): two
    queries. Reading writes nothing."""
    row = SharedTask.objects.filter(programme_id=programme_id, module_id=module_id, municipality=municipality).first()
    if row is None:
        return SharedTaskState(municipality, "", 0, None, None, ())
    approvals = tuple(
        Approval(*values) for values in SharedTaskApproval.objects.filter(task=row, version=row.version)
        .values_list("learner_key", "name", "role", "version", "approved_at").order_by("approved_at", "learner_key")
    )
    return SharedTaskState(municipality, row.text, row.version, row.updated_at, row.submitted_at, approvals)


class SaveOutcome:
    SAVED = "saved"
    CONFLICT = "conflict"  # another save came first: nothing written, the current text is returned
    SUBMITTED = "submitted"  # the task is already submitted: nothing written


def save_shared_task(programme_id, module_id, municipality, base_version, text, word_count, learner_key, name,
                     when=None, course_key=""):
    """Save ``text`` as the next version if the task is still at ``base_version``.

    Returns ``(SaveOutcome, SharedTaskState)``. The version check is one conditional UPDATE, so
    under any concurrency exactly one save per version wins; the revision is written in the same
    transaction, so the history never misses a version and never holds one that did not win.
    ``course_key``: the course run it is written in, which retention counts from.
    """
    when = when or clock.now()
    row = _task_row(programme_id, module_id, municipality)
    with transaction.atomic():
        won = SharedTask.objects.filter(pk=row.pk, version=base_version, submitted_at__isnull=True).update(
            text=text, version=base_version + 1, updated_at=when, **run_of(course_key))
        if won:
            SharedTaskRevision.objects.create(task_id=row.pk, version=base_version + 1, learner_key=learner_key,
                                              name=name[:255], text=text, word_count=word_count, saved_at=when)
    # Read after the transaction: on MySQL's repeatable read a read inside it could see an old snapshot.
    state = shared_task(programme_id, module_id, municipality)
    if won:
        return SaveOutcome.SAVED, state
    return (SaveOutcome.SUBMITTED if state.submitted else SaveOutcome.CONFLICT), state


def withdraw_from_shared_tasks(learner_key):
    """On her retirement: where the current text of a joint task is her save, it returns to the last
    version a colleague saved (empty if none), so her words leave with her and theirs stay. The
    version number stays, so the history and the approvals keep their order."""
    current = SharedTask.objects.filter(revisions__learner_key=learner_key,
                                        revisions__version=F("version")).distinct()
    for task in current:
        previous = task.revisions.exclude(learner_key=learner_key).order_by("-version").first()
        SharedTask.objects.filter(pk=task.pk).update(text=previous.text if previous else "")


def shared_task_history(programme_id, module_id, municipality):
    """Every saved version, oldest first: one query."""
    rows = SharedTaskRevision.objects.filter(
        task__programme_id=programme_id, task__module_id=module_id, task__municipality=municipality,
    ).order_by("version")
    return [Revision(*values) for values in rows.values_list("version", "learner_key", "name", "text", "word_count",
                                                             "saved_at")]


def approve_shared_task(programme_id, module_id, municipality, version, learner_key, name, role, is_complete,
                        word_count, when=None):
    """Record her approval of ``version``; submit the task when ``is_complete(approvals)`` says the
    approvals of that version are enough, and credit it to every participant of the municipality.
    Returns ``(state, credited learner keys)``.

    The task row is locked while the approvals are counted, so two last approvals at once are
    counted one after the other and exactly one of them submits, also for a caller inside a longer
    transaction. (LMS handlers run in autocommit: openedx-platform
    ``lms/djangoapps/courseware/block_render.py`` marks ``handle_xblock_callback``
    ``transaction.non_atomic_requests``, although Tutor sets ``ATOMIC_REQUESTS: true`` in
    ``tutor/templates/apps/openedx/config/partials/auth.yml`` for every other view.) An approval
    of a version that is no longer current, or of a submitted task, is not recorded (the caller
    compares ``state.version``).
    """
    when = when or clock.now()
    credited = []
    with transaction.atomic():
        row = SharedTask.objects.select_for_update().filter(
            programme_id=programme_id, module_id=module_id, municipality=municipality).first()
        if row is not None and row.version == version and version > 0 and row.submitted_at is None:
            SharedTaskApproval.objects.get_or_create(
                task=row, version=version, learner_key=learner_key,
                defaults={"name": name[:255], "role": role, "approved_at": when})
            approvals = [Approval(*values) for values in SharedTaskApproval.objects.filter(task=row, version=version)
                         .values_list("learner_key", "name", "role", "version", "approved_at")]
            if is_complete(approvals):
                SharedTask.objects.filter(pk=row.pk).update(submitted_at=when, submitted_version=version)
                credited = [member.learner_key for member in municipality_members(programme_id, municipality)]
                for key in credited:
                    submit_task(key, programme_id, module_id, row.text, word_count, when=when,
                                       course_key=row.course_key)
    return shared_task(programme_id, module_id, municipality), credited


@dataclass(frozen=True)
class SharedTaskSummary:
    municipality: str
    version: int
    updated_at: datetime | None
    submitted_at: datetime | None


def shared_tasks_of_module(programme_id, module_id):
    """Every municipality's shared task of the module, for staff: one query."""
    rows = SharedTask.objects.filter(programme_id=programme_id, module_id=module_id).order_by("municipality")
    return [SharedTaskSummary(*values) for values in rows.values_list("municipality", "version", "updated_at",
                                                                      "submitted_at")]


# --- Contact list ("kontaktytor") ----------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    learner_key: str
    name: str
    municipality: str
    role: str
    region: str
    email: str


def contact_choice(learner_key, programme_id):
    """``(listed, email)``: whether she is in the contact list, and the e-mail she shares there."""
    email = ContactListing.objects.filter(learner_key=learner_key, programme_id=programme_id).values_list(
        "email", flat=True).first()
    return (email is not None), (email or "")


def join_contact_list(learner_key, programme_id, email="", when=None):
    """Show her in the programme's contact list (with ``email`` if given; "" shares none)."""
    when = when or clock.now()
    row, created = create_once(ContactListing, {"email": email, "created_at": when, "updated_at": when},
                                      learner_key=learner_key, programme_id=programme_id)
    if not created:
        ContactListing.objects.filter(pk=row.pk).update(email=email, updated_at=when)


def leave_contact_list(learner_key, programme_id):
    """Remove her from the contact list at once (the row is deleted, not flagged)."""
    ContactListing.objects.filter(learner_key=learner_key, programme_id=programme_id).delete()


def contact_list(programme_id):
    """Everyone who opted in, with her current profile: two queries. Only participants with a
    listing row appear; nobody is shown by default."""
    emails = dict(ContactListing.objects.filter(programme_id=programme_id).values_list("learner_key", "email"))
    if not emails:
        return []
    rows = Participation.objects.filter(programme_id=programme_id, learner_key__in=list(emails)).values_list(
        "learner_key", "name", "municipality", "role", "region")
    return [Contact(*row, email=emails[row[0]]) for row in rows]
