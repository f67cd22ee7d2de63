"""The hostile requests of issue 14, each answered with a translated 4xx and no record written.

Every JSON handler of every block is found by ``harness.all_json_handlers``; the LMS contracts the
limits rely on are cited in ``kkn_xblocks/handlers.py``.
"""
import json

import pytest

from kkn_xblocks.handlers import MAX_BODY_BYTES, MAX_DEPTH, nesting_depth
from kkn_xblocks.studio import value_to_text

from . import harness
from .harness import LEARNER, STAFF, assert_refusal_is_sound, record_tables

DEEP = '{"answers":' + "[" * 950 + "]" * 950 + "}"


def test_every_block_has_json_handlers():
    found = harness.all_json_handlers()
    assert {tag for tag, _name in found} >= {"kkn_module", "kkn_checkin", "kkn_exam"}
    assert ("kkn_module", "submit_task") in found and ("kkn_exam", "revoke") in found


@pytest.mark.parametrize("user", harness.ROLES)
@pytest.mark.parametrize("tag,handler", harness.all_json_handlers())
def test_deep_nesting_is_refused_by_every_handler(wb, fake_clock, tag, handler, user):
    usage = harness.first_scenario_usage(wb, tag)
    before = record_tables()
    status, body = wb.post(usage, handler, raw=DEEP, user=user)
    if status == 403:  # a rights check the block makes before its handler reads the body
        assert user == LEARNER
    else:
        assert (status, body["error"]) == (400, "Anropet kunde inte läsas. Ladda om sidan och försök igen.")
    assert_refusal_is_sound(status, body, before, record_tables())


def test_nesting_depth_is_measured_without_parsing():
    assert nesting_depth(b'{"a": [1, {"b": []}]}') == 4
    assert nesting_depth(b'{"a": "[[[[[[[[[[[[[[[[[[[["}') == 1  # brackets inside text do not count
    assert nesting_depth(b'{"a": "\\"[[[[[[[[[[[[[[[[[["}') == 1
    assert nesting_depth(DEEP.encode()) == 951
    # unterminated strings (full of escaped quotes, ending in a backslash) hide what follows them
    assert nesting_depth(b'{"a": "' + b'\\"[' * 1000) == 1
    assert nesting_depth(b'["x\\') == 1
    assert MAX_DEPTH >= 3  # {"answers": {"q1": ["a"]}} is the deepest real request


LONE_SURROGATE = "Bra text \ud800 och mer"


def _post_raw(wb, usage, handler, data, user):
    return wb.post(usage, handler, raw=json.dumps(data), user=user)  # json.dumps writes "\ud800"


@pytest.mark.mariadb  # MySQL refuses what cannot be encoded: the test must hold there too
@pytest.mark.parametrize("tag,handler,user,data", [
    ("kkn_module", "submit_task", LEARNER, {"text": LONE_SURROGATE}),
    ("kkn_exam", "accommodate", STAFF, {"learner_key": LONE_SURROGATE, "extra_minutes": 10, "exempt": False,
                                        "reason": "Intyg"}),
    ("kkn_exam", "revoke", STAFF, {"code": "KKN-AAAA-AAAA", "reason": LONE_SURROGATE}),
    ("kkn_checkin", "mark", STAFF, {"session_id": "skane-1", "learner_key": LONE_SURROGATE, "status": "present"}),
])
def test_lone_surrogates_never_reach_the_database(wb, fake_clock, tag, handler, user, data):
    usage = harness.first_scenario_usage(wb, tag)
    before = record_tables()
    status, body = _post_raw(wb, usage, handler, data, user)
    assert status == 400
    assert "U+D800" in body["error"] and "halv emoji" in body["error"]
    assert_refusal_is_sound(status, body, before, record_tables())
    assert record_tables() == before  # no Participation row written before the refusal


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_control_characters_are_refused_and_line_ends_normalised(wb, fake_clock, character):
    usage = harness.first_scenario_usage(wb, "kkn_module")
    status, body = wb.post(usage, "save_draft", {"text": f"Utkast{character}"})
    assert status == 400 and f"U+{ord(character):04X}" in body["error"]
    status, _body = wb.post(usage, "save_draft", {"text": "Rad ett\r\nRad två\rRad tre\tslut"})
    assert status == 200
    assert wb.block(usage).draft == "Rad ett\nRad två\nRad tre\tslut"


