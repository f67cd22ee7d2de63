"""Hypothesis strategies for hostile input: JSON of any shape, text no record may hold, numbers
no field takes, bodies that are not JSON at all."""
import json

from hypothesis import strategies as st

NASTY_TEXT = st.sampled_from([
    "\ud800", "x\udfffy", "\x00", "\x1b[31m", "\x7f", "\x85", "\ufffe", "\u2028", "\r\n", "\U0001F600" * 600,
    "a" * 3000, "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "../../etc/passwd", "", " ", "null", "KKN-",
])
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(exclude_categories=()), max_size=40),  # surrogates and controls included
    NASTY_TEXT,
)
NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=-10 ** 40, max_value=10 ** 40), st.sampled_from([0, -1, 1, 2 ** 63, 10 ** 300]),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
)


def json_values(known_texts=()):
    leaves = st.one_of(TEXT, NUMBERS, st.sampled_from(list(known_texts) or [""]))
    return st.recursive(leaves, lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.one_of(TEXT, st.sampled_from(list(known_texts) or [""])),
                                                        children, max_size=4)), max_leaves=12)


def raw_bodies():
    """Bodies that are not a JSON object: bytes, other JSON values, constants JSON lacks, deep nesting."""
    return st.one_of(
        st.binary(max_size=200),
        st.integers(min_value=1, max_value=3000).map(lambda n: '{"a":' + "[" * n + "]" * n + "}"),
        st.integers(min_value=1, max_value=3000).map(lambda n: '{"a":' + '{"b":' * n + "1" + "}" * n + "}"),
        st.sampled_from(['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', "[]", "null", '"text"', "1" * 5000,
                         '{"a": 1' + "0" * 5000 + "}", '{"a": "\\ud800"}', "{", "\ufeff{}", '{"a":1,"a":2}']),
        json_values().map(json.dumps),
    )


def bodies(keys, known_texts):
    """Handler bodies: objects with the handler's own keys (and others), or anything else."""
    objects = st.dictionaries(st.one_of(st.sampled_from(sorted(keys) or ["x"]), TEXT), json_values(known_texts),
                              max_size=6).map(lambda data: json.dumps(data))
    return st.one_of(objects, objects, objects, raw_bodies())
