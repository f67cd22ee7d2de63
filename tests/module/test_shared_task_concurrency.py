"""Two participants of one municipality saving the shared task at the same moment, through the
whole handler (each thread is a browser with its own HTTP client and database connection).

Runs on SQLite and again on MariaDB (``dev.py test``): the version check is one conditional
UPDATE, which MariaDB's row lock serialises, so exactly one save per version wins.
"""
import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import SharedTask, SharedTaskRevision
from kkn_xblocks.scenarios.module import PROGRAMME
from tests.checkin.test_attendance_record import run_at_once
from tests.conftest import Workbench

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

USERS = ("student_1", "student_2")
ROUNDS = 8


@pytest.fixture
def shared(make_module):
    api.save_profile("local:student_1", PROGRAMME, "Anna Lindqvist", "Ystad", "culture", "Skåne")
    api.save_profile("local:student_2", PROGRAMME, "Erik Johansson", "Ystad", "business", "Skåne")
    return make_module(task_mode="municipality", completion_rule="task")


def test_two_saves_of_one_version_at_once_one_wins_the_other_gets_both_texts(shared):
    texts = ["Anna skriver om kulturen.", "Erik skriver om näringslivet."]
    results = run_at_once(2, lambda i: Workbench().post(
        shared, "shared_save", {"text": texts[i], "version": 0}, user=USERS[i]))
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 409]
    lost = next(body for status, body in results if status == 409)
    stored = SharedTask.objects.get().text
    assert lost["conflict"] and lost["current_text"] == stored and lost["version"] == 1
    assert {lost["your_text"], stored} == set(texts)  # neither text is lost: one stored, one handed back
    assert list(SharedTaskRevision.objects.values_list("version", "text")) == [(1, stored)]


def test_writing_together_loses_no_line_and_the_history_has_every_version(shared):
    """Each writes ROUNDS lines, saving after each; on a conflict she merges her line into the
    current text and saves again, as the page asks her to."""

    def write(i):
        client = Workbench()
        conflicts = 0
        for number in range(ROUNDS):
            line = f"{USERS[i]} rad {number}"
            state = api.shared_task(PROGRAMME, "modul-1", "Ystad")
            text, version = (state.text + "\n" + line).strip(), state.version
            while True:
                status, body = client.post(shared, "shared_save", {"text": text, "version": version}, user=USERS[i])
                if status == 200:
                    break
                assert status == 409 and body["conflict"], body
                conflicts += 1
                text, version = body["current_text"] + "\n" + line, body["version"]
        return conflicts

    run_at_once(2, write)
    final = SharedTask.objects.get()
    lines = final.text.splitlines()
    assert sorted(lines) == sorted(f"{user} rad {n}" for user in USERS for n in range(ROUNDS))
    revisions = list(SharedTaskRevision.objects.order_by("version").values_list("version", "learner_key", "text"))
    assert [v for v, _k, _t in revisions] == list(range(1, final.version + 1))
    assert final.version == 2 * ROUNDS  # one version per line: no save overwrote another
    assert revisions[-1][2] == final.text
    for (_v, _k, before), (_w, _l, after) in zip(revisions, revisions[1:]):
        assert set(before.splitlines()) <= set(after.splitlines())  # each version keeps every earlier line


def test_the_last_two_approvals_at_once_submit_the_task_once_and_credit_both(shared):
    text = " ".join(["Gemensam text om kulturella och kreativa näringar i Ystad."] * 30)
    status, body = Workbench().post(shared, "shared_save", {"text": text, "version": 0}, user="student_1")
    assert status == 200, body
    results = run_at_once(2, lambda i: Workbench().post(shared, "shared_approve", {"version": 1}, user=USERS[i]))
    assert [status for status, _body in results] == [200, 200], results
    assert any(body["submitted"] for _status, body in results)
    state = api.shared_task(PROGRAMME, "modul-1", "Ystad")
    assert state.submitted and len(state.approvals) == 2
    assert SharedTask.objects.get().submitted_version == 1
    from kkn_xblocks.records.models import ModuleCompletion, ModuleSubmission
    assert sorted(ModuleSubmission.objects.values_list("learner_key", flat=True)) == [
        "local:student_1", "local:student_2"]
    assert sorted(ModuleCompletion.objects.values_list("learner_key", flat=True)) == [
        "local:student_1", "local:student_2"]


def test_two_last_approvals_in_request_long_transactions_still_submit_once(shared):
    """Each approval inside a longer transaction (as any view under Tutor's ``ATOMIC_REQUESTS`` runs):
    it is committed only when that transaction ends. The task row's lock makes the second approver
    wait for the first one's commit, so she counts both approvals; without the lock neither sees the
    other's on MariaDB (checked by removing it)."""
    import threading

    from django.db import transaction

    text = " ".join(["Gemensam text om kulturella och kreativa näringar i Ystad."] * 30)
    api.save_shared_task(PROGRAMME, "modul-1", "Ystad", 0, text, 270, "local:student_1", "Anna Lindqvist")
    both_approved = threading.Barrier(2, timeout=2)
    roles = {"local:student_1": "culture", "local:student_2": "business"}

    def approve(i):
        key = f"local:{USERS[i]}"
        with transaction.atomic():  # the rest of the request: nothing is committed before it ends
            state, credited = api.approve_shared_task(
                PROGRAMME, "modul-1", "Ystad", 1, key, key, roles[key],
                lambda approvals: {a.role for a in approvals} >= {"culture", "business"}, 270)
            try:
                both_approved.wait()  # only reached by both when the lock did not make one wait
            except threading.BrokenBarrierError:
                pass
        return credited

    results = run_at_once(2, approve)
    assert sorted(len(credited) for credited in results) == [0, 2]
    assert api.shared_task(PROGRAMME, "modul-1", "Ystad").submitted
