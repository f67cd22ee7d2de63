"""The exam side of the programme record: attempts, autosaved answers, grading once, accommodations.

Re-exported by ``api.py`` (the blocks' only door). An attempt is one row per learner, exam and
attempt number (a unique constraint), so a double click on "start" cannot open two attempts.
Every change to an attempt is a conditional UPDATE on ``status = open``: a save that arrives after
the submit changes nothing, and of two concurrent submits exactly one grades the attempt.
"""
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Q

from kkn_xblocks import clock

from .attendance import ATTENDED
from .models import Attendance, ExamAccommodation, ExamAttempt, ModuleCompletion, Participation
from .rows import create_once, insert_once, select, update

OPEN, SUBMITTED = ExamAttempt.Status.OPEN, ExamAttempt.Status.SUBMITTED
BY_LEARNER, BY_DEADLINE = "learner", "deadline"


@dataclass(frozen=True)
class Attempt:
    pk: int
    number: int
    status: str
    started_at: datetime
    deadline: datetime | None
    draw: list = field(hash=False, compare=False)
    answers: dict = field(hash=False, compare=False)
    saved_at: datetime | None = None
    submitted_at: datetime | None = None
    submitted_by: str = ""
    earned: float | None = None
    possible: float | None = None
    passed: bool | None = None

    @property
    def open(self):
        return self.status == OPEN

    @property
    def fraction(self):
        return self.earned / self.possible if self.possible else 0.0


_ATTEMPT_FIELDS = ("pk", "number", "status", "started_at", "deadline", "draw", "answers", "saved_at",
                   "submitted_at", "submitted_by", "earned", "possible", "passed")


def _attempt(row):
    return Attempt(**{name: getattr(row, name) for name in _ATTEMPT_FIELDS})


def attempts_of(learner_key, programme_id, exam_id):
    """Her attempts at the exam, oldest first: one query (``rows.select``: every exam request reads them)."""
    where = {"learner_key": learner_key, "programme_id": programme_id, "exam_id": exam_id}
    return [Attempt(*values) for values in select(ExamAttempt, _ATTEMPT_FIELDS, where, order_by="number")]


def attempt(learner_key, programme_id, exam_id, number):
    row = ExamAttempt.objects.filter(learner_key=learner_key, programme_id=programme_id, exam_id=exam_id,
                                     number=number).first()
    return _attempt(row) if row else None


def start_attempt(learner_key, programme_id, exam_id, number, draw, started_at, deadline, course_key=""):
    """Open attempt ``number`` with its stored draw. ``(attempt, created)``: when two starts race for
    the same number, the loser gets the winner's attempt (and its draw) back. The caller has read
    her attempts in this transaction, so the number is known to be free: no read before the insert.
    ``course_key``: the course run it is taken in, which retention counts from."""
    row, created = insert_once(
        ExamAttempt,
        {"started_at": started_at, "deadline": deadline, "draw": draw, "answers": {}, "status": OPEN,
         "course_key": course_key[:255]},
        learner_key=learner_key, programme_id=programme_id, exam_id=exam_id, number=number,
    )
    return _attempt(row), created


def save_answers(attempt_pk, answers, when, cutoff=None):
    """Autosave: replace the saved answers of an open attempt. False if it is no longer open or
    ``cutoff`` (the deadline plus grace) has passed: the check and the write are one statement."""
    rows = ExamAttempt.objects.filter(pk=attempt_pk, status=OPEN)
    if cutoff is not None:
        rows = rows.filter(Q(deadline__isnull=True) | Q(deadline__gte=cutoff))
    return rows.update(answers=answers, saved_at=when) == 1


def _closing(answers, earned, possible, passed, when, submitted_by):
    values = {"status": SUBMITTED, "submitted_at": when, "submitted_by": submitted_by, "earned": float(earned),
              "possible": float(possible), "passed": passed}
    if answers is not None:
        values["answers"] = answers
    return values


def finalise_attempt(attempt_pk, answers, earned, possible, passed, when, submitted_by=BY_LEARNER):
    """Submit and grade an open attempt, exactly once: True only for the call that did it (one
    conditional UPDATE through ``rows.update``: every submit makes it)."""
    values = _closing(answers, earned, possible, passed, when, submitted_by)
    return update(ExamAttempt, values, {"pk": attempt_pk, "status": OPEN}) == 1


def as_finalised(attempt, answers, earned, possible, passed, when, submitted_by=BY_LEARNER):
    """``attempt`` as the ``finalise_attempt`` call with the same arguments that closed it left it,
    without reading it again."""
    return replace(attempt, **_closing(answers, earned, possible, passed, when, submitted_by))


def overdue_attempts(programme_id, exam_id, now):
    """Open attempts whose deadline has passed (the learner never came back): for the staff view."""
    rows = ExamAttempt.objects.filter(programme_id=programme_id, exam_id=exam_id, status=OPEN, deadline__lt=now)
    return [(row.learner_key, _attempt(row)) for row in rows]


# --- Accommodations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Accommodation:
    extra_minutes: int = 0
    extra_time_reason: str = ""
    extra_time_by_name: str = ""
    extra_time_at: datetime | None = None
    eligibility_exempt: bool = False
    exemption_reason: str = ""
    exemption_by_name: str = ""
    exemption_at: datetime | None = None


