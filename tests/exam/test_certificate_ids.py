"""Certificate ids: 80 random bits, readable aloud, a check character that catches typing errors."""
import random
import re
from datetime import datetime, timezone

import pytest

from kkn_xblocks import certificates as ids

FORMAT = re.compile(r"^KKN-([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]$")


def test_ids_have_the_readable_format_and_no_look_alike_letters():
    for _ in range(500):
        code = ids.new_code()
        assert FORMAT.match(code), code
        assert not set(code[4:]) & set("ILOU")


def test_ids_carry_80_bits_from_the_random_source():
    calls = []

    def randbits(bits):
        calls.append(bits)
        return (1 << bits) - 1  # all ones: every character is the last of the alphabet

    assert ids.new_code(randbits) == ids.format_code("Z" * 16)
    assert calls == [80]
    assert ids.new_code(lambda bits: 0) == ids.format_code("0" * 16)
    # Every one of the 80 bits shows in the id: flipping any one changes it.
    base = random.Random(7).getrandbits(80)
    codes = {ids.new_code(lambda bits, n=n: base ^ (1 << n)) for n in range(80)}
    assert len(codes) == 80 and ids.new_code(lambda bits: base) not in codes


def test_many_ids_never_repeat():
    assert len({ids.new_code() for _ in range(20_000)}) == 20_000


def test_the_check_character_catches_every_single_typing_error():
    rng = random.Random(3)
    for _ in range(300):
        body = ids.new_code(rng.getrandbits).replace("-", "")[3:-1]
        check = ids.check_character(body)
        for position in range(16):
            for char in ids.ALPHABET:
                if char != body[position]:
                    changed = body[:position] + char + body[position + 1:]
                    assert ids.check_character(changed) != check


def test_the_check_character_catches_swapped_neighbours_except_0_and_z():
    rng = random.Random(5)
    missed = set()
    for _ in range(2000):
        body = ids.new_code(rng.getrandbits).replace("-", "")[3:-1]
        for i in range(15):
            if body[i] != body[i + 1]:
                swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
                if ids.check_character(swapped) == ids.check_character(body):
                    missed.add(frozenset((body[i], body[i + 1])))
    assert missed <= {frozenset("0Z")}


@pytest.mark.parametrize("typed", [
    "KKN-7Q4M-2HXD-9RTA-K3PB-M",
    "kkn-7q4m-2hxd-9rta-k3pb-m",
    "  KKN 7Q4M 2HXD 9RTA K3PB M  ",
    "7Q4M2HXD9RTAK3PBM",
    "kkn7q4m2hxd9rtak3pbm",
    "KKN\u20137Q4M\u20132HXD\u20139RTA\u2013K3PB\u2013M",
])
def test_typed_ids_are_forgiven_case_spaces_and_dashes(typed):
    assert ids.normalise(typed) == ids.Normalised(code="KKN-7Q4M-2HXD-9RTA-K3PB-M")


def test_look_alikes_are_read_as_what_was_meant():
    code = ids.format_code("01L0OI1100000000".replace("L", "1").replace("O", "0").replace("I", "1"))
    typed = "KKN-OIL0-OI11-OOOO-OOOO-" + code[-1]
    assert ids.normalise(typed).code == code


@pytest.mark.parametrize("typed, problem, bad", [
    ("", ids.CodeProblem.EMPTY, ""),
    ("   ", ids.CodeProblem.EMPTY, ""),
    (None, ids.CodeProblem.EMPTY, ""),
    ("KKN-7Q4M-2HXD-9RTA-K3PB", ids.CodeProblem.LENGTH, ""),
    ("KKN-7Q4M-2HXD-9RTA-K3PB-MM", ids.CodeProblem.LENGTH, ""),
    ("KKN-7Q4M-2HXD-9RTA-K3PU-M", ids.CodeProblem.CHARACTERS, "U"),
    ("KKN-7Q4M-2HXD-9RTA-K3P#-M!", ids.CodeProblem.CHARACTERS, "!#"),
    ("KKN-7Q4M-2HXD-9RTA-K3PB-N", ids.CodeProblem.CHECK, ""),
    ("KKN-7Q4M-2HXD-9RAT-K3PB-M", ids.CodeProblem.CHECK, ""),
    ("KKN-7Q4M-2HXD-9RTA-K3PB-M" + " " * 60, ids.CodeProblem.LENGTH, ""),
])
def test_wrong_ids_say_what_is_wrong(typed, problem, bad):
    read = ids.normalise(typed)
    assert (read.code, read.problem, read.bad_characters) == ("", problem, bad)


def test_status_and_expiry():
    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    later = datetime(2027, 3, 10, tzinfo=timezone.utc)
    assert ids.status(None, None, now) == ids.Status.VALID
    assert ids.status(later, None, now) == ids.Status.VALID
    assert ids.status(later, None, later) == ids.Status.EXPIRED
    assert ids.status(later, now, now) == ids.Status.REVOKED
    assert ids.status(now, now, later) == ids.Status.REVOKED
    assert ids.add_months(datetime(2026, 1, 31, tzinfo=timezone.utc), 1) == datetime(2026, 2, 28, tzinfo=timezone.utc)
    assert ids.add_months(datetime(2027, 12, 31, tzinfo=timezone.utc), 2) == datetime(2028, 2, 29, tzinfo=timezone.utc)
    assert ids.add_months(now, 36) == datetime(2029, 3, 10, tzinfo=timezone.utc)
    assert ids.add_months(now, 0) == now
