"""Drafts live in the learner's block state; their retention time applies when she opens the module."""
from datetime import datetime, timedelta, timezone

import pytest

from kkn_xblocks.module import DistanceModuleBlock
from kkn_xblocks.module_rules import draft_expired
from kkn_xblocks.records.models import ModuleSubmission

from .conftest import LONG_TEXT

RUN = "course-v1:Kommun+KKN+2026"

pytestmark = pytest.mark.django_db


def test_a_draft_older_than_its_time_is_gone_when_she_opens_the_module(wb, make_module, fake_clock, settings):
    settings.KKN_RECORDS_RETENTION_DAYS = {"DRAFTS": 30}
    usage = make_module()
    assert wb.post(usage, "save_draft", {"text": "Mitt gamla utkast"})[0] == 200
    fake_clock.advance(days=30)
    assert "Mitt gamla utkast" in wb.render(usage)  # exactly 30 days: still within
    fake_clock.advance(minutes=1)
    assert "Mitt gamla utkast" not in wb.render(usage)
    assert (wb.block(usage).draft, wb.block(usage).draft_saved_at) == ("", "")


def test_a_wrong_setting_falls_back_to_the_default_on_the_learners_page(wb, make_module, fake_clock, settings):
    settings.KKN_RECORDS_RETENTION_DAYS = {"DRAFTS": "ett år"}
    usage = make_module()
    wb.post(usage, "save_draft", {"text": "Mitt utkast"})
    fake_clock.advance(days=179)
    assert "Mitt utkast" in wb.render(usage)
    fake_clock.advance(days=2)
    assert "Mitt utkast" not in wb.render(usage)


def test_draft_expiry_rule():
    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    assert not draft_expired((now - timedelta(days=2)).isoformat(), 2, now)
    assert draft_expired((now - timedelta(days=2, seconds=1)).isoformat(), 2, now)
    assert draft_expired("", 2, now) and draft_expired("2026-03-09T00:00:00", 2, now)  # unreadable: expired


@pytest.fixture
def in_run(monkeypatch):
    """The block in a course run, as in the LMS (the workbench's usage ids name no course)."""
    monkeypatch.setattr(DistanceModuleBlock, "course_key_str", property(lambda self: RUN))


def test_a_draft_waits_while_its_course_run_ended_recently(wb, make_module, fake_clock, settings, in_run):
    settings.KKN_RECORDS_RETENTION_DAYS = {"DRAFTS": 30}
    run_end = fake_clock() + timedelta(days=60)
    settings.KKN_COURSE_RUN_ENDS = {RUN: run_end}
    usage = make_module()
    wb.post(usage, "save_draft", {"text": "Mitt utkast i kursen"})
    fake_clock.advance(days=61)  # 61 days after saving, one day after the run ended: kept
    assert "Mitt utkast i kursen" in wb.render(usage)
    fake_clock.advance(days=30)  # 31 days after the run's end
    assert "Mitt utkast i kursen" not in wb.render(usage)
    # A wrong setting never breaks her page: the draft's own date counts.
    settings.KKN_COURSE_RUN_ENDS = {RUN: "i juni"}
    wb.post(usage, "save_draft", {"text": "Nytt utkast"})
    fake_clock.advance(days=31)
    assert "Nytt utkast" not in wb.render(usage)


def test_a_submitted_task_records_its_course_run(wb, make_module, in_run):
    usage = make_module(completion_rule="task")
    assert wb.post(usage, "submit_task", {"text": LONG_TEXT})[0] == 200
    assert ModuleSubmission.objects.get().course_key == RUN


def test_draft_expiry_counts_from_the_end_of_the_run_when_later():
    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    saved = (now - timedelta(days=10)).isoformat()
    assert not draft_expired(saved, 2, now, run_end=now - timedelta(days=1))
    assert draft_expired(saved, 2, now, run_end=now - timedelta(days=3))
    assert draft_expired(saved, 2, now, run_end=now - timedelta(days=30))  # earlier than the draft: its own date
