"""``kkn_xblocks.field_reads.read_fields``: the values XBlock's own field descriptor gives, with one
field-data look-up per field instead of ``has`` and then ``get``, and saving unchanged."""
from xblock.core import XBlock
from xblock.field_data import DictFieldData
from xblock.fields import Dict, Integer, List, Scope, ScopeIds, String
from xblock.test.tools import TestRuntime

from kkn_xblocks.field_reads import read_fields


class Sample(XBlock):
    title = String(scope=Scope.settings, default="Untitled")
    step = Integer(scope=Scope.settings, default=30)
    items = List(scope=Scope.content, default=[])
    state = Dict(scope=Scope.user_state, default={})


class CountingFieldData(DictFieldData):
    """A field store that counts what is asked of it (the local runtime asks SQL for each)."""

    def __init__(self, data):
        super().__init__(data)
        self.calls = []

    def get(self, block, name):
        self.calls.append(("get", name))
        return super().get(block, name)

    def has(self, block, name):
        self.calls.append(("has", name))
        return super().has(block, name)


def _block(data):
    field_data = CountingFieldData(data)
    runtime = TestRuntime(services={"field-data": field_data})
    block = runtime.construct_xblock_from_class(Sample, ScopeIds("user", "sample", "def", "usage"))
    return block, field_data


STORED = {"title": "Träff 2", "step": "60", "items": [{"id": "skane-2"}]}  # as JSON stores them: "60"


def test_the_same_values_as_the_descriptor_with_one_look_up_each():
    by_descriptor, descriptor_data = _block(STORED)
    expected = (by_descriptor.title, by_descriptor.step, by_descriptor.items, by_descriptor.state)
    assert expected == ("Träff 2", 60, [{"id": "skane-2"}], {})
    assert len(descriptor_data.calls) == 3 * 2 + 1  # has() and get() for each set field, has() for the unset

    block, field_data = _block(STORED)
    assert read_fields(block, "title", "step", "items", "state") == expected
    assert field_data.calls == [("get", "title"), ("get", "step"), ("get", "items"), ("get", "state")]
    # Read again, by either way: XBlock's cache answers, nothing more is asked of the store.
    assert read_fields(block, "step", "title") == (60, "Träff 2") and block.items == [{"id": "skane-2"}]
    assert len(field_data.calls) == 4


def test_what_is_changed_after_reading_is_saved_and_nothing_else():
    block, field_data = _block(STORED)
    items, state = read_fields(block, "items", "state")
    items.append({"id": "halland-2"})  # a mutable field changed in place is saved, as XBlock does
    state["published"] = "attended"  # and so is an unset one, changed from its default
    read_fields(block, "title")
    block.save()
    assert field_data.get(block, "items") == [{"id": "skane-2"}, {"id": "halland-2"}]
    assert field_data.get(block, "state") == {"published": "attended"}
    assert field_data.get(block, "step") == "60"  # untouched: as stored, not rewritten as 60
    assert field_data.get(block, "title") == "Träff 2"


def test_an_unchanged_read_writes_nothing():
    block, field_data = _block(STORED)
    read_fields(block, "title", "step", "items", "state")
    written = []
    field_data.set_many = lambda _block, values: written.append(values)
    block.save()
    assert not written