@pytest.mark.mariadb
def test_a_refused_request_rolls_back_what_the_handler_wrote(wb, fake_clock, monkeypatch):
    """One handler, one transaction: a refusal after a write (here forced) leaves the tables as they were."""
    from kkn_xblocks.handlers import Refusal
    from kkn_xblocks.records import api

    usage = harness.first_scenario_usage(wb, "kkn_module")
    real_submit = api.submit_task

    def submit_then_fail(*args, **kwargs):
        real_submit(*args, **kwargs)
        raise Refusal(409, "Försök igen.")

    monkeypatch.setattr(api, "submit_task", submit_then_fail)
    before = record_tables()
    status, _body = wb.post(usage, "submit_task", {"text": " ".join(["ord"] * 200)})
    assert status == 409
    assert record_tables() == before  # neither the participation nor the submission is left behind


def test_a_wrong_check_in_code_stays_counted(wb, fake_clock):
    """The one refusal that keeps what it wrote: the wrong code counts against her limit."""
    from kkn_xblocks.records.models import CodeAttempt

    usage = harness.first_scenario_usage(wb, "kkn_checkin")
    block = wb.block(usage)
    session = block._sessions()[0]  # pylint: disable=protected-access
    fake_clock.set(session.start)
    status, body = wb.post(usage, "save_profile", {"region": session.region, "municipality": "",
                                                   "role": "culture"})
    if status != 200:  # the scenario's region lists its municipalities
        municipality = sorted(block.municipalities.get(session.region, ["Lund"]))[0]
        status, body = wb.post(usage, "save_profile", {"region": session.region, "municipality": municipality,
                                                       "role": "culture"})
    assert status == 200, body
    before = CodeAttempt.objects.count()
    status, body = wb.post(usage, "check_in", {"code": "333 333"})
    assert status == 400 and body["reason"] == "wrong_code"
    assert CodeAttempt.objects.count() == before + 1


def _form_values(block):
    return {spec.name: value_to_text(spec, getattr(block, spec.name)) for spec in block.author_fields}


@pytest.mark.parametrize("moment", ["0001-01-01 00:30", "9999-12-31 23:30"])
def test_a_session_in_year_one_is_an_authoring_error(wb, moment):
    usage = harness.first_scenario_usage(wb, "kkn_checkin")
    values = _form_values(wb.block(usage))
    values["sessions"] = f"skane-1 | Skåne | Malmö | {moment} | 2026-03-10 16:00"
    status, body = wb.post(usage, "studio_submit", {"values": values}, user=STAFF)
    assert status == 400
    assert body["field_errors"]["sessions"] == "Rad 1: året måste vara mellan 2000 och 2200."


def test_stored_sessions_in_year_one_are_skipped_not_a_crash():
    from kkn_xblocks import checkin_rules as rules

    assert rules.parse_utc("0001-01-01T00:00:00+05:00") is None
    assert rules.sessions_from_field([{"id": "a", "region": "R", "venue": "V", "start": "0001-01-01T00:30:00+01:00",
                                       "end": "2026-01-01T00:00:00Z"}]) == []


def test_a_page_url_too_long_for_a_qr_code_is_refused(wb, fake_clock):
    usage = harness.first_scenario_usage(wb, "kkn_checkin")
    session = wb.block(usage)._sessions()[0]  # pylint: disable=protected-access
    fake_clock.set(session.start)
    page_url = "https://example.org/" + "\U0001F600" * 1975
    assert len(page_url) < 2000
    status, body = wb.post(usage, "staff_code", {"session_id": session.id, "page_url": page_url}, user=STAFF)
    assert status == 400
    assert body["error"] == ("Sidans adress är för lång för en QR-kod. Öppna mötessidan från kursen och visa "
                             "koden igen.")


TOO_LARGE = "Anropet är för stort. Korta texten och försök igen."


def test_a_ten_megabyte_body_gets_our_translated_413(wb):
    usage = harness.first_scenario_usage(wb, "kkn_module")
    status, body = wb.post(usage, "submit_task", raw='{"text": "' + "a" * 10_000_000 + '"}')
    assert (status, body) == (413, {"error": TOO_LARGE})


def test_djangos_upload_limit_is_answered_with_our_413(wb, settings):
    """In the LMS the handler's body is Django's ``request.body`` (XBlock's
    ``xblock/django/request.py``: ``DjangoWebobRequest.body``), which raises ``RequestDataTooBig``
    over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``django/http/request.py``); the LMS view lets it reach the
    handler (openedx-platform ``lms/djangoapps/courseware/block_render.py``, ``_invoke_xblock_handler``).
    Here a limit below ours shows that path answers our 413 too."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    usage = harness.first_scenario_usage(wb, "kkn_module")
    body_text = '{"text": "' + "a" * 5000 + '"}'
    assert len(body_text) < MAX_BODY_BYTES
    status, body = wb.post(usage, "save_draft", raw=body_text)
    assert (status, body) == (413, {"error": TOO_LARGE})
