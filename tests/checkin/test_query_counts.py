"""How many SQL statements a check-in and the facilitator's panel take, counted (never timed), so
that a change which reads a field twice, reads the record again after writing it, or renders the
roster with a query per participant fails here.

In the local runtime every field read is a query (xblock-sdk ``workbench/runtime.py``:
``WorkbenchDjangoKeyValueStore.get`` calls ``XBlockState.get_for_key``); the blocks read each field
with one look-up (the field types of ``kkn_xblocks/fields.py``). The test database wraps each test in a
transaction, so the handler's own transaction shows as a SAVEPOINT and its RELEASE.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kkn_xblocks.records import api

from .conftest import PROGRAMME, set_profile, staff_code

pytestmark = pytest.mark.django_db

FIELD_STATE = "workbench_xblockstate"


def _post(wb, usage, handler, data, user):
    with CaptureQueriesContext(connection) as captured:
        status, body = wb.post(usage, handler, data, user=user)
    assert status == 200, body
    return body, [query["sql"] for query in captured.captured_queries]


def _field_reads(statements):
    """The SELECTs of the runtime's field store: one per field read, and one per state row written."""
    return [sql for sql in statements if sql.startswith("SELECT") and FIELD_STATE in sql]


def test_a_new_check_in_reads_each_field_once_and_the_record_once(wb, meeting):
    """18 statements: the handler's transaction (2); six settings and content fields, her state
    and the weight, one look-up each (8); her profile, read with the lock the wrong-code limit
    needs (1); her wrong codes in the window (1); her rows for the meeting, read once and brought
    up to date after the insert (1); the insert, in a savepoint for concurrent submits (3); her
    state here, a read and an update (2), written in the handler's transaction so that it commits
    with her row in the record. Before: 27 (every set field read twice, the profile and the lock
    apart, her rows read again after the insert, her state written after the commit)."""
    set_profile(wb, meeting)
    code = staff_code(wb, meeting)
    body, statements = _post(wb, meeting, "check_in", {"code": code}, "student_1")
    assert body["status"] == "present"
    assert len(_field_reads(statements)) == 8 + 1
    assert len(statements) == 18, "\n".join(statements)
    assert sum("kkn_records_attendance" in sql and sql.startswith("SELECT") for sql in statements) == 1
    state_written = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE") and FIELD_STATE in sql)
    assert state_written < len(statements) - 1 and statements[-1].startswith("RELEASE SAVEPOINT")


def test_checking_in_again_writes_nothing(wb, meeting):
    """12 statements: the transaction (2); the six fields and her state, one look-up each (7); her
    profile with the lock (1); her wrong codes (1); her rows for the meeting (1). No write, not even
    of her state: nothing changed. Before: 21."""
    set_profile(wb, meeting)
    code = staff_code(wb, meeting)
    assert wb.post(meeting, "check_in", {"code": code})[0] == 200
    body, statements = _post(wb, meeting, "check_in", {"code": code}, "student_1")
    assert body["message"].startswith("Du hade redan checkat in")
    assert not [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(_field_reads(statements)) == 7
    assert len(statements) == 12, "\n".join(statements)


def _panel_statements(wb, usage, meeting_id, participants):
    for i in range(participants):
        key = f"bulk-{meeting_id}-{i}"
        api.save_profile(key, PROGRAMME, f"Deltagare <{i}>", "Ystad", "culture", "Skåne")
        if i % 2:
            api.check_in(key, PROGRAMME, meeting_id, "skane-2", "present")
    body, statements = _post(wb, usage, "panel", {"session_id": "skane-2"}, "staff")
    return body["html"], statements


def test_the_panel_takes_eight_statements_whatever_the_number_of_participants(wb, make_meeting):
    """8 statements: the six fields the panel reads, one look-up each (6); the roster (2). No
    transaction: the panel only reads (``json_handler(writes=False)``), so it takes no write lock.
    Before: 15."""
    few_html, few = _panel_statements(wb, make_meeting(), "traff-2", 5)
    many_html, many = _panel_statements(wb, make_meeting(meeting_id="traff-3"), "traff-3", 120)
    assert len(few) == len(many) == 8, "\n".join(many)
    assert len(_field_reads(many)) == 6
    assert not [sql for sql in many if not sql.startswith("SELECT")]
    # Everyone of the programme in the session's region is expected: the first five as well.
    assert "5 deltagare" in few_html and "125 deltagare" in many_html
    assert "Deltagare &lt;119&gt;" in many_html and "<119>" not in many_html


def test_the_code_for_the_projector_only_reads(wb, meeting):
    """5 statements, the five fields it reads (before: 12, the transaction and each field twice)."""
    body, statements = _post(wb, meeting, "staff_code", {"session_id": "skane-2"}, "staff")
    assert len(body["code"]) == 7
    assert len(statements) == len(_field_reads(statements)) == 5, "\n".join(statements)


def test_marking_reads_her_name_once(wb, meeting):
    """Marking: the four fields (4); her name, which also says she takes part (1); the mark, read
    then written in a savepoint (4); the roster (2); the transaction (2). Before: 17."""
    set_profile(wb, meeting, user="student_2")
    body, statements = _post(wb, meeting, "mark", {"session_id": "skane-2", "learner_key": "local:student_2",
                                                   "status": "excused"}, "staff")
    assert body["message"].startswith("Erik Johansson: ")
    assert len(_field_reads(statements)) == 4
    assert len(statements) == 13, "\n".join(statements)
