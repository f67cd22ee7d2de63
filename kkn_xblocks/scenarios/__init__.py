"""Workbench scenarios for the local preview, in Swedish. One module per block; XML built with lxml."""
import json

from lxml import etree


def block_element(tag, fields):
    """An inline block element whose attributes are the fields, as the runtime parses them."""
    node = etree.Element(tag)
    for name, value in fields.items():
        node.set(name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return node


def scenario(*blocks):
    """A workbench scenario: the blocks in one vertical."""
    root = etree.Element("vertical_demo")
    for block in blocks:
        root.append(block)
    return etree.tostring(root, encoding="unicode")
