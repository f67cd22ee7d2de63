"""The meeting side of the programme record: profiles, attendance rows, rosters, code-guess limits.

Re-exported by ``api.py`` (the blocks' only door). Attendance is one row per learner and session
(a unique constraint), so a double submit or a crowd checking in at once can never leave two rows.
Only what the meetings need is stored: municipality, role and region, a status, how and when it
was recorded, and who marked it. No IP address, no location, no photo.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from kkn_xblocks import clock

from .models import Attendance, CodeAttempt, Participation
from .participation import join_programme
from .rows import create_once, insert_once

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
# A staff decision that a code check-in may overturn: the learner proved she is in the room.
OVERTURNABLE = (Attendance.Status.EXCUSED, Attendance.Status.ABSENT)


# --- Profile -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    name: str
    municipality: str
    role: str
    region: str

    @property
    def complete(self):
        return bool(self.municipality and self.role and self.region)


def get_profile(learner_key, programme_id, lock=False):
    """The learner's profile in the programme, or None if she has not taken part yet: one query.

    ``lock=True`` (inside a transaction) also locks her participation row until it ends, as
    ``guarded_code_check`` does: a caller that checks a code next passes ``locked=True`` there, and
    the profile and the lock cost one query instead of two."""
    rows = Participation.objects.filter(learner_key=learner_key, programme_id=programme_id)
    if lock:
        rows = rows.select_for_update()
    row = rows.values_list("name", "municipality", "role", "region").first()
    return Profile(*row) if row else None


def save_profile(learner_key, programme_id, name, municipality, role, region):
    """Set the learner's municipality, role and region (joining the programme if needed)."""
    row = join_programme(learner_key, programme_id, name)
    Participation.objects.filter(pk=row.pk).update(
        municipality=municipality, role=role, region=region, updated_at=clock.now()
    )
    return Profile(name=row.name, municipality=municipality, role=role, region=region)


def is_participant(learner_key, programme_id):
    return Participation.objects.filter(learner_key=learner_key, programme_id=programme_id).exists()


# --- Attendance --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttendanceRecord:
    session_id: str
    status: str
    method: str
    recorded_at: datetime
    marked_by: str = ""
    marked_by_name: str = ""

    @property
    def attended(self):
        return self.status in ATTENDED


def _record(row):
    return AttendanceRecord(row.session_id, row.status, row.method, row.recorded_at, row.marked_by,
                            row.marked_by_name)


class CheckInResult:
    CREATED = "created"  # a new row
    OVERTURNED = "overturned"  # an excused/absent mark replaced by the code check-in
    ALREADY = "already"  # she was already present or late: nothing changed


def check_in(learner_key, programme_id, meeting_id, session_id, status, when=None):
    """Record a code check-in. Returns ``(AttendanceRecord, CheckInResult)``."""
    record, result, _rows = check_in_with_rows(learner_key, programme_id, meeting_id, session_id, status, when)
    return record, result


def check_in_with_rows(learner_key, programme_id, meeting_id, session_id, status, when=None):
    """Record a code check-in. Returns ``(AttendanceRecord, CheckInResult, rows)``, ``rows`` being
    her rows for the meeting after it, as ``attendance_for`` would read them next.

    Her rows for the meeting are read once, before any write: the session's row is looked up among
    them, and the list is brought up to date with what this call wrote instead of being read again.
    Safe against double submits and concurrent requests: the unique row is created once
    (``insert_once``), and an existing excused/absent row is replaced only by a conditional update,
    so two racing check-ins cannot both "win".
    """
    when = when or clock.now()
    lookup = {"learner_key": learner_key, "programme_id": programme_id, "meeting_id": meeting_id,
              "session_id": session_id}
    fresh = {"status": status, "method": Attendance.Method.CODE, "marked_by": "", "marked_by_name": "",
             "recorded_at": when}
    rows = attendance_for(learner_key, programme_id, meeting_id)
    record = next((r for r in rows if r.session_id == session_id), None)
    if record is None:
        row, created = insert_once(Attendance, fresh, **lookup)
        record = _record(row)
        rows = _sorted([*rows, record])
        if created:
            return record, CheckInResult.CREATED, rows
    if record.status in OVERTURNABLE:
        if Attendance.objects.filter(**lookup, status__in=OVERTURNABLE).update(**fresh):
            record = AttendanceRecord(session_id, **fresh)
            return record, CheckInResult.OVERTURNED, _sorted([r for r in rows if r.session_id != session_id] + [record])
        # A concurrent request changed the row first (staff, or her own second tab): read what won.
        rows = attendance_for(learner_key, programme_id, meeting_id)
        record = next(r for r in rows if r.session_id == session_id)
    return record, CheckInResult.ALREADY, rows


