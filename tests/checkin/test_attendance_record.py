"""The programme record's meeting side: profiles, attendance rows, rosters, the wrong-code limit.

Every test here runs on SQLite and again on MariaDB (``dev.py test``): SQLite serialises writers
and would hide races that Open edX's MySQL shows.
"""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection, transaction

from kkn_xblocks.records import api
from kkn_xblocks.records.models import Attendance, CodeAttempt, Participation

pytestmark = pytest.mark.mariadb

PROGRAMME = "prog"
WHEN = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


def run_at_once(count, work):
    """Run ``work(i)`` in ``count`` threads released together; return the results; re-raise errors."""
    barrier = threading.Barrier(count)
    errors, results = [], [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # pylint: disable=broad-exception-caught
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    return results


@pytest.mark.django_db
def test_profile_is_saved_once_and_can_change():
    assert api.get_profile("l1", PROGRAMME) is None
    api.save_profile("l1", PROGRAMME, "Anna", "Lund", "culture", "Skåne")
    api.save_profile("l1", PROGRAMME, "Anna Lindqvist", "Varberg", "tourism", "Halland")
    assert api.get_profile("l1", PROGRAMME) == api.Profile("Anna Lindqvist", "Varberg", "tourism", "Halland")
    assert api.get_profile("l1", PROGRAMME).complete
    assert Participation.objects.count() == 1
    api.join_programme("l2", PROGRAMME, "Erik")
    assert not api.get_profile("l2", PROGRAMME).complete  # joined through a module: no profile yet
    assert api.is_participant("l2", PROGRAMME) and not api.is_participant("l2", "other")


@pytest.mark.django_db
def test_check_in_creates_once_and_only_overturns_absence():
    record, result = api.check_in("l1", PROGRAMME, "m1", "s1", "present", when=WHEN)
    assert (result, record.status, record.method, record.recorded_at) == ("created", "present", "code", WHEN)
    record, result = api.check_in("l1", PROGRAMME, "m1", "s1", "late", when=WHEN + timedelta(hours=1))
    assert (result, record.status, record.recorded_at) == ("already", "present", WHEN)
    api.mark_attendance("l2", PROGRAMME, "m1", "s1", "absent", marked_by="staff-1", marked_by_name="Karin")
    record, result = api.check_in("l2", PROGRAMME, "m1", "s1", "late", when=WHEN)
    assert (result, record.status, record.method, record.marked_by) == ("overturned", "late", "code", "")
    assert Attendance.objects.count() == 2


@pytest.mark.django_db
def test_a_check_in_answers_with_her_rows_for_the_meeting_as_they_are_after_it(django_assert_num_queries):
    """``check_in_with_rows`` reads her rows once, before writing, and brings them up to date
    itself: what it returns is what ``attendance_for`` reads afterwards, in every outcome."""
    api.check_in("l1", PROGRAMME, "m1", "day-2", "late", when=WHEN + timedelta(days=1))
    api.check_in("l1", PROGRAMME, "other-meeting", "s1", "present", when=WHEN)
    with django_assert_num_queries(4):  # her rows; the insert in a savepoint
        record, result, rows = api.check_in_with_rows("l1", PROGRAMME, "m1", "day-1", "present", when=WHEN)
    assert (result, record.status, record.recorded_at) == ("created", "present", WHEN)
    assert rows == api.attendance_for("l1", PROGRAMME, "m1")
    assert [r.session_id for r in rows] == ["day-1", "day-2"]  # in recorded order, the new row first
    with django_assert_num_queries(1):  # already there: nothing written
        record, result, rows = api.check_in_with_rows("l1", PROGRAMME, "m1", "day-1", "late", when=WHEN)
    assert (result, record.status) == ("already", "present") and rows == api.attendance_for("l1", PROGRAMME, "m1")
    later = WHEN + timedelta(days=2)
    api.mark_attendance("l1", PROGRAMME, "m1", "day-2", "absent", "staff-1", "Karin", when=later)
    record, result, rows = api.check_in_with_rows("l1", PROGRAMME, "m1", "day-2", "present", when=later)
    assert (result, record.status, record.method, record.marked_by, record.recorded_at) == (
        "overturned", "present", "code", "", later)
    assert rows == api.attendance_for("l1", PROGRAMME, "m1")


@pytest.mark.django_db
def test_staff_marks_record_who_and_when_and_the_latest_wins():
    api.check_in("l1", PROGRAMME, "m1", "s1", "present", when=WHEN)
    record = api.mark_attendance("l1", PROGRAMME, "m1", "s1", "excused", "staff-1", "Karin Berg", when=WHEN + timedelta(minutes=5))
    assert (record.status, record.method, record.marked_by, record.marked_by_name, record.recorded_at) == (
        "excused", "staff", "staff-1", "Karin Berg", WHEN + timedelta(minutes=5))
    api.mark_attendance("l1", PROGRAMME, "m1", "s1", "present", "staff-2", "Per", when=WHEN + timedelta(minutes=9))
    row = Attendance.objects.get()
    assert (row.status, row.marked_by, row.marked_by_name) == ("present", "staff-2", "Per")
    assert [r.status for r in api.attendance_for("l1", PROGRAMME, "m1")] == ["present"]


@pytest.mark.django_db
def test_attended_meeting_count_counts_meetings_not_sessions():
    api.check_in("l1", PROGRAMME, "m1", "day-1", "present")
    api.check_in("l1", PROGRAMME, "m1", "day-2", "late")
    api.check_in("l1", PROGRAMME, "m2", "s1", "late")
    api.mark_attendance("l1", PROGRAMME, "m3", "s1", "excused", "staff")
    api.mark_attendance("l1", PROGRAMME, "m4", "s1", "absent", "staff")
    api.check_in("l1", "other", "m5", "s1", "present")
    assert api.attended_meeting_count("l1", PROGRAMME) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("participants", [10, 100])
def test_the_roster_takes_two_queries_whatever_the_size(participants, django_assert_num_queries):
    for i in range(participants):
        api.save_profile(f"l{i}", PROGRAMME, f"D{i}", "Lund", "culture", "Skåne")
        if i % 3 == 0:
            api.check_in(f"l{i}", PROGRAMME, "m1", "s1", "present")
    api.save_profile("visitor", PROGRAMME, "Olle", "Varberg", "business", "Halland")
    api.save_profile("elsewhere", PROGRAMME, "Per", "Halmstad", "business", "Halland")
    api.mark_attendance("visitor", PROGRAMME, "m1", "s1", "present", "staff")
    api.check_in("l0", PROGRAMME, "m1", "other-session", "present")
    with django_assert_num_queries(2):
        entries = api.session_roster(PROGRAMME, "m1", "s1", "Skåne")
    keys = {e.learner_key for e in entries}
    assert len(entries) == participants + 1 and "visitor" in keys and "elsewhere" not in keys
    assert sum(1 for e in entries if e.status == "present") == len(range(0, participants, 3)) + 1


def wrong(_i=None):
    return "wrong", False


def right(_i=None):
    return "right", True


@pytest.mark.django_db
def test_only_wrong_codes_count_and_the_window_slides():
    api.save_profile("l1", PROGRAMME, "Anna", "Lund", "culture", "Skåne")
    assert api.guarded_code_check("l1", PROGRAMME, "scope", 5, 600, right, when=WHEN) == ("right", 0)
    for minute in range(5):
        result = api.guarded_code_check("l1", PROGRAMME, "scope", 5, 600, wrong, when=WHEN + timedelta(minutes=minute))
        assert result == ("wrong", minute + 1)
    checked = []
    assert api.guarded_code_check("l1", PROGRAMME, "scope", 5, 600, lambda: checked.append(1) or right(),
                                  when=WHEN + timedelta(minutes=9)) == (None, 5)
    assert not checked  # over the limit, the code is not even looked at
    assert api.wrong_code_count("l1", "scope", 600, when=WHEN + timedelta(minutes=9)) == 5
    assert api.guarded_code_check("l1", PROGRAMME, "other-scope", 5, 600, right, when=WHEN) == ("right", 0)
    # Ten minutes after the first wrong code, one try is free again; expired rows are dropped.
    assert api.guarded_code_check("l1", PROGRAMME, "scope", 5, 600, wrong, when=WHEN + timedelta(minutes=10)) == (
        "wrong", 5)
    assert CodeAttempt.objects.filter(scope="scope").count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_wrong_code_limit_holds_under_concurrent_guesses():
    api.save_profile("guesser", PROGRAMME, "Gissa", "Lund", "culture", "Skåne")
    results = run_at_once(40, lambda i: api.guarded_code_check("guesser", PROGRAMME, "scope", 5, 600, wrong, when=WHEN))
    assert sorted(count for _result, count in results if _result == "wrong") == [1, 2, 3, 4, 5]
    assert sum(1 for result, _count in results if result is None) == 35
    assert CodeAttempt.objects.filter(learner_key="guesser").count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_when_reading_her_profile_takes_the_lock():
    """The check-in reads her profile with the lock (``get_profile(..., lock=True)``) and then checks
    the code with ``locked=True``: the same exact limit, one query fewer."""
    api.save_profile("guesser", PROGRAMME, "Gissa", "Lund", "culture", "Skåne")

    def guess(_i):
        with transaction.atomic():
            assert api.get_profile("guesser", PROGRAMME, lock=True).municipality == "Lund"
            return api.guarded_code_check("guesser", PROGRAMME, "scope", 5, 600, wrong, when=WHEN, locked=True)

    results = run_at_once(40, guess)
    assert sorted(count for _result, count in results if _result == "wrong") == [1, 2, 3, 4, 5]
    assert sum(1 for result, _count in results if result is None) == 35
    assert CodeAttempt.objects.filter(learner_key="guesser").count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_right_code_sent_many_times_at_once_is_never_counted():
    api.save_profile("eager", PROGRAMME, "Ivrig", "Lund", "culture", "Skåne")
    results = run_at_once(20, lambda i: api.guarded_code_check("eager", PROGRAMME, "scope", 5, 600, right, when=WHEN))
    assert results == [("right", 0)] * 20
    assert not CodeAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_learner_double_submitting_leaves_one_row():
    results = run_at_once(30, lambda i: api.check_in("same", PROGRAMME, "m1", "s1", "present")[1])
    assert Attendance.objects.count() == 1
    assert results.count("created") == 1 and results.count("already") == 29


@pytest.mark.django_db(transaction=True)
def test_two_hundred_learners_checking_in_at_once_leave_two_hundred_rows():
    run_at_once(200, lambda i: api.check_in(f"learner-{i}", PROGRAMME, "m1", "s1", "present"))
    assert Attendance.objects.count() == 200
    assert Attendance.objects.values("learner_key").distinct().count() == 200


@pytest.mark.django_db(transaction=True)
def test_a_staff_mark_racing_a_code_check_in_leaves_one_row():
    def work(i):
        if i % 2:
            return api.mark_attendance("same", PROGRAMME, "m1", "s1", "absent", "staff")
        return api.check_in("same", PROGRAMME, "m1", "s1", "present")

    run_at_once(20, work)
    assert Attendance.objects.count() == 1
