"""What every hostile-input test needs: every JSON handler of every block (found, not listed), the
record tables as they are, and a check that a refusal is a translated message.

Handlers are found from the installed ``xblock.v1`` entry points of this package and the
``is_json_handler`` mark ``kkn_xblocks.handlers.json_handler`` leaves, so a block or handler added
later is covered without touching these tests.
"""
import re
from collections import Counter
from functools import lru_cache
from importlib.metadata import entry_points
from importlib.resources import files

from babel.messages.mofile import read_mo
from django.apps import apps

LEARNER, STAFF = "student_1", "staff"
CASES = Counter()  # generated cases per fuzz target, printed at the end of the run
ROLES = (LEARNER, STAFF)


@lru_cache(maxsize=None)
def block_classes():
    """``{tag: class}`` of this package's blocks, from the installed entry points."""
    return {ep.name: ep.load() for ep in entry_points(group="xblock.v1") if ep.value.startswith("kkn_xblocks.")}


def _handlers(cls):
    return sorted(name for name in dir(cls) if getattr(getattr(cls, name, None), "_is_xblock_handler", False))


def json_handlers(cls):
    """The block's JSON handlers, also where a block wraps one (a rights check before a mixin's)."""
    return [name for name in _handlers(cls)
            if any(getattr(vars(klass).get(name), "is_json_handler", False) for klass in cls.__mro__)]


def all_json_handlers():
    """``[(tag, handler name)]`` for every JSON handler of every block."""
    return [(tag, name) for tag, cls in sorted(block_classes().items()) for name in json_handlers(cls)]


def all_other_handlers():
    """``[(tag, handler name)]`` for every other handler (pages, CSV files, verification)."""
    return [(tag, name) for tag, cls in sorted(block_classes().items())
            for name in _handlers(cls) if name not in json_handlers(cls)]


def first_scenario_usage(wb, tag):
    """A usage id of block ``tag`` loaded from the block's own first workbench scenario."""
    _title, xml = block_classes()[tag].workbench_scenarios()[0]
    root = wb.load(xml)
    pending = [root]
    while pending:
        usage = pending.pop(0)
        if wb.block(usage).scope_ids.block_type == tag:
            return usage
        pending.extend(wb.child_ids(usage))
    raise AssertionError(f"no {tag} in its own scenario")


def record_tables():
    """Every row of every table of the records app, as plain values."""
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in apps.get_app_config("kkn_records").get_models()}


@lru_cache(maxsize=1)
def _swedish_patterns():
    """Each Swedish message of the blocks' catalog as a regex ({placeholders} match anything)."""
    with (files("kkn_xblocks") / "translations" / "sv" / "LC_MESSAGES" / "text.mo").open("rb") as handle:
        catalog = read_mo(handle)
    patterns = []
    for message in catalog:
        texts = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for text in texts:
            if text:
                parts = re.split(r"\{[^{}]*\}", text)
                patterns.append(re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL))
    return patterns


def is_translated(message):
    """Whether ``message`` is one of the Swedish catalog's messages (with any values filled in)."""
    return isinstance(message, str) and any(p.fullmatch(message) for p in _swedish_patterns())


def assert_refusal_is_sound(status, body, before, after, kept=()):
    """No 5xx; a 4xx has a Swedish message and left every record table (but ``kept``) as it was."""
    assert status < 500, (status, body)
    if status >= 400:
        assert isinstance(body, dict) and is_translated(body.get("error")), (status, body)
        changed = {name for name in before if before[name] != after[name]}
        assert changed <= set(kept), f"a refused request changed {sorted(changed)}"


def prepared_usage(wb, fake_clock, tag, user):
    """A block of type ``tag`` where its handlers do real work for ``user``: a check-in session open
    with her profile saved, an exam attempt started. Blocks without such a step are left as loaded."""
    usage = first_scenario_usage(wb, tag)
    block = wb.block(usage, user)
    sessions = block._sessions() if hasattr(block, "_sessions") else []  # pylint: disable=protected-access
    if sessions:
        session = sessions[0]
        fake_clock.set(session.start)
        municipalities = sorted((getattr(block, "municipalities", None) or {}).get(session.region, []))
        wb.post(usage, "save_profile", {"region": session.region, "role": "culture",
                                        "municipality": municipalities[0] if municipalities else "Lund"}, user=user)
    if "start" in json_handlers(type(block)):
        wb.post(usage, "start", {}, user=user)
    return usage
