"""Reading a block's fields with one field-data look-up each instead of two.

XBlock's field descriptor (``Field.__get__`` in xblock/fields.py, the same in XBlock 5.1.0, 5.3.0
and 6.1.0) asks the runtime's field data ``has(block, name)`` and then ``get(block, name)``: two
look-ups for every field that is set. The ``FieldData`` contract (xblock/field_data.py) is that
``get`` raises ``KeyError`` when no value is set, and its own ``has`` is written as exactly that
(try ``get``). So one ``get`` answers both questions. In the LMS both are dictionary look-ups, but in
the local runtime each is an SQL query (``WorkbenchDjangoKeyValueStore.get``/``has`` in xblock-sdk
``workbench/runtime.py`` each call ``XBlockState.get_for_key``), and a handler reading eight fields
paid for sixteen queries.

``read_fields`` does what the descriptor does, with that one look-up, and leaves the value in
XBlock's own per-block cache, so the rest of the request reads the field as usual (``self.name``)
from the cache, and saving works unchanged (mutable fields are marked dirty on that first
ordinary read, as XBlock does).
"""
from xblock.fields import NO_CACHE_VALUE, NO_GENERATED_DEFAULTS


def read_fields(block, *names):
    """The values of ``block``'s fields ``names`` (a tuple), each read from the field data at most
    once per block instance and with a single look-up."""
    field_data = None
    for name in names:
        field = block.fields[name]
        # pylint: disable=protected-access
        # The cache and the default are XBlock's own (Field._get_cached_value, _set_cached_value and
        # _get_default_value_to_cache in xblock/fields.py), used as Field.__get__ uses them.
        if field._get_cached_value(block) is not NO_CACHE_VALUE:
            continue
        if field_data is None:
            field_data = block._field_data
        try:
            value = field.from_json(field_data.get(block, name))
        except KeyError:  # not set: the default, as Field.__get__ computes it when has() is False
            value = field._get_default_value_to_cache(block) if name not in NO_GENERATED_DEFAULTS else field.default
        field._set_cached_value(block, value)
    return tuple(getattr(block, name) for name in names)
