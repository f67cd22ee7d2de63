"""The programme record's module side: idempotent completions, progress, reports, concurrency.

The concurrency tests run on SQLite and again on a real MariaDB server (``dev.py test``), because
SQLite serialises writers and would hide races that Open edX's MySQL shows.
"""
import os
import threading
from datetime import datetime, timezone

import pytest
from django.db import connection

from kkn_xblocks.records import api
from kkn_xblocks.records.models import ModuleCompletion, ModuleSubmission, Participation

# Every test here runs on SQLite and again on MariaDB.
pytestmark = pytest.mark.mariadb

PROGRAMME = "prog"
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def run_at_once(count, work):
    """Run ``work(i)`` in ``count`` threads released together; re-raise any thread's error."""
    barrier = threading.Barrier(count)
    errors = []

    def target(i):
        try:
            barrier.wait()
            work(i)
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


@pytest.mark.django_db
def test_the_database_is_the_one_the_run_asked_for():
    expected = "mysql" if os.environ.get("KKN_TEST_DB") == "mariadb" else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_completion_is_recorded_once_and_keeps_the_first_time():
    first, created = api.record_completion("l1", PROGRAMME, "m1", "1", "Modul 1", when=WHEN)
    again, created_again = api.record_completion("l1", PROGRAMME, "m1", "2", "Modul 1 ny", when=datetime.now(timezone.utc))
    assert created and not created_again
    assert first == again == WHEN
    row = ModuleCompletion.objects.get()
    assert (row.module_version, row.module_title) == ("1", "Modul 1")


@pytest.mark.django_db
def test_progress_follows_programme_order_and_ignores_other_programmes():
    modules = ["m1", "m2", "m3"]
    api.record_completion("l1", PROGRAMME, "m3", "1", "Tre")
    api.record_completion("l1", PROGRAMME, "m1", "1", "Ett")
    api.record_completion("l1", "other", "m2", "1", "Annat program")
    api.record_completion("l2", PROGRAMME, "m2", "1", "Annan deltagare")
    progress = api.programme_progress("l1", PROGRAMME, modules)
    assert (progress.done, progress.total) == (2, 3)
    assert [c.module_id for c in progress.completed] == ["m1", "m3"]
    assert progress.missing == ("m2",)
    assert progress.is_complete("m3") and not progress.is_complete("m2")


@pytest.mark.django_db
@pytest.mark.parametrize("module_count", [6, 60])
def test_progress_takes_one_query_whatever_the_module_count(module_count, django_assert_num_queries):
    modules = [f"m{i}" for i in range(module_count)]
    for module_id in modules[::2]:
        api.record_completion("l1", PROGRAMME, module_id, "1")
    with django_assert_num_queries(1):
        progress = api.programme_progress("l1", PROGRAMME, modules)
    assert progress.done == module_count // 2


@pytest.mark.django_db
def test_submission_keeps_the_latest_text_in_one_row():
    api.submit_task("l1", PROGRAMME, "m1", "första", 1, when=WHEN)
    api.submit_task("l1", PROGRAMME, "m1", "andra versionen", 2)
    assert ModuleSubmission.objects.count() == 1
    text, _at = api.submitted_task("l1", PROGRAMME, "m1")
    assert text == "andra versionen"


@pytest.mark.django_db
def test_join_programme_refreshes_the_name_without_a_second_row():
    api.join_programme("l1", PROGRAMME, "Anna")
    api.join_programme("l1", PROGRAMME, "Anna Lindqvist")
    api.join_programme("l1", PROGRAMME, "")
    assert list(Participation.objects.values_list("name", flat=True)) == ["Anna Lindqvist"]


@pytest.mark.django_db
def test_join_programme_writes_nothing_when_she_has_joined_with_that_name():
    """Called on every exam start and submit: a plain read, no write transaction, when nothing changes."""
    from django.test.utils import CaptureQueriesContext
    api.join_programme("l1", PROGRAMME, "Anna")
    for name in ("Anna", ""):
        with CaptureQueriesContext(connection) as captured:
            row = api.join_programme("l1", PROGRAMME, name)
        assert row.name == "Anna"
        assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SELECT"]


@pytest.mark.django_db
def test_module_report_lists_submitters_and_completers_in_three_queries(django_assert_num_queries):
    for i in range(30):
        api.join_programme(f"l{i}", PROGRAMME, f"Deltagare {i:02}")
        api.submit_task(f"l{i}", PROGRAMME, "m1", "text", 10)
        if i % 3 == 0:
            api.record_completion(f"l{i}", PROGRAMME, "m1", "1")
    api.record_completion("ghost", PROGRAMME, "m1", "1")  # completed without a submission (self-check rule)
    with django_assert_num_queries(3):
        rows = api.module_report(PROGRAMME, "m1")
    assert len(rows) == 31
    assert sum(1 for r in rows if r.completed_at) == 11
    assert rows[0].name == "" and rows[0].learner_key == "ghost"
    assert rows[1].name == "Deltagare 00"


@pytest.mark.django_db(transaction=True)
def test_fifty_threads_completing_the_same_module_leave_one_completion():
    run_at_once(50, lambda i: api.record_completion("same", PROGRAMME, "m1", str(i), f"v{i}"))
    assert ModuleCompletion.objects.filter(learner_key="same").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_hundred_learners_at_once_leave_one_completion_each():
    def complete(i):
        api.join_programme(f"learner-{i}", PROGRAMME, f"Deltagare {i}")
        api.submit_task(f"learner-{i}", PROGRAMME, "m1", "text", 1)
        api.record_completion(f"learner-{i}", PROGRAMME, "m1", "1")

    run_at_once(200, complete)
    assert ModuleCompletion.objects.count() == 200
    assert ModuleSubmission.objects.count() == 200
    assert Participation.objects.count() == 200
    assert ModuleCompletion.objects.values("learner_key").distinct().count() == 200
