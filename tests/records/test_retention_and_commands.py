"""Retention, the LMS retirement signals and the operator commands of the programme record."""
import json
import sys
import types
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.dispatch import Signal

from kkn_xblocks import clock
from kkn_xblocks.records import api, privacy, signals
from kkn_xblocks.records.models import (
    Certificate, CodeAttempt, ExamAttempt, ModuleSubmission, SharedTask, SharedTaskRevision,
)

from .test_personal_data import HER, OTHER, PROGRAMME, WHEN, all_rows, did_everything, traces

pytestmark = pytest.mark.mariadb


@pytest.fixture
def two_learners(db, fake_clock):  # pylint: disable=unused-argument
    did_everything(HER, HER["texts"])
    did_everything(OTHER)  # same dates as hers; moved below where a test needs a younger row


def test_retention_removes_exactly_what_is_past_its_time_and_keeps_certificates(two_learners, settings):
    settings.KKN_RECORDS_RETENTION_DAYS = {"TASK_TEXTS": 30, "EXAM_ANSWERS": 10}
    # Kalle's rows are younger: inside every time limit.
    young = WHEN + timedelta(days=25)
    ModuleSubmission.objects.filter(learner_key=OTHER["key"]).update(submitted_at=young)
    CodeAttempt.objects.filter(learner_key=OTHER["key"]).update(created_at=WHEN + timedelta(days=31))
    ExamAttempt.objects.filter(learner_key=OTHER["key"]).update(submitted_at=young)
    # The joint task: her version is old, his (the current text) young.
    SharedTaskRevision.objects.filter(learner_key=OTHER["key"]).update(saved_at=young)
    SharedTask.objects.update(updated_at=young)
    before = all_rows()
    now = WHEN + timedelta(days=31, hours=12)  # her rows: 31.5 days old; his: 6.5 days and 12 hours

    done = {r.model: r for r in api.apply_retention(now=now)}

    assert (done["ModuleSubmission"].rows, done["CodeAttempt"].rows, done["ExamAttempt"].rows) == (1, 1, 1)
    assert ModuleSubmission.objects.get(learner_key=HER["key"]).text == ""
    assert ModuleSubmission.objects.get(learner_key=OTHER["key"]).text == "Min text"
    assert list(CodeAttempt.objects.values_list("learner_key", flat=True)) == [OTHER["key"]]
    hers = ExamAttempt.objects.get(learner_key=HER["key"])
    assert (hers.draw, hers.answers, hers.earned, hers.passed) == ([], {}, 1.0, True)
    assert ExamAttempt.objects.get(learner_key=OTHER["key"]).answers == {"q1": ["a"]}
    # Nothing else changed: certificates, completions, attendance, profiles, accommodations.
    after = all_rows()
    changed = {where for where in before if before[where] != after.get(where)}
    assert {table for table, _pk in changed} == {"kkn_records_modulesubmission", "kkn_records_codeattempt",
                                                 "kkn_records_examattempt", "kkn_records_sharedtaskrevision"}
    assert len(changed) == 4
    assert SharedTaskRevision.objects.get(learner_key=HER["key"]).text == ""
    assert SharedTask.objects.get().text != ""
    assert Certificate.objects.count() == 2 and api.certificate_of(HER["key"], PROGRAMME).status(now) == "valid"
    # Daily: the next run finds nothing more.
    assert not any(r.rows for r in api.apply_retention(now=now))


def test_an_open_attempt_keeps_its_answers_however_old(two_learners):
    ExamAttempt.objects.filter(learner_key=HER["key"]).update(status=ExamAttempt.Status.OPEN)
    api.apply_retention(now=WHEN + timedelta(days=3650))
    assert ExamAttempt.objects.get(learner_key=HER["key"]).answers == {"q1": ["a"]}


def test_the_retention_command_prints_what_it_removed_and_dry_run_removes_nothing(two_learners, fake_clock):
    fake_clock.set(WHEN + timedelta(days=400))
    out = StringIO()
    call_command("kkn_apply_retention", "--dry-run", stdout=out)
    assert "Inlämnade utvecklingsuppgifter: 2 rader äldre än 365 dygn skulle få text borttaget" in out.getvalue()
    assert ModuleSubmission.objects.filter(text="").count() == 0
    out = StringIO()
    call_command("kkn_apply_retention", stdout=out)
    lines = out.getvalue().splitlines()
    assert "Inlämnade utvecklingsuppgifter: 2 rader äldre än 365 dygn fick text borttaget" in lines
    assert "Felaktiga incheckningskoder (sparas bara för att begränsa gissningar): 2 rader äldre än 1 dygn raderade" in lines
    assert "Provförsök: 2 rader äldre än 90 dygn fick dragna frågor, svar borttaget" in lines
    assert ModuleSubmission.objects.filter(text="").count() == 2


@pytest.mark.parametrize("setting", [{"TASK_TEXTS": "30"}, {"TASK_TEXT": 30}, {"WRONG_CODES": -1}, [30],
                                     {"EXAM_ANSWERS": True}])
def test_a_wrong_retention_setting_is_refused_in_swedish_and_removes_nothing(two_learners, settings, setting):
    settings.KKN_RECORDS_RETENTION_DAYS = setting
    before = all_rows()
    with pytest.raises(CommandError, match="KKN_RECORDS_RETENTION_DAYS är fel vid .*Ingenting togs bort"):
        call_command("kkn_apply_retention")
    assert all_rows() == before


