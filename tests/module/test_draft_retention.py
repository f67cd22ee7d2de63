"""Drafts live in the learner's block state; their retention time applies when she opens the module."""
from datetime import datetime, timedelta, timezone

import pytest

from kkn_xblocks.module_rules import draft_expired

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
