"""A crowd at the door: the check-in handler itself, called by many browsers at the same moment.

Runs on SQLite and again on MariaDB (``dev.py test``). Each thread is a separate browser with its
own HTTP client and database connection, going through the whole workbench runtime.
"""
import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import Attendance, CodeAttempt
from tests.conftest import Workbench

from .conftest import MEETING, PROGRAMME, staff_code
from .test_attendance_record import run_at_once

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

CROWD = 200


def post_check_in(usage, user, code):
    return Workbench().post(usage, "check_in", {"code": code}, user=user)


def test_two_hundred_learners_checking_in_at_once_leave_two_hundred_rows(wb, meeting):
    for i in range(CROWD):
        api.save_profile(f"local:p{i}", PROGRAMME, f"Deltagare {i}", "Ystad", "culture", "Skåne")
    code = staff_code(wb, meeting)
    results = run_at_once(CROWD, lambda i: post_check_in(meeting, f"p{i}", code))
    assert [status for status, _body in results] == [200] * CROWD, [b for s, b in results if s != 200][:3]
    assert {body["status"] for _status, body in results} == {"present"}
    assert Attendance.objects.filter(meeting_id=MEETING["meeting_id"], session_id="skane-2").count() == CROWD
    assert Attendance.objects.values("learner_key").distinct().count() == CROWD
    assert CodeAttempt.objects.count() == 0


def test_one_learner_double_submitting_leaves_one_row(wb, meeting):
    api.save_profile("local:student_1", PROGRAMME, "Anna Lindqvist", "Lund", "culture", "Skåne")
    # The workbench keeps XBlock user state in a table without a unique key (the LMS's StudentModule
    # has one), so her state row is created before the burst; the record's uniqueness is under test.
    wb.render(meeting, user="student_1")
    code = staff_code(wb, meeting)
    results = run_at_once(12, lambda i: post_check_in(meeting, "student_1", code))
    assert [status for status, _body in results] == [200] * 12
    messages = sorted(body["message"] for _status, body in results)
    assert messages.count("Du är incheckad på Malmö, Moriskan. Välkommen!") == 1
    assert messages.count("Du hade redan checkat in: Närvarande.") == 11
    assert Attendance.objects.count() == 1


def test_concurrent_wrong_codes_cannot_beat_the_limit(wb, meeting):
    api.save_profile("local:student_1", PROGRAMME, "Anna Lindqvist", "Lund", "culture", "Skåne")
    results = run_at_once(20, lambda i: post_check_in(meeting, "student_1", "ACD 347"))
    statuses = [status for status, _body in results]
    assert (statuses.count(400), statuses.count(429)) == (5, 15)
    assert CodeAttempt.objects.count() == 5
    assert not Attendance.objects.exists()
