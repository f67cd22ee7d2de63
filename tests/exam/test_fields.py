"""The exam's field types (``kkn_xblocks/fields.py``): one field-data call per field and request,
the values XBlock's own fields give (set, default, the runtime's default), changes still saved, and
a question bank that is neither copied on read nor kept when it is replaced."""
import json

from xblock import fields as xblock_fields
from xblock.core import XBlock
from xblock.field_data import DictFieldData
from xblock.fields import Scope, ScopeIds
from xblock.test.tools import TestRuntime

from kkn_xblocks import fields


class CountingFieldData(DictFieldData):
    """Field data that counts the calls a read makes (each one a query in the workbench's store)
    and gives a runtime default for ``inherited``, as the platform's field data does for settings
    a course passes down (``InheritingFieldData.default``)."""

    def __init__(self, data):
        super().__init__(data)
        self.calls = []

    def get(self, block, name):
        """A fresh value parsed from JSON, as the workbench's store gives it (no ``copy`` involved)."""
        self.calls.append(("get", name))
        return json.loads(json.dumps(self._data[name]))  # KeyError when unset, as FieldData.get must

    def has(self, block, name):
        self.calls.append(("has", name))
        return super().has(block, name)

    def default(self, block, name):
        if name == "inherited":
            return "from the course"
        return super().default(block, name)


class Sample(XBlock):
    title = fields.String(scope=Scope.settings, default="Namnlös")
    limit = fields.Integer(scope=Scope.settings, default=3)
    share = fields.Float(scope=Scope.user_state, default=None)
    shuffle = fields.Boolean(scope=Scope.settings, default=True)
    modules = fields.List(scope=Scope.settings, default=[])
    summary = fields.Dict(scope=Scope.user_state, default={})
    inherited = fields.String(scope=Scope.settings, default="own default")
    bank = fields.QuestionBank(scope=Scope.content, default=[])


def make(data):
    field_data = CountingFieldData(data)
    runtime = TestRuntime(services={"field-data": field_data})
    return Sample(runtime, scope_ids=ScopeIds("user", "sample", "def", "usage")), field_data


def test_a_field_is_read_with_one_call_and_only_once():
    block, field_data = make({"title": "Slutprov", "limit": 5})
    assert (block.title, block.limit, block.title, block.limit) == ("Slutprov", 5, "Slutprov", 5)
    assert field_data.calls == [("get", "title"), ("get", "limit")]


def test_unset_fields_give_the_defaults_xblock_gives():
    block, field_data = make({})
    assert block.title == "Namnlös" and block.limit == 3 and block.share is None and block.shuffle is True
    assert block.modules == [] and block.summary == {}
    assert block.inherited == "from the course"  # the runtime's default wins over the field's own
    assert [kind for kind, _name in field_data.calls] == ["get"] * 7
    # Mutable defaults are not shared between blocks (XBlock copies them).
    block.modules.append("modul-1")
    assert make({})[0].modules == []


def test_values_are_converted_as_xblock_converts_them():
    block, _calls = make({"limit": "7", "share": "0.5", "shuffle": "false"})
    assert (block.limit, block.share, block.shuffle) == (7, 0.5, False)


def test_changes_are_saved_whether_set_or_made_in_place():
    block, field_data = make({"modules": ["modul-1"], "summary": {"attempts": 1}})
    block.modules.append("modul-2")  # in place: XBlock's dirty tracking still sees it
    block.summary = {"attempts": 2}
    block.title = "Nytt namn"
    block.save()
    assert field_data.get(block, "modules") == ["modul-1", "modul-2"]
    assert field_data.get(block, "summary") == {"attempts": 2}
    assert field_data.get(block, "title") == "Nytt namn"


def test_a_block_that_changes_nothing_writes_nothing():
    block, field_data = make({"modules": ["modul-1"], "bank": [{"id": "q1"}]})
    assert block.modules and block.bank and block.title
    field_data.set_many = lambda *args: (_ for _ in ()).throw(AssertionError("nothing to save"))
    block.save()


def test_the_bank_is_not_copied_on_read_and_a_replaced_bank_is_saved(monkeypatch):
    bank = [{"id": "q1", "options": [{"id": "a", "correct": True}]}]
    block, field_data = make({"bank": bank, "modules": ["modul-1"]})
    copies = []
    real_deepcopy = xblock_fields.copy.deepcopy
    monkeypatch.setattr(xblock_fields.copy, "deepcopy", lambda value: copies.append(value) or real_deepcopy(value))
    assert block.bank == bank and block.bank is block.bank
    assert copies == []  # XBlock's dirty-tracking copy (Field._mark_dirty) is not made for the bank ...
    assert block.modules == ["modul-1"]
    assert copies == [["modul-1"]]  # ... as it is for a list that may be changed in place
    replaced = [{"id": "q2", "options": []}]
    block.bank = replaced
    block.save()
    assert field_data.get(block, "bank") == replaced
    fresh = make({"bank": field_data.get(block, "bank")})[0]
    assert fresh.bank == replaced