def mark_attendance(learner_key, programme_id, meeting_id, session_id, status, marked_by, marked_by_name="",
                    when=None):
    """Staff set a learner's status for a session; who and when are recorded. Latest mark wins."""
    when = when or clock.now()
    fields = {"status": status, "method": Attendance.Method.STAFF, "marked_by": marked_by,
              "marked_by_name": marked_by_name[:255], "recorded_at": when}
    row, created = create_once(
        Attendance, fields, learner_key=learner_key, programme_id=programme_id, meeting_id=meeting_id,
        session_id=session_id,
    )
    if not created:
        Attendance.objects.filter(pk=row.pk).update(**fields)
        for name, value in fields.items():
            setattr(row, name, value)
    return _record(row)


def attendance_for(learner_key, programme_id, meeting_id):
    """The learner's rows for one meeting (one per session she has a status in): one query."""
    rows = Attendance.objects.filter(learner_key=learner_key, programme_id=programme_id, meeting_id=meeting_id)
    return [_record(row) for row in rows.order_by("recorded_at", "session_id")]


def _sorted(records):
    """Records in ``attendance_for``'s order."""
    return sorted(records, key=lambda r: (r.recorded_at, r.session_id))


class RosterEntry(NamedTuple):
    """One person on a session's roster. A named tuple, not a dataclass: a roster makes hundreds of
    them per request, and a tuple is made four times faster than a frozen dataclass."""

    learner_key: str
    name: str
    municipality: str
    role: str
    region: str
    status: str = ""  # "" when nothing is recorded yet
    method: str = ""
    recorded_at: datetime | None = None
    marked_by: str = ""
    marked_by_name: str = ""


def session_roster(programme_id, meeting_id, session_id, region):
    """Everyone expected at or recorded for a session: the participants of its region, plus anyone
    with a status for it (e.g. a visitor from another region marked by staff). Two queries,
    whatever the number of participants."""
    marked = Attendance.objects.filter(programme_id=programme_id, meeting_id=meeting_id, session_id=session_id)
    rows = {
        r[0]: r
        for r in marked.values_list("learner_key", "status", "method", "recorded_at", "marked_by", "marked_by_name")
    }
    people = Participation.objects.filter(programme_id=programme_id).filter(
        Q(region=region) | Q(learner_key__in=marked.values("learner_key"))
    ).values_list("learner_key", "name", "municipality", "role", "region")
    entries = []
    for key, name, municipality, role, person_region in people:
        row = rows.pop(key, None)
        entries.append(RosterEntry(key, name, municipality, role, person_region, *(row[1:] if row else ())))
    # Rows whose learner has no participation (not possible through the blocks; kept visible anyway).
    entries += [RosterEntry(key, "", "", "", "", *row[1:]) for key, row in rows.items()]
    return entries


# --- Wrong-code limit --------------------------------------------------------------------------

def guarded_code_check(learner_key, programme_id, scope, limit, window_seconds, check, when=None, course_key="",
                       locked=False):
    """Check a typed code under the learner's wrong-code limit, one request of hers at a time.

    ``check()`` returns ``(result, genuine)``; a code that is not genuine is counted. Returns
    ``(result, wrong codes in the window)``, or ``(None, count)`` when she is over the limit and
    the code was not checked at all.

    Her participation row is locked for the duration (SQLite's IMMEDIATE transactions serialise
    the same way), so concurrent requests of one learner queue up: the limit is exact under any
    concurrency, and a right code typed twice at once is never mistaken for guessing.
    ``course_key``: the course run the code was typed in, which retention counts from. ``locked``:
    the caller has locked her row already in this transaction (``get_profile(..., lock=True)``).
    """
    when = when or clock.now()
    since = when - timedelta(seconds=window_seconds)
    # A transaction for the lock, but no savepoint inside the handler's own (handlers.py): nothing
    # here is undone on its own, and an error rolls back the whole request anyway.
    with transaction.atomic(savepoint=False):
        if not locked:
            list(Participation.objects.select_for_update()
                 .filter(learner_key=learner_key, programme_id=programme_id).values_list("pk", flat=True))
        mine = CodeAttempt.objects.filter(learner_key=learner_key, scope=scope[:255])
        count = mine.filter(created_at__gt=since).count()
        if count >= limit:
            return None, count
        result, genuine = check()
        if not genuine:
            if count:
                mine.filter(created_at__lte=since).delete()  # she has guessed before: drop expired rows
            CodeAttempt.objects.create(learner_key=learner_key, scope=scope[:255], created_at=when,
                                       course_key=course_key[:255])
            count += 1
        return result, count


def wrong_code_count(learner_key, scope, window_seconds, when=None):
    """Wrong codes the learner typed in the window (what the limit is measured on)."""
    since = (when or clock.now()) - timedelta(seconds=window_seconds)
    return CodeAttempt.objects.filter(learner_key=learner_key, scope=scope[:255], created_at__gt=since).count()


def attended_meeting_count(learner_key, programme_id):
    """How many distinct meetings of the programme the learner attended (present or late): one query."""
    return (
        Attendance.objects.filter(learner_key=learner_key, programme_id=programme_id, status__in=ATTENDED)
        .values("meeting_id").distinct().count()
    )
