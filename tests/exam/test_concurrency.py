"""A double click, two tabs, a flaky network: the exam's handlers called at the same moment.

Runs on SQLite and again on MariaDB (``dev.py test``). Each thread is a separate browser with its
own HTTP client and database connection, going through the whole workbench runtime.
"""
import pytest

from kkn_xblocks.records.models import Certificate, ExamAttempt
from tests.checkin.test_attendance_record import run_at_once
from tests.conftest import Workbench

from .conftest import make_eligible, right_answers, start, wrong_answers

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_submits_of_one_attempt_grade_it_once(wb, exam, published):
    make_eligible()
    row = start(wb, exam)
    # Two tabs: one sends the right answers, the other wrong ones. Whichever wins, it wins alone.
    payloads = [right_answers(row), wrong_answers(row)]
    results = run_at_once(2, lambda i: Workbench().post(exam, "submit", {"attempt": 1, "answers": payloads[i]}))
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 409], results
    refused = next(body for status, body in results if status == 409)
    assert refused["error"] == "Det här försöket är redan inlämnat. Inget har ändrats."
    winner = next(i for i, (status, _body) in enumerate(results) if status == 200)
    row.refresh_from_db()
    assert row.status == "submitted" and row.earned == (6 if winner == 0 else 0)
    grade_events = [data for _user, kind, data in published if kind == "grade"]
    assert len(grade_events) == 1 and grade_events[0]["value"] == row.earned / 6
    assert Certificate.objects.count() == (1 if winner == 0 else 0)


def test_a_burst_of_submits_grades_once(wb, exam, published):
    make_eligible()
    row = start(wb, exam)
    results = run_at_once(10, lambda i: Workbench().post(exam, "submit", {"attempt": 1, "answers": right_answers(row)}))
    assert sorted(status for status, _body in results) == [200] + [409] * 9
    assert len([1 for _u, kind, _d in published if kind == "grade"]) == 1
    assert Certificate.objects.count() == 1


def test_a_double_click_on_start_opens_one_attempt(wb, exam):
    make_eligible()
    wb.render(exam)  # her user-state row exists before the burst (the workbench's table has no unique key)
    results = run_at_once(6, lambda i: Workbench().post(exam, "start", {}))
    assert [status for status, _body in results] == [200] * 6
    assert ExamAttempt.objects.count() == 1
