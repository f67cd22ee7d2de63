import copy

import pytest
from workbench.runtime import WorkbenchRuntime

from kkn_xblocks.scenarios import block_element, scenario
from kkn_xblocks.scenarios.module import MODULE_1


@pytest.fixture
def module_fields():
    return copy.deepcopy(MODULE_1)


@pytest.fixture
def make_module(wb, module_fields):
    """Load a kkn_module with MODULE_1's fields, overridden by keyword; return its usage id."""

    def make(**overrides):
        fields = {**module_fields, **overrides}
        root = wb.load(scenario(block_element("kkn_module", fields)))
        return wb.child_ids(root)[0]

    return make


@pytest.fixture
def published(monkeypatch):
    """Events the blocks publish to the runtime (completion, grade...)."""
    events = []

    def publish(_runtime, block, event_type, event_data):
        events.append((block.scope_ids.user_id, event_type, event_data))

    monkeypatch.setattr(WorkbenchRuntime, "publish", publish)
    return events


LONG_TEXT = " ".join(["Kommunens näringslivsarbete behöver en tydlig ansvarsfördelning."] * 8)
RIGHT = {"q1": 1, "q2": 0}
