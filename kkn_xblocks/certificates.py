"""Certificate ids: unguessable, readable aloud over the phone, and checked before any lookup.

An id is ``KKN-XXXX-XXXX-XXXX-XXXX-C``: 80 random bits from ``secrets`` written as 16 characters of
Crockford's base32 alphabet (digits and capital letters without I, L, O and U, so nothing reads as
something else), grouped in fours, then one check character.

The check character is Luhn mod 32 over the 16 characters (ISO/IEC 7812's Luhn generalised to an
alphabet of 32): it catches every single mistyped character and every swap of two neighbours
except the pair 0 and Z. So a mistyped id is answered "check the id" without touching the
database, and a well-formed but unknown one costs one indexed lookup of the exact canonical text:
there is no scan whose time depends on how close a guess came.

People type ids in lower case, with spaces or without dashes, and confuse O with 0 and I or L
with 1: ``normalise`` forgives all of that and returns the canonical text, or says what is wrong.
"""
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "KKN"
RANDOM_BITS = 80
GROUP = 4
BODY_CHARS = RANDOM_BITS // 5  # 16
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
# What people type for the characters Crockford's alphabet leaves out.
_LOOK_ALIKES = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = " -_.\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\t"
MAX_TYPED_CHARS = 64


class Status:
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class CodeProblem:
    """Why typed text is not a certificate id (the block words each for the reader)."""

    EMPTY = "empty"
    CHARACTERS = "characters"
    LENGTH = "length"
    CHECK = "check"


@dataclass(frozen=True)
class Normalised:
    """The outcome of reading a typed id: ``code`` (canonical) or ``problem`` (a CodeProblem)."""

    code: str = ""
    problem: str = ""
    bad_characters: str = ""


def check_character(body):
    """Luhn mod 32 check character of ``body`` (16 alphabet characters)."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def format_code(body):
    """The canonical text of an id from its 16 random characters."""
    groups = [body[i:i + GROUP] for i in range(0, len(body), GROUP)]
    return "-".join([PREFIX, *groups, check_character(body)])


def new_code(randbits=secrets.randbits):
    """A fresh certificate id with ``RANDOM_BITS`` bits from the operating system's CSPRNG."""
    number = randbits(RANDOM_BITS)
    body = "".join(ALPHABET[(number >> shift) & 31] for shift in range(RANDOM_BITS - 5, -1, -5))
    return format_code(body)


def normalise(typed):
    """Read an id as a person typed it. Never raises; a wrong id gets the reason it is wrong."""
    if not isinstance(typed, str) or not typed.strip():
        return Normalised(problem=CodeProblem.EMPTY)
    text = typed[:MAX_TYPED_CHARS].upper()
    kept = "".join(_LOOK_ALIKES.get(char, char) for char in text if char not in _SEPARATORS)
    if kept.startswith(PREFIX) and len(kept) != BODY_CHARS + 1:
        kept = kept[len(PREFIX):]
    bad = "".join(sorted({char for char in kept if char not in _VALUE}))
    if bad:
        return Normalised(problem=CodeProblem.CHARACTERS, bad_characters=bad)
    if len(kept) != BODY_CHARS + 1 or len(typed) > MAX_TYPED_CHARS:
        return Normalised(problem=CodeProblem.LENGTH)
    body, check = kept[:-1], kept[-1]
    if check_character(body) != check:
        return Normalised(problem=CodeProblem.CHECK)
    return Normalised(code=format_code(body))


def status(expires_at, revoked_at, now):
    """valid / expired / revoked. Revocation wins: a revoked certificate never reads as valid again."""
    if revoked_at is not None:
        return Status.REVOKED
    if expires_at is not None and expires_at <= now:
        return Status.EXPIRED
    return Status.VALID


def add_months(moment, months):
    """``moment`` plus whole calendar months; the 31st becomes the month's last day when needed."""
    if not months:
        return moment
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, last))
