"""Property-based fuzzing of every JSON handler of every block, as a learner and as staff.

For any body (JSON of any shape and depth, wrong types, lone surrogates, huge numbers, long text,
or no JSON at all): never a 5xx, a Swedish message on every 4xx, and the record tables exactly as
they were after every refusal. Handlers and the keys they read are found, not listed, so handlers
added later are fuzzed too. Examples Hypothesis found are kept below as ``@example`` cases.
"""
import inspect
import re
import sys
from functools import lru_cache
from urllib.parse import quote, urlencode

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kkn_xblocks.studio import value_to_text

from . import harness
from .harness import CASES, assert_refusal_is_sound, record_tables
from .strategies import TEXT, bodies

# The refusals that keep a write (``Refusal(keep=True)``): a wrong check-in code counts against the
# learner's limit; an exam answer after the deadline is refused, but what was saved is submitted.
KEPT = {
    ("kkn_checkin", "check_in"): {"CodeAttempt"},
    ("kkn_exam", "save_answers"): {"ExamAttempt", "Certificate"},
    ("kkn_exam", "submit"): {"ExamAttempt", "Certificate"},
}
_PAYLOAD_KEY = re.compile(r"""payload\.\w+\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,40}")


@lru_cache(maxsize=None)
def handler_keys(tag):
    """Every key a handler of this block reads through ``Payload`` (its module and its mixins')."""
    sources = {inspect.getsource(sys.modules[klass.__module__])
               for klass in harness.block_classes()[tag].__mro__ if klass.__module__.startswith("kkn_xblocks")}
    return frozenset(key for source in sources for key in _PAYLOAD_KEY.findall(source))


@lru_cache(maxsize=None)
def scenario_words(tag):
    """Ids and words of the block's own scenario (session ids, question ids...), to reach past the first check."""
    _title, xml = harness.block_classes()[tag].workbench_scenarios()[0]
    return tuple(sorted(set(_WORD.findall(xml)))[:400])


@pytest.mark.parametrize("user", harness.ROLES)
@pytest.mark.parametrize("tag,handler", harness.all_json_handlers())
def test_fuzz_handler(wb, fake_clock, tag, handler, user):
    usage = harness.prepared_usage(wb, fake_clock, tag, user)
    target = f"{tag}.{handler} as {user}"
    kept = KEPT.get((tag, handler), ())

    @settings(settings.get_profile("kkn-fuzz"))
    @given(body=bodies(handler_keys(tag), scenario_words(tag)))
    @example(body='{"answers":' + "[" * 950 + "]" * 950 + "}")
    @example(body='{"text": "\\ud800", "learner_key": "\\ud800", "reason": "\\ud800", "page_url": "\\ud800"}')
    @example(body='{"values": {"sessions": "s-1 | R | V | 0001-01-01 00:30 | 2026-03-10 16:00"}}')
    def fuzz(body):
        CASES[target] += 1
        before = record_tables()
        status, answer = wb.post(usage, handler, raw=body, user=user)
        assert_refusal_is_sound(status, answer, before, record_tables(), kept)

    fuzz()


AUTHOR_TEXT = TEXT | st.sampled_from([
    "0001-01-01 00:30", "9999-12-31 23:59", "2026-03-30 02:30", "-1", "1e309", "9" * 400, "NaN", "true",
    "s-1 | R | V | 0001-01-01 00:30 | 2026-03-10 16:00", "a | b", "\n" * 5000, "Region: " + ", ".join(["x"] * 2000),
])


@pytest.mark.parametrize("tag", sorted(harness.block_classes()))
def test_fuzz_studio_form(wb, tag):
    """The Studio editor's form as sent, with one or more fields replaced by hostile text."""
    usage = harness.first_scenario_usage(wb, tag)
    block = wb.block(usage, harness.STAFF)
    form = {spec.name: value_to_text(spec, getattr(block, spec.name)) for spec in block.author_fields}
    target = f"{tag}.studio_submit form as staff"

    @settings(settings.get_profile("kkn-fuzz"))
    @given(changes=st.dictionaries(st.sampled_from(sorted(form)), AUTHOR_TEXT, min_size=1, max_size=3))
    def fuzz(changes):
        CASES[target] += 1
        before = record_tables()
        status, answer = wb.post(usage, "studio_submit", {"values": {**form, **changes}}, user=harness.STAFF)
        assert_refusal_is_sound(status, answer, before, record_tables())
        if status == 400 and "field_errors" in answer:
            assert all(harness.is_translated(message) for message in answer["field_errors"].values()), answer

    fuzz()


@pytest.mark.parametrize("user", harness.ROLES)
@pytest.mark.parametrize("tag,handler", harness.all_other_handlers())
def test_fuzz_other_handler(wb, fake_clock, tag, handler, user):
    """Pages, CSV files and verification: any suffix, query or body, never a 5xx and no record written."""
    usage = harness.prepared_usage(wb, fake_clock, tag, user)
    target = f"{tag}.{handler} as {user}"
    words = st.sampled_from(scenario_words(tag)) | TEXT

    @settings(settings.get_profile("kkn-fuzz"))
    @given(suffix=words, query=st.dictionaries(st.sampled_from(["id", "student", "format", "x"]), words, max_size=3),
           body=bodies(handler_keys(tag), scenario_words(tag)), method=st.sampled_from(["GET", "POST", "HEAD"]))
    @example(suffix="\u0100", query={}, body="{}", method="GET")  # found: the workbench's 500 on non-Latin-1
    @example(suffix="\ufffe", query={"id": "\ud800"}, body="{}", method="GET")
    def fuzz(suffix, query, body, method):
        CASES[target] += 1
        before = record_tables()
        path = f"/handler/{usage}/{handler}/{quote(suffix.encode('utf-8', 'surrogatepass'), safe='')}"
        params = urlencode({**query, "student": user}, errors="surrogatepass")
        if method == "POST":
            response = wb.client.post(f"{path}?{params}", data=body, content_type="application/json")
        else:
            response = wb.client.generic(method, f"{path}?{params}")
        assert response.status_code < 500, (response.status_code, suffix, query)
        assert record_tables() == before

    fuzz()