NO_ACCOMMODATION = Accommodation()
_ACCOMMODATION_FIELDS = ("extra_minutes", "extra_time_reason", "extra_time_by_name", "extra_time_at",
                         "eligibility_exempt", "exemption_reason", "exemption_by_name", "exemption_at")


def accommodation_for(learner_key, programme_id, exam_id):
    """What staff granted her for the exam (``rows.select``: every exam request reads it)."""
    where = {"learner_key": learner_key, "programme_id": programme_id, "exam_id": exam_id}
    rows = select(ExamAccommodation, _ACCOMMODATION_FIELDS, where, order_by="pk", limit=1)
    return Accommodation(*rows[0]) if rows else NO_ACCOMMODATION


def grant_extra_time(learner_key, programme_id, exam_id, minutes, reason, by, by_name, when=None):
    """Set her extra time (replacing any earlier grant) and move the deadline of an attempt she has
    open by the difference, in the same transaction."""
    when = when or clock.now()
    with transaction.atomic():
        row, _created = create_once(ExamAccommodation, {}, learner_key=learner_key,
                                           programme_id=programme_id, exam_id=exam_id)
        row = ExamAccommodation.objects.select_for_update().get(pk=row.pk)
        change = minutes - row.extra_minutes
        ExamAccommodation.objects.filter(pk=row.pk).update(
            extra_minutes=minutes, extra_time_reason=reason, extra_time_by=by, extra_time_by_name=by_name,
            extra_time_at=when)
        if change:
            ExamAttempt.objects.filter(
                learner_key=learner_key, programme_id=programme_id, exam_id=exam_id, status=OPEN,
                deadline__isnull=False,
            ).update(deadline=F("deadline") + timedelta(minutes=change))
    return accommodation_for(learner_key, programme_id, exam_id)


def set_exemption(learner_key, programme_id, exam_id, exempt, reason, by, by_name, when=None):
    """Grant or withdraw her exemption from the eligibility requirements; who, when and why are kept."""
    row, _created = create_once(ExamAccommodation, {}, learner_key=learner_key, programme_id=programme_id,
                                       exam_id=exam_id)
    ExamAccommodation.objects.filter(pk=row.pk).update(
        eligibility_exempt=exempt, exemption_reason=reason, exemption_by=by, exemption_by_name=by_name,
        exemption_at=when or clock.now())
    return accommodation_for(learner_key, programme_id, exam_id)


# --- Eligibility facts and the staff overview ------------------------------------------------------

@dataclass(frozen=True)
class OverviewRow:
    learner_key: str
    name: str
    completed_modules: frozenset  # of the module ids asked about
    meetings: int
    accommodation: Accommodation
    attempts: int
    open_attempt: bool
    best_earned: float | None
    best_possible: float | None
    passed: bool
    certificate: object  # CertificateRecord or None


def exam_overview(programme_id, exam_id, module_ids):
    """Everyone in the programme, with what the exam needs to know: six queries, whatever the
    number of learners, modules or meetings."""
    from .certificates import certificates_of_programme  # pylint: disable=import-outside-toplevel
    names = dict(Participation.objects.filter(programme_id=programme_id).values_list("learner_key", "name"))
    modules = {}
    for key, module_id in (ModuleCompletion.objects.filter(programme_id=programme_id, module_id__in=list(module_ids))
                           .values_list("learner_key", "module_id")):
        modules.setdefault(key, set()).add(module_id)
    meetings = dict(
        Attendance.objects.filter(programme_id=programme_id, status__in=ATTENDED)
        .values("learner_key").annotate(n=Count("meeting_id", distinct=True)).values_list("learner_key", "n")
    )
    accommodations = {
        row["learner_key"]: Accommodation(**{k: row[k] for k in _ACCOMMODATION_FIELDS})
        for row in ExamAccommodation.objects.filter(programme_id=programme_id, exam_id=exam_id)
        .values("learner_key", *_ACCOMMODATION_FIELDS)
    }
    attempts = {}
    for key, status, earned, possible, passed in (
        ExamAttempt.objects.filter(programme_id=programme_id, exam_id=exam_id)
        .values_list("learner_key", "status", "earned", "possible", "passed")
    ):
        entry = attempts.setdefault(key, {"count": 0, "open": False, "best": None, "passed": False})
        entry["count"] += 1
        entry["open"] |= status == OPEN
        entry["passed"] |= bool(passed)
        if status == SUBMITTED and possible:
            best = entry["best"]
            if best is None or earned / possible > best[0] / best[1]:
                entry["best"] = (earned, possible)
    certificates = {c.learner_key: c for c in certificates_of_programme(programme_id)}
    keys = sorted(set(names) | set(attempts) | set(certificates))
    rows = []
    for key in keys:
        entry = attempts.get(key, {"count": 0, "open": False, "best": None, "passed": False})
        best = entry["best"] or (None, None)
        rows.append(OverviewRow(
            learner_key=key, name=names.get(key, "") or (certificates[key].name if key in certificates else ""),
            completed_modules=frozenset(modules.get(key, ())), meetings=meetings.get(key, 0),
            accommodation=accommodations.get(key, NO_ACCOMMODATION), attempts=entry["count"],
            open_attempt=entry["open"], best_earned=best[0], best_possible=best[1], passed=entry["passed"],
            certificate=certificates.get(key),
        ))
    return sorted(rows, key=lambda r: (r.name.casefold(), r.learner_key))
