"""Rotating check-in codes: short, typed by people in a meeting room, impossible to know from home.

A code is an HMAC of a server-side secret over what it is for (block, meeting, session) and the
current time step, mapped to a short alphabet without look-alike characters (0, O, Q, 1, I, L, 2,
Z, 5, S, 8, B, G, U and V are left out). Nothing is stored: the server recomputes the code to check it, so a code
leaks nothing about the secret and expires by itself. A code is accepted in its own step and the
next one, so a participant who reads it just before it changes still gets in; anything older is
refused (no replay of a photographed code hours later).

The functions are pure (no clock, no settings) so that the rule can be tested exactly.
"""
import hashlib
import hmac
import json
import math
from dataclasses import dataclass

ALPHABET = "34679ACDEFHJKMNPRTWXY"
LENGTH = 6
# A code typed in an open session may be from this many steps back (0 = the current step).
ACCEPTED_PAST_STEPS = 1
_KEY_LABEL = b"kkn-checkin-code-v1"


@dataclass(frozen=True)
class ShownCode:
    """The code to show now, and how long it stays the newest code."""

    code: str
    step: int
    seconds_left: int

    @property
    def display(self):
        return display(self.code)


def derive_key(secret):
    """A key for codes only, so the operator's secret (often Django's SECRET_KEY) is never used as is."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if not secret:
        raise ValueError("a check-in code secret is required")
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def step_of(moment, step_seconds):
    """The number of the time step ``moment`` (an aware datetime) falls in."""
    return math.floor(moment.timestamp() / step_seconds)


def code_for(key, scope, step):
    """The code of ``scope`` (a tuple of strings: block, meeting, session) in time step ``step``."""
    message = json.dumps([*scope, step], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    number = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")
    # 64 bits into 21**6 (< 2**27) values: the bias is below one in a hundred billion.
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def current_code(key, scope, moment, step_seconds):
    step = step_of(moment, step_seconds)
    seconds_left = max(1, math.ceil((step + 1) * step_seconds - moment.timestamp()))
    return ShownCode(code=code_for(key, scope, step), step=step, seconds_left=seconds_left)


def normalise(text):
    """What a person typed, as a code: case, spaces and dashes ignored. None if it cannot be one."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -\t")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def verify(key, scope, code, moment, step_seconds):
    """True if ``code`` is the code of ``scope`` in the current or the previous time step.

    Every candidate is compared in constant time and all are compared, so timing tells nothing
    about which step (if any) matched.
    """
    given = normalise(code)
    if given is None:
        return False
    step = step_of(moment, step_seconds)
    matched = False
    for back in range(ACCEPTED_PAST_STEPS + 1):
        matched |= hmac.compare_digest(code_for(key, scope, step - back), given)
    return matched


def display(code):
    """``K7M3PX`` -> ``K7M 3PX``: two groups of three are easier to read aloud and to type."""
    middle = len(code) // 2
    return f"{code[:middle]} {code[middle:]}"
