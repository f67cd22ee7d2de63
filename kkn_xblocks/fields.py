"""XBlock field types that read their value with one field-data call, and a question-bank field
that is never copied on read.

XBlock's ``Field.__get__`` (xblock/fields.py, the same in XBlock 5.1 to 6.1) reads a field the
first time a block instance asks for it as ``field_data.has(...)`` and then ``field_data.get(...)``:
two calls into the runtime's store. In the xblock-sdk workbench (the local preview) each call is
an SQL query (``WorkbenchDjangoKeyValueStore.has``/``get`` in workbench/runtime.py both run
``XBlockState.get_for_key``, a ``get_or_create``, and parse the row's JSON). ``FieldData.get``
alone answers both questions: its contract is to raise ``KeyError`` when no value is set
(xblock/field_data.py; ``FieldData.has`` itself is implemented as that try/except). So these
fields ask ``get`` once and, when it raises, take the default exactly as XBlock does
(``Field._get_default_value_to_cache``); the value goes into XBlock's own per-instance cache and
XBlock's ``__get__`` does the rest (dirty tracking, sanitising), so a field is still read at most
once per block instance, that is per request.

The one place ``has`` and ``get`` may disagree is a field the platform *inherits*: openedx-platform
``OverrideFieldData.has`` (lms/djangoapps/courseware/field_overrides.py) answers False for an
``InheritanceMixin`` field overridden on an ancestor, so that the default (the ancestor's value)
wins. No kkn field has such a name (``tests/test_platform_fields.py``), and only kkn fields use
these types.
"""
from xblock import fields
from xblock.fields import NO_CACHE_VALUE


class _OneRead:
    """Mixed in before an XBlock field class: one ``field_data.get`` on the first read."""

    def __get__(self, xblock, xblock_class):
        if xblock is not None and self._get_cached_value(xblock) is NO_CACHE_VALUE:
            try:
                value = self.from_json(xblock._field_data.get(xblock, self.name))  # pylint: disable=protected-access
            except KeyError:  # not set: XBlock's default (``Field.__get__`` when ``has`` is False)
                value = self._get_default_value_to_cache(xblock)
            self._set_cached_value(xblock, value)
        return super().__get__(xblock, xblock_class)


class String(_OneRead, fields.String):
    pass


class Integer(_OneRead, fields.Integer):
    pass


class Float(_OneRead, fields.Float):
    pass


class Boolean(_OneRead, fields.Boolean):
    pass


class List(_OneRead, fields.List):
    pass


class Dict(_OneRead, fields.Dict):
    pass


class QuestionBank(List):
    """The exam's question bank, a list of question objects: never changed in place, only replaced.

    XBlock deep-copies a mutable field's value on its first read to detect changes made in place
    (``Field._mark_dirty``, called from ``__get__`` when ``MUTABLE``) and compares the copy on save
    (``Field._is_dirty``): for a bank of a hundred questions that copy cost more than grading them.
    The bank is only ever replaced (Studio's editor, OLX import), and ``__set__`` marks a replaced
    value dirty whatever ``MUTABLE`` says (``_mark_dirty(xblock, EXPLICITLY_SET)``), so it is
    declared immutable. Code that reads it must not change it (``exam_rules`` builds new objects).
    """

    MUTABLE = False
