"""A handler whose transaction loses a deadlock runs again; what cannot be run again is a translated
503 that says nothing was saved, and the record holds nothing of the lost run. (A handler that had
changed her state on the block is not run again: tests/exam/test_state_with_record.py.)

MariaDB chose a real save of the shared task as a deadlock's victim in CI: two participants of a
municipality each inserting its not yet existing task row, just after an earlier row of that key
had been deleted (InnoDB's shared locks on a deleted row of the key, then the inserts' wait for
each other): ``OperationalError(1213, 'Deadlock found when trying to get lock; try restarting
transaction')`` and a 500. The last test makes a real deadlock on MariaDB, every time; the others
raise the database's error right after the handler's record write, so that its rollback is tested
too, with what Django raises for it (django/db/utils.py wraps MySQLdb's error with the same
``args``). They run on SQLite and on MariaDB, outside any test transaction, as the LMS runs a
handler (see ``kkn_xblocks/handlers.py``).
"""
import threading

import pytest
from django.db import OperationalError, connection, transaction

from kkn_xblocks.handlers import DEADLOCK_RETRIES
from kkn_xblocks.records import api
from kkn_xblocks.records.models import Participation, SharedTask, SharedTaskRevision
from kkn_xblocks.scenarios.module import PROGRAMME
from tests.checkin.test_attendance_record import run_at_once
from tests.conftest import Workbench

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

DEADLOCK = (1213, "Deadlock found when trying to get lock; try restarting transaction")
LOCK_WAIT_TIMEOUT = (1205, "Lock wait timeout exceeded; try restarting transaction")
BUSY = "Många sparar samtidigt, så inget sparades den här gången. Vänta några sekunder och försök igen."


@pytest.fixture
def shared(make_module):
    api.save_profile("local:student_1", PROGRAMME, "Anna Lindqvist", "Ystad", "culture", "Skåne")
    api.save_profile("local:student_2", PROGRAMME, "Erik Johansson", "Ystad", "business", "Skåne")
    return make_module(task_mode="municipality", completion_rule="task")


@pytest.fixture
def lose(monkeypatch):
    """``lose(error_args, times)``: the shared task's save writes its row and revision, then the
    database answers with ``error_args`` for the first ``times`` saves. Returns the list of calls."""

    def install(error_args, times):
        calls = []
        real = api.save_shared_task

        def save(*args, **kwargs):
            calls.append(args)
            result = real(*args, **kwargs)
            if len(calls) <= times:
                assert SharedTaskRevision.objects.count() == 1  # written, in the handler's transaction
                raise OperationalError(*error_args)
            return result

        monkeypatch.setattr(api, "save_shared_task", save)
        return calls

    return install


def test_a_save_that_loses_a_deadlock_runs_again_and_is_stored_once(wb, shared, lose):
    calls = lose(DEADLOCK, times=1)
    status, body = wb.post(shared, "shared_save", {"text": "Kulturen i Ystad.", "version": 0})
    assert status == 200, body
    assert body["version"] == 1 and len(calls) == 2
    assert list(SharedTaskRevision.objects.values_list("version", "text")) == [(1, "Kulturen i Ystad.")]
    assert SharedTask.objects.get().text == "Kulturen i Ystad."


def test_deadlocks_every_time_end_in_a_translated_503_and_nothing_stored(wb, shared, lose, caplog):
    calls = lose(DEADLOCK, times=99)
    status, body = wb.post(shared, "shared_save", {"text": "Kulturen i Ystad.", "version": 0})
    assert (status, body) == (503, {"error": BUSY})
    assert "kkn_module.shared_save answered 503: deadlock" in caplog.text  # for the operator (docs)
    assert len(calls) == 1 + DEADLOCK_RETRIES
    assert not SharedTaskRevision.objects.exists() and not SharedTask.objects.exists()


def test_a_lock_wait_that_timed_out_is_not_repeated(wb, shared, lose):
    calls = lose(LOCK_WAIT_TIMEOUT, times=99)
    status, body = wb.post(shared, "shared_save", {"text": "Kulturen i Ystad.", "version": 0})
    assert (status, body) == (503, {"error": BUSY}) and len(calls) == 1
    assert not SharedTaskRevision.objects.exists()


def test_a_handler_inside_a_longer_transaction_is_not_repeated(wb, shared, lose):
    """A deadlock rolled back the whole transaction, not only the handler's part: a repeat inside it
    would write what the rest of it no longer holds."""
    calls = lose(DEADLOCK, times=1)
    with transaction.atomic():
        status, body = wb.post(shared, "shared_save", {"text": "Kulturen i Ystad.", "version": 0})
    assert (status, body) == (503, {"error": BUSY}) and len(calls) == 1


def test_any_other_database_error_is_not_taken_for_a_lost_lock(wb, shared, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError(1054, "Unknown column 'text' in 'field list'")

    monkeypatch.setattr(api, "save_shared_task", broken)
    with pytest.raises(OperationalError):
        wb.post(shared, "shared_save", {"text": "Kulturen i Ystad.", "version": 0})



def test_a_real_deadlock_between_two_saves_is_run_again(shared, monkeypatch, caplog):
    """Two saves at once, each first locking both participants' rows in the opposite order: on
    MariaDB a real deadlock, whose victim the database rolls back; its handler runs again and meets
    the other's version, as any late save does (409, both texts). On SQLite the second save waits
    for the first's transaction instead (``transaction_mode`` IMMEDIATE), so nobody is a victim."""
    mariadb = connection.vendor == "mysql"
    both_hold_one = threading.Barrier(2, timeout=10)
    rows = [Participation.objects.get(learner_key=f"local:student_{n}").pk for n in (1, 2)]
    calls = []
    real = api.save_shared_task

    def save(programme_id, module_id, municipality, base_version, text, word_count, learner_key, *rest, **kwargs):
        calls.append(learner_key)
        if mariadb and len(calls) <= 2:  # each thread's first run: lock one row, then the other
            first, second = rows if learner_key == "local:student_1" else rows[::-1]
            Participation.objects.select_for_update().get(pk=first)
            both_hold_one.wait()
            Participation.objects.select_for_update().get(pk=second)
        return real(programme_id, module_id, municipality, base_version, text, word_count, learner_key, *rest,
                    **kwargs)

    monkeypatch.setattr(api, "save_shared_task", save)
    texts = ["Anna skriver om kulturen.", "Erik skriver om näringslivet."]
    results = run_at_once(2, lambda i: Workbench().post(
        shared, "shared_save", {"text": texts[i], "version": 0}, user=f"student_{i + 1}"))
    assert sorted(status for status, _body in results) == [200, 409], results
    late = next(body for status, body in results if status == 409)
    assert late["conflict"] and late["version"] == 1
    assert {late["your_text"], SharedTask.objects.get().text} == set(texts)
    assert SharedTaskRevision.objects.count() == 1
    if mariadb:
        assert len(calls) == 3 and "shared_save lost a deadlock; run again (1)" in caplog.text
