"""What ``start`` and ``submit`` cost in SQL statements, counted in the real workbench runtime, and
the parsed-bank cache never serving a bank the author has since edited.

The counts are exact so that any new read fails here: each exam field the page needs is one
statement in the workbench's store (``kkn_xblocks/fields.py``: one ``FieldData.get`` per field and
request; XBlock's own fields make two, ``has`` then ``get``), and the record is read once per
request (attempts, accommodation, modules, meetings, certificate, participation).
"""
import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kkn_xblocks import exam_rules, fields
from kkn_xblocks.records.models import BadgeCredential, ExamAttempt

from .conftest import BANK, make_eligible, review_html, right_answers, start, stored_attempt

pytestmark = pytest.mark.django_db

WORKBENCH = '"workbench_xblockstate"'


def statements(call):
    """``(answer, every SQL statement, field reads)``. The workbench writes a changed field after the
    handler as a read of its row and an UPDATE (``WorkbenchDjangoKeyValueStore.set``): the field
    reads are its reads less those."""
    with CaptureQueriesContext(connection) as captured:
        answer = call()
    sql = [q["sql"] for q in captured.captured_queries]
    reads = sum(s.startswith("SELECT") and WORKBENCH in s for s in sql)
    writes = sum(s.startswith("UPDATE") and WORKBENCH in s for s in sql)
    return answer, sql, reads - writes


def record_statements(sql):
    return [s for s in sql if '"kkn_records_' in s]


def test_start_takes_twenty_seven_statements(wb, exam):
    """11 field reads (bank, programme, exam, required modules, meetings, attempts allowed, draw
    count, topics, shuffle, time limit, pass mark; not the wait between attempts before her first is
    submitted, nor the summary, written once the attempt has started), 7 record statements (attempts,
    accommodation, modules, meetings, certificate, participation, the new attempt), the workbench
    saving the summary (5: the read of her state row, its insert in a savepoint, the update; in the
    handler's transaction), and the savepoints of the handler's transaction and of the new attempt
    (4; under the test's own transaction)."""
    make_eligible()
    (status, _body), sql, field_reads = statements(lambda: wb.post(exam, "start", {}))
    assert status == 200 and stored_attempt().number == 1
    assert field_reads == 11
    assert len(record_statements(sql)) == 7
    assert len(sql) == 27


def test_submit_takes_twenty_seven_statements(wb, exam):
    """10 field reads (bank, programme, exam, pass mark, required modules, meetings, certificate
    title and validity, best score, review policy; not the summary, which the submit changes, nor
    the draw count and time limit, not shown once she has passed), 9 record
    statements (her attempts, the graded attempt, participation, accommodation, modules, meetings,
    certificate, the issued certificate and its credential, signed from the row in hand),
    the grade and the summary saved in the handler's transaction (4) and the savepoints (4: the
    handler's, and the certificate's, which its credential is written in)."""
    make_eligible()
    row = start(wb, exam)
    (status, body), sql, field_reads = statements(
        lambda: wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)}))
    assert status == 200 and body["passed"] and "Du är godkänd på provet" in body["html"]
    assert field_reads == 10
    assert len(record_statements(sql)) == 9
    assert BadgeCredential.objects.filter(learner_key="local:student_1").count() == 1  # issued with it
    assert len(sql) == 27


def test_the_page_after_passing_reads_no_attempt_setting(wb, exam, monkeypatch):
    """Once she has passed, how the exam is taken (attempts allowed, the wait, the number of
    questions, the time limit) does not show on the page: not read."""
    make_eligible()
    row = start(wb, exam)
    assert wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})[1]["passed"]
    seen = []
    real = fields._OneRead.__get__  # pylint: disable=protected-access

    def get(field, instance, owner):
        if instance is not None:
            seen.append(field.name)
        return real(field, instance, owner)

    monkeypatch.setattr(fields._OneRead, "__get__", get)  # pylint: disable=protected-access
    html = wb.render(exam)
    assert "Du är godkänd på provet" in html and "review_policy" in seen
    assert "attempts_allowed" not in seen and "wait_minutes_between_attempts" not in seen
    assert "draw_count" not in seen and "time_limit_minutes" not in seen and "Om provet" not in html


def test_an_edited_bank_is_used_at_once(wb, exam):
    """The parsed bank is cached by its content (``exam_rules.usable_bank``): once the author fixes the
    answer key or a question, the next request grades and shows the new one, in the same process."""
    make_eligible()
    row = start(wb, exam)
    assert exam_rules.usable_bank(BANK) is exam_rules.usable_bank(copy.deepcopy(BANK))  # cached by content
    edited = copy.deepcopy(BANK)
    for option in edited[0]["options"]:  # q1: the author moves the right answer to another option
        option["correct"] = option["id"] == "fel-q1-0"
    edited[1]["text"] = "Fråga **q2** i ny lydelse?"
    block = wb.block(exam)
    block.questions = edited
    block.save()
    status, body = wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})
    assert status == 200
    graded = ExamAttempt.objects.get(pk=row.pk)
    assert (graded.earned, graded.possible) == (5.0, 6.0)  # q1 (1 point) now wrong by the fixed key
    assert "Fråga <strong>q2</strong> i ny lydelse?" in review_html(wb, exam, wb.render(exam))


def test_the_page_grades_an_attempt_whose_time_ran_out_reading_her_attempts_once(wb, exam, fake_clock):
    """She left during her attempt; the page she comes back to grades what was saved, and shows it
    with the attempt closed as the grading left it, without reading her attempts again."""
    make_eligible()
    row = start(wb, exam)
    wb.post(exam, "save_answers", {"attempt": row.number, "answers": right_answers(row)})
    fake_clock.advance(minutes=31)
    with CaptureQueriesContext(connection) as captured:
        html = wb.render(exam)
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "kkn_records_examattempt"' in sql for sql in reads) == 1
    assert stored_attempt().status == "submitted" and stored_attempt().submitted_by == "deadline"
    assert "Försök 1: godkänt" in html and 'data-role="attempt"' not in html
