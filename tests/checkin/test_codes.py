"""Rotating codes as a pure rule: short, unambiguous, tied to their scope, valid for two steps only."""
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from kkn_xblocks import codes

KEY = codes.derive_key("operator secret")
SCOPE = ("block-v1:kkn+T1+2026+type@kkn_checkin+block@traff2", "kkn", "traff-2", "skane-2")
T = datetime(2026, 3, 10, 9, 0, 7, tzinfo=timezone.utc)


def test_codes_are_short_and_use_no_look_alike_characters():
    for lookalike in "0O1IL2Z5S8BGUVQ":
        assert lookalike not in codes.ALPHABET
    shown = codes.current_code(KEY, SCOPE, T, 30)
    assert len(shown.code) == 6 and set(shown.code) <= set(codes.ALPHABET)
    assert shown.display == f"{shown.code[:3]} {shown.code[3:]}"


def test_a_code_depends_on_secret_scope_and_step():
    step = codes.step_of(T, 30)
    base = codes.code_for(KEY, SCOPE, step)
    assert codes.code_for(KEY, SCOPE, step) == base
    others = {
        codes.code_for(codes.derive_key("another secret"), SCOPE, step),
        codes.code_for(KEY, SCOPE[:3] + ("halland-2",), step),
        codes.code_for(KEY, ("other-block",) + SCOPE[1:], step),
        codes.code_for(KEY, SCOPE, step + 1),
    }
    assert base not in others


def test_many_steps_give_many_different_codes():
    step = codes.step_of(T, 30)
    seen = {codes.code_for(KEY, SCOPE, step + i) for i in range(2000)}
    assert len(seen) > 1990  # 21**6 values: repeats are rare


def test_seconds_left_counts_down_to_the_next_step():
    assert codes.current_code(KEY, SCOPE, T, 30).seconds_left == 23  # 09:00:07 -> 09:00:30
    assert codes.current_code(KEY, SCOPE, T.replace(second=29, microsecond=500000), 30).seconds_left == 1


@pytest.mark.parametrize("offset, accepted", [
    (0, True), (22, True), (23, True), (52, True),  # this step (until :30), and the next one (until :60)
    (53, False), (90, False), (3600, False),  # two steps or more later: expired
    (-30, False), (-3600, False),  # a code from the future is no code
])
def test_a_code_is_accepted_in_its_step_and_the_next_only(offset, accepted):
    shown = codes.current_code(KEY, SCOPE, T, 30)
    assert codes.verify(KEY, SCOPE, shown.code, T + timedelta(seconds=offset), 30) is accepted


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", " {code}-", "{dashed}"])
def test_people_may_type_codes_in_lower_case_with_spaces_or_dashes(typed):
    code = codes.current_code(KEY, SCOPE, T, 30).code
    text = typed.format(code=code, lower=code.lower(), spaced=f"{code[:3]} {code[3:]}", dashed=f"{code[:3]}-{code[3:]}")
    assert codes.verify(KEY, SCOPE, text, T, 30)


@pytest.mark.parametrize("typed", ["", "ABC", "ACDEFHJ", "ACDEF0", "ÅÄÖACD", None, "ACD\u00a0EFH"])
def test_text_that_cannot_be_a_code_is_not_one(typed):
    assert codes.normalise(typed) is None
    assert not codes.verify(KEY, SCOPE, typed, T, 30)


def test_every_candidate_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(codes.hmac, "compare_digest", spy)
    shown = codes.current_code(KEY, SCOPE, T, 30)
    assert codes.verify(KEY, SCOPE, shown.code, T, 30)
    assert len(calls) == 2  # the current and the previous step, even after a match


def test_a_secret_is_required():
    with pytest.raises(ValueError):
        codes.derive_key("")
    assert codes.derive_key("x") != codes.derive_key(b"y")
    assert codes.derive_key("x") != b"x"