# --- retirement through the platform's signals --------------------------------------------------

@pytest.fixture
def platform_signals(monkeypatch):
    """The platform's signal module as openedx-platform declares it
    (``openedx/core/djangoapps/user_api/accounts/signals.py``: three plain ``Signal()``)."""
    module = types.ModuleType(signals.PLATFORM_SIGNALS)
    module.USER_RETIRE_MAILINGS = Signal()
    module.USER_RETIRE_LMS_CRITICAL = Signal()
    module.USER_RETIRE_LMS_MISC = Signal()
    parts = signals.PLATFORM_SIGNALS.split(".")
    for depth in range(1, len(parts)):
        monkeypatch.setitem(sys.modules, ".".join(parts[:depth]), types.ModuleType(".".join(parts[:depth])))
    monkeypatch.setitem(sys.modules, signals.PLATFORM_SIGNALS, module)
    assert signals.connect() == ["USER_RETIRE_LMS_CRITICAL", "USER_RETIRE_LMS_MISC"]
    return module


class AccountRetirementView:
    """Stands in for the sender, openedx-platform ``openedx/core/djangoapps/user_api/accounts/views.py``."""


class LMSAccountRetirementView:
    """Stands in for the sender of ``USER_RETIRE_LMS_MISC`` in the same file."""


def _user(key):
    user = get_user_model().objects.create(username=f"u{key}")
    get_user_model().objects.filter(pk=user.pk).update(id=int(key))
    return get_user_model().objects.get(id=int(key))


def test_the_critical_signal_with_its_real_keyword_arguments_retires_her(two_learners, platform_signals):
    user = _user(HER["key"])
    # Exactly as AccountRetirementView.post sends it.
    platform_signals.USER_RETIRE_LMS_CRITICAL.send(
        sender=AccountRetirementView, user=user, retired_username="retired__user_abc",
        retired_email="retired__user_abc@retired.invalid")
    assert not [where for where, row in all_rows().items() if traces(row, HER, HER["texts"])]
    assert api.get_profile(OTHER["key"], PROGRAMME).name == OTHER["name"]


def test_the_misc_signal_retires_her_too_and_both_in_a_row_change_nothing_more(two_learners, platform_signals):
    user = _user(HER["key"])
    # Exactly as LMSAccountRetirementView.post sends it.
    platform_signals.USER_RETIRE_LMS_MISC.send(sender=LMSAccountRetirementView, user=user)
    after = all_rows()
    assert not [where for where, row in after.items() if traces(row, HER, HER["texts"])]
    platform_signals.USER_RETIRE_LMS_CRITICAL.send(sender=AccountRetirementView, user=user,
                                                   retired_username="r", retired_email="r@x.invalid")
    assert all_rows() == after


def test_without_the_platform_nothing_is_connected_and_the_app_works():
    """This test run has no openedx-platform: the app loaded (Django set-up ran its ready()) and
    connecting finds nothing to connect to."""
    assert signals.PLATFORM_SIGNALS not in sys.modules
    assert signals.connect() == []


# --- operator commands ---------------------------------------------------------------------------

def test_the_retire_command_retires_one_learner_and_says_what_it_did(two_learners):
    out = StringIO()
    call_command("kkn_retire_learner", HER["key"], stdout=out)
    assert "Certifikat: 1 rad rensad från personuppgifter" in out.getvalue()
    assert "Felaktiga incheckningskoder (sparas bara för att begränsa gissningar): 1 rad raderad" in out.getvalue()
    assert not [where for where, row in all_rows().items() if traces(row, HER, HER["texts"])]
    out = StringIO()
    call_command("kkn_retire_learner", HER["key"], stdout=out)
    assert "Ingenting ändrades" in out.getvalue()


@pytest.mark.parametrize("key", ["", "   ", "två ord", "x" * 65])
def test_the_commands_refuse_a_key_that_is_not_one(two_learners, key, tmp_path):
    before = all_rows()
    for command, extra in (("kkn_retire_learner", []), ("kkn_register_extract", ["--output", str(tmp_path)])):
        with pytest.raises(CommandError, match="är ingen deltagarnyckel"):
            call_command(command, key, *extra)
    assert all_rows() == before and not list(tmp_path.iterdir())


def test_the_extract_command_writes_json_and_the_swedish_document(two_learners, tmp_path):
    out = StringIO()
    call_command("kkn_register_extract", HER["key"], "--output", str(tmp_path), stdout=out)
    data = json.loads((tmp_path / f"registerutdrag-{HER['key']}.json").read_text(encoding="utf-8"))
    document = (tmp_path / f"registerutdrag-{HER['key']}.md").read_text(encoding="utf-8")
    assert data == json.loads(api.as_json(api.extract_learner(HER["key"], now=clock.now())))
    assert len(data["tables"]) == len(privacy.declared_models())
    assert all(text in document for text in HER["texts"])
    rows, tables = sum(len(t["rows"]) for t in data["tables"]), len(data["tables"])
    assert out.getvalue().startswith(f"{rows} rader från {tables} tabeller skrivna till")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"registerutdrag-{HER['key']}.json",
                                                          f"registerutdrag-{HER['key']}.md"]


def test_the_extract_command_refuses_a_missing_folder(two_learners, tmp_path):
    with pytest.raises(CommandError, match="Mappen .* finns inte"):
        call_command("kkn_register_extract", HER["key"], "--output", str(tmp_path / "saknas"))
