"""Her state in the runtime (the published best score, the summary) and the record commit or roll
back together: a JSON handler saves the block's changed fields in its own transaction
(``kkn_xblocks/handlers.py``, ``_in_one_transaction``), and forgets them when it rolls back, before
XBlock's ``Runtime.handle`` (xblock/runtime.py) would save them after the handler."""
import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from kkn_xblocks.exam import CertificationExamBlock
from kkn_xblocks.handlers import Refusal
from kkn_xblocks.records.models import Certificate, ExamAttempt

from .conftest import make_eligible, right_answers, start, stored_attempt

pytestmark = pytest.mark.django_db


def test_the_state_is_saved_inside_the_handler_transaction(wb, exam):
    make_eligible()
    row = start(wb, exam)
    with CaptureQueriesContext(connection) as captured:
        status, body = wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})
    assert status == 200 and body["passed"]
    sql = [q["sql"] for q in captured.captured_queries]
    # The handler's transaction is a savepoint under the test's: its release is the last statement,
    # after both fields were written.
    assert sql[0].startswith("SAVEPOINT") and sql[-1].startswith("RELEASE SAVEPOINT")
    assert sum(s.startswith('UPDATE "workbench_xblockstate"') for s in sql) == 2
    block = wb.block(exam)
    assert block.raw_earned == 1.0 and block.summary["passed"] and block.summary["attempts"] == 1


def test_a_request_rolled_back_leaves_neither_record_nor_state(wb, exam, monkeypatch):
    """The page after a graded submit fails to build: the attempt stays open, no certificate is
    issued, and the runtime does not keep the score and summary the handler had mirrored."""
    make_eligible()
    row = start(wb, exam)
    summary_after_start = wb.block(exam).summary
    assert summary_after_start == {"attempts": 1, "best_percent": None, "passed": False, "certificate": ""}

    def fail(block, person, sync=True, situation=None):
        assert block.raw_earned == 1.0  # set by the handler, then thrown away with the transaction
        raise Refusal(503, "The page could not be built.")

    with monkeypatch.context() as patch:
        patch.setattr(CertificationExamBlock, "_learner_html", fail)
        status, body = wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})
    assert status == 503 and body["error"] == "The page could not be built."
    assert stored_attempt().status == "open" and not Certificate.objects.exists()
    block = wb.block(exam)
    assert block.raw_earned is None and block.summary == summary_after_start

    # She submits again: graded once, now with its state.
    status, body = wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})
    assert status == 200 and body["passed"] and wb.block(exam).raw_earned == 1.0
    assert Certificate.objects.count() == 1


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_a_handler_that_changed_her_state_before_a_deadlock_is_not_run_again(wb, make_exam, monkeypatch):
    """``start`` mirrors her new attempt in the block's summary before it builds the page: with that
    change on the block, a repeat would start from a summary the rollback did not undo."""
    exam = make_exam()
    make_eligible()
    before = wb.block(exam).summary
    pages = []

    def deadlocked(block, person, sync=True, situation=None):
        pages.append(block.summary)
        raise OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")

    monkeypatch.setattr(CertificationExamBlock, "_learner_html", deadlocked)
    status, body = wb.post(exam, "start", {})
    assert status == 503 and body["error"].startswith("Många sparar samtidigt")
    assert len(pages) == 1 and pages[0]["attempts"] == 1  # changed on the block, then the deadlock
    assert not ExamAttempt.objects.exists() and wb.block(exam).summary == before
