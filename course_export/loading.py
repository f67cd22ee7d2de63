"""Typed reading of YAML source files, with every problem reported at once with file, line and key.

``Problems`` collects what is wrong; ``Fields`` reads one YAML mapping key by key (types, ranges,
ids, dates, Markdown or a ``.md`` file), records a problem for each bad value and returns ``None``
for it, so the reader goes on and the author gets the whole list in one run.
"""
from __future__ import annotations

import codecs
import datetime as dt
import difflib
import os
import re
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from .i18n import _
from .spec import URL_NAME, Location, SourceProblem

AUTHOR_ZONE = ZoneInfo("Europe/Stockholm")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$")
MAX_TEXT_FILE_BYTES = 2_000_000
# Real course files nest five levels; libyaml's composer recurses in C and dies (SIGSEGV) on
# tens of thousands, so the nesting is measured on the parser's events before anything is composed.
MAX_YAML_DEPTH = 50
MIN_YEAR, MAX_YEAR = 2000, 2200
# What XML 1.0 cannot hold (OLX is XML): control characters other than tab and newlines, and U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# url_names may have 64 characters; the builder prefixes ids ("u-", "s-", "c-") and suffixes
# component numbers ("-12") to them.
MAX_ID_CHARS = 60


# --- YAML that remembers lines --------------------------------------------------------------------
class Map(dict):
    """A YAML mapping; ``line`` is where it starts, ``lines[key]`` where each key was written."""

    line = None

    def __init__(self):
        super().__init__()
        self.lines = {}
        self.raw = {}  # key -> the scalar as written, where YAML made a number or bool of it
        self.duplicates = []


class Seq(list):
    """A YAML sequence; ``lines[i]`` is where item i starts."""

    line = None

    def __init__(self):
        super().__init__()
        self.lines = []


# libyaml's parser when PyYAML has it (the pure-Python one is ten times slower on large courses).
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # pylint: disable=too-many-ancestors
    """Safe YAML; mappings and sequences keep their lines; dates stay text (we read them ourselves)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader, node):
    loader.flatten_mapping(node)
    result = Map()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, _("a key must be a plain word, not a list or a mapping"),
                                                    key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        key = key if isinstance(key, str) else str(key)  # a number or true/false: short
        if key in result:
            result.duplicates.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and not isinstance(result[key], str):
            result.raw[key] = value_node.value  # "017", "4:00", "1.10": text keys keep what was written
    return result


def _construct_seq(loader, node):
    result = Seq()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.lines.append(item.start_mark.line + 1)
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# --- problems -----------------------------------------------------------------------------------
class Problems:
    """The problems found in one source folder; file names are kept relative to it."""

    def __init__(self, root: Path, cache=None):
        self.root = root
        self.cache = cache  # a cache.SourceCache: files and parses kept from an earlier reading
        self._prefix = str(root) + os.sep
        self._real_folders = {}
        self.found: list[SourceProblem] = []

    def name(self, path):
        """``path`` (a Path or str) relative to the source folder, with "/" separators."""
        text = str(path)
        if text.startswith(self._prefix):
            return text[len(self._prefix):].replace(os.sep, "/")
        return text

    def located(self, path: str):
        """``(inside, status)``: whether the normalised ``path`` lies in the source folder (not through
        ".." or a link out), and its ``lstat`` when it is no link (what ``stat`` would say too, for
        ``read_text``), else None."""
        if not path.startswith(self._prefix):
            return False, None
        folder = os.path.dirname(path)
        real = self._real_folders.get(folder)
        if real is None:
            real = self._real_folders[folder] = os.path.realpath(folder) + os.sep
        try:
            status = os.lstat(path)
        except OSError:
            status = None
        if status is not None and stat.S_ISLNK(status.st_mode):
            return os.path.realpath(path).startswith(self._prefix), None
        return real.startswith(self._prefix), status

    def add(self, where: Location, message, hint=""):
        self.found.append(SourceProblem(where, message, hint))

    def read_text(self, path, where: Location, status=None):
        """A UTF-8 text file, or ``None`` with a problem said at ``where``. ``status``: its ``stat``
        when the caller has it (``located``)."""
        if status is None:
            try:
                status = os.stat(path)
            except OSError:
                status = None
        kind = status.st_mode if status else None
        if kind is None or not stat.S_ISREG(kind):
            self.add(where, _("The file {file} does not exist.").format(file=self.name(path)) if kind is None else
                     _("{file} is not a plain file.").format(file=self.name(path)),
                     _("Create it, or correct the file name (names are case-sensitive)."))
            return None
        if self.cache is not None:
            text = self.cache.known_text(str(path), status)
            if text is not None:
                return text
        try:
            data = _read_bytes(path, status.st_size)
        except OSError as error:
            self.add(where, _("The file {file} cannot be read: {reason}.").format(
                file=self.name(path), reason=error.strerror or error), _("Make it readable for you (its permissions)."))
            return None
        if len(data) > MAX_TEXT_FILE_BYTES:
            self.add(where, _("The file {file} is larger than {limit} MB.").format(
                file=self.name(path), limit=MAX_TEXT_FILE_BYTES // 1_000_000), _("Split it into smaller pages."))
            return None
        try:
            # as "utf-8-sig" decodes (the error's position counts from after the mark), without its
            # Python-level codec
            text = (data[3:] if data.startswith(codecs.BOM_UTF8) else data).decode("utf-8")
        except UnicodeDecodeError as error:
            self.add(Location(self.name(path)), _("The file is not UTF-8 text (byte {position}).").format(
                position=error.start), _("Save it as UTF-8 in your editor."))
            return None
        bad = _NOT_XML.search(text)
        if bad:
            self.add(Location(self.name(path), text.count("\n", 0, bad.start()) + 1), _not_xml_message(bad))
            return None
        if self.cache is not None:
            self.cache.remember_text(str(path), status, text)
        return text

    def load_yaml(self, path: Path):
        """The file's top mapping, or ``None`` with a problem (missing, not YAML, not a mapping)."""
        name = self.name(path)
        normal = os.path.normpath(str(path))
        inside, status = self.located(normal)
        if not inside:
            self.add(Location(name), _("The file {file} is outside the course folder.").format(file=name),
                     _("Keep every file of the course inside its folder."))
            return None
        text = self.read_text(normal, Location(name), status)
        if text is None:
            return None
        try:
            data = self._parse_yaml(text)
        except _RefusedYaml as refused:
            self.add(Location(name, refused.line), refused.message, refused.hint)
            return None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            self.add(Location(name, mark.line + 1 if mark else None),
                     _("This is not valid YAML: {problem}.").format(problem=yaml_problem(error.problem or error.context)),
                     _("Check the indentation and quote text that contains a colon followed by a space."))
            return None
        except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            # explicit tags (!!int abc, !!map [1]), numbers too long to read, nesting too deep
            self.add(Location(name), _("This is not valid YAML: {problem}.").format(problem=str(error)[:200]),
                     _("Write plain values without \u201c!!\u201d tags (see \u201ckkn-course docs\u201d)."))
            return None
        if data is None:
            data = Map()
        if not isinstance(data, Map):
            self.add(Location(name, 1), _("The file must hold keys and values (a YAML mapping)."),
                     _("Write it as lines like \u201ctitle: ...\u201d."))
            return None
        return data

    def _parse_yaml(self, text):
        """The YAML in ``text``; from the cache when this very content was parsed before."""
        if self.cache is None:
            return _parse_yaml(text)
        return self.cache.parsed_yaml(text, _parse_yaml)


def _read_bytes(path, size):
    """The file's bytes, at most ``MAX_TEXT_FILE_BYTES + 1`` of them (one more says it is too large).

    Read with the size ``stat`` gave, and on to the end in case the file grew: a buffered
    ``read(MAX_TEXT_FILE_BYTES + 1)`` allocated two megabytes for every small page."""
    limit = MAX_TEXT_FILE_BYTES + 1
    handle = os.open(path, os.O_RDONLY)
    try:
        data = os.read(handle, min(size + 1, limit))
        while len(data) < limit:
            more = os.read(handle, limit - len(data))
            if not more:
                break
            data += more
    finally:
        os.close(handle)
    return data


class _RefusedYaml(ValueError):
    """YAML refused before it is built (aliases, deep nesting): where and why."""

    def __init__(self, line, message, hint):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def _parse_yaml(text):
    """The YAML in ``text``; the C loader never sees an alias bomb or deep nesting. A refusal
    raises, so the cache keeps only parses that passed the check.

    Plain course YAML (no aliases, anchors or tags, one document, at most ``MAX_YAML_DEPTH`` levels)
    is built in one pass over the parser's events (``_plain_yaml``). Anything else, and any error,
    goes the exact way: the shape check on the events first, then PyYAML's own loader. The one-pass
    reading gives what that loader gives (``tests/course_export/test_loading.py`` compares them) at
    a third of the cost: one parse instead of two, no composed nodes, no recursive constructors.
    """
    data = _plain_yaml(text)
    if data is not _NOT_PLAIN:
        return data
    refused = _refused_shape(text)
    if refused:
        raise _RefusedYaml(*refused)
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


_NOT_PLAIN = object()  # _plain_yaml's answer for YAML it leaves to the exact way
_NO_KEY = object()
_SCALAR_TAGS = {tag: _Loader.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")}
_SCALARS = yaml.constructor.SafeConstructor()  # what those constructors read (bool_values, construct_scalar)
# The implicit resolvers to try for a plain scalar, by its first character ("" for an empty one), as
# BaseResolver.resolve tries them (the safe loader has no path resolvers).
_ANY_START = list(_Loader.yaml_implicit_resolvers.get(None, []))
_RESOLVERS = {first: list(resolvers) + _ANY_START
              for first, resolvers in _Loader.yaml_implicit_resolvers.items() if first is not None}


def _plain_scalar(value):
    """What ``_Loader`` makes of a plain scalar without a tag: the resolver's tag, then the safe
    constructor's value."""
    for tag, regexp in _RESOLVERS.get(value[:1], _ANY_START):
        if regexp.match(value):
            if tag not in _SCALAR_TAGS:  # "<<" (merge) and "=" (value): the exact way
                return _NOT_PLAIN
            return _SCALAR_TAGS[tag](_SCALARS, yaml.ScalarNode(tag, value))
    return value


def _plain_yaml(text):
    """``text`` loaded as ``_Loader`` loads it, from one pass over libyaml's events with no recursion
    (the nesting is counted on the way, so the C composer's recursion is never reached); or
    ``_NOT_PLAIN`` for what only the exact way judges: aliases, anchors, tags, a second document,
    a key that is a list or a mapping, nesting beyond ``MAX_YAML_DEPTH``, and every error."""
    loader = _BaseLoader(text)
    try:
        return _plain_events(loader.get_event)
    except Exception:  # pylint: disable=broad-except - the exact way reports it
        return _NOT_PLAIN
    finally:
        loader.dispose()


def _plain_events(next_event):  # pylint: disable=too-many-branches
    scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    root, documents = _NOT_PLAIN, 0
    top, lines, in_map, key, key_line = None, None, False, _NO_KEY, None  # the collection being filled
    outer = []  # the collections around it, each with its own state
    plain = {}
    while True:
        event = next_event()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or event.tag is not None:
                return _NOT_PLAIN
            written = event.value
            if event.implicit[0]:  # plain: resolved as the loader would, once per distinct text
                value = plain.get(written, _NO_KEY)
                if value is _NO_KEY:
                    value = plain[written] = _plain_scalar(written)
                if value is _NOT_PLAIN:
                    return _NOT_PLAIN
            else:
                value = written
            if in_map:
                if key is _NO_KEY:
                    key, key_line = value if isinstance(value, str) else str(value), event.start_mark.line + 1
                    continue
                if key in top:
                    top.duplicates.append((key, key_line))
                top[key] = value
                lines[key] = key_line
                if not isinstance(value, str):
                    top.raw[key] = written  # as _construct_map keeps it
                key = _NO_KEY
            elif top is not None:
                top.append(value)
                lines.append(event.start_mark.line + 1)
            else:
                root = value
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(outer) >= MAX_YAML_DEPTH:
                return _NOT_PLAIN
            made = Map() if kind is mapping_start else Seq()
            made.line = event.start_mark.line + 1
            if in_map:
                if key is _NO_KEY:  # a list or a mapping as a key
                    return _NOT_PLAIN
                if key in top:
                    top.duplicates.append((key, key_line))
                top[key] = made
                lines[key] = key_line
                key = _NO_KEY
            elif top is not None:
                top.append(made)
                lines.append(made.line)
            else:
                root = made
            outer.append((top, lines, in_map, key, key_line))
            top, lines, in_map, key = made, made.lines, kind is mapping_start, _NO_KEY
        elif kind in closing:
            top, lines, in_map, key, key_line = outer.pop()
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return _NOT_PLAIN
        elif kind is yaml.StreamEndEvent:
            return None if root is _NOT_PLAIN else root
        elif kind is not yaml.DocumentEndEvent and kind is not yaml.StreamStartEvent:
            return _NOT_PLAIN  # an alias


def _refused_shape(text):
    """``(line, message, hint)`` when the YAML uses aliases or nests too deep, else None.

    Read from the parser's event stream (flat, no recursion, nothing built): an alias repeats a
    whole subtree, so nine nested aliases make 9**9 values out of a few lines (a "billion laughs");
    a course source never needs one.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            return (event.start_mark.line + 1, _("YAML aliases (\u201c*{name}\u201d) are not supported here.").format(
                name=str(event.anchor)[:40]), _("Write the value out where you need it."))
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return (event.start_mark.line + 1, _("The values nest more than {limit} levels deep.").format(
                    limit=MAX_YAML_DEPTH), _("Write the file as in docs/course-source.md: a few levels of keys "
                                             "and lists."))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


# --- typed fields -------------------------------------------------------------------------------
class Fields:
    """Read the keys of one YAML mapping; every bad value becomes a problem and reads as ``None``."""

    def __init__(self, problems: Problems, data, file: str, folder: Path, prefix=""):
        self.problems = problems
        self.file = file
        self.folder = folder  # relative .md paths are read from here
        self.prefix = prefix
        self.data = data if isinstance(data, Map) else Map()
        for key, line in self.data.duplicates:
            self.problems.add(Location(file, line, self.key(key)), _("The key is written twice."),
                              _("Keep one of them."))

    # where things are
    def key(self, key):
        return f"{self.prefix}.{key}" if self.prefix else key

    def at(self, key=None):
        if key is None:
            return Location(self.file, self.data.line, self.prefix)
        return Location(self.file, self.data.lines.get(key, self.data.line), self.key(key))

    def error(self, key, message, hint=""):
        self.problems.add(self.at(key), message, hint)

    def known(self, *allowed):
        """Unknown keys are errors, with the closest known key as a hint."""
        for key in self.data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = (_("Did you mean \u201c{key}\u201d?").format(key=close[0]) if close else
                    _("Known keys here: {keys}.").format(keys=", ".join(allowed)))
            self.error(key, _("Unknown key \u201c{key}\u201d.").format(key=key), hint)

    def has(self, key):
        return self.data.get(key) is not None

    def _missing(self, key):
        self.problems.add(self.at(key) if key in self.data else Location(self.file, self.data.line, self.key(key)),
                          _("\u201c{key}\u201d is required.").format(key=self.key(key)),
                          _("Add it (see \u201ckkn-course docs\u201d)."))

    def _value(self, key, required):
        value = self.data.get(key)
        if value is None and required:
            self._missing(key)
        return value

    # scalar types
    def text(self, key, required=False, default="", limit=255):
        value = self._value(key, required)
        if value is None:
            return None if required else default
        if not isinstance(value, str):
            value = self.data.raw.get(key)
        if value is None:
            self.error(key, _("Write text here."))
            return None
        value = value.strip()
        if not self._xml_safe(key, value):
            return None
        if required and not value:
            self._missing(key)
            return None
        if len(value) > limit:
            self.error(key, _("At most {limit} characters (this has {count}).").format(limit=limit, count=len(value)))
            return None
        return value

    def integer(self, key, default=None, minimum=0, maximum=1_000_000, required=False):
        value = self._value(key, required)
        if value is None:
            return None if required else default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.error(key, _("Write a whole number from {minimum} to {maximum}.").format(
                minimum=minimum, maximum=maximum))
            return None
        return value

    def number(self, key, default=None, minimum=0.0, maximum=1000.0, required=False):
        value = self._value(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= maximum:
            self.error(key, _("Write a number from {minimum:g} to {maximum:g}.").format(
                minimum=minimum, maximum=maximum))
            return None
        return float(value)

    def boolean(self, key, default):
        value = self._value(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, _("Write true or false."))
            return None
        return value

    def choice(self, key, choices, default):
        value = self._value(key, False)
        if value is None:
            return default
        if value not in choices:
            self.error(key, _("Write one of: {choices}.").format(choices=", ".join(choices)))
            return None
        return value

    def ident(self, key, required=True, lowercase=False):
        """An id that becomes a url_name: ASCII letters, digits, "-" and "_", at most 64."""
        value = self.text(key, required=required, default=None, limit=1000)
        if value is None:
            return None
        if (not URL_NAME.match(value) or len(value) > MAX_ID_CHARS
                or (lowercase and not re.match(r"^[a-z0-9][a-z0-9_-]*$", value))):
            letters = _("lowercase letters") if lowercase else _("letters")
            self.error(key, _("\u201c{value}\u201d is not a valid id.").format(value=value[:80]),
                       _("Use 1 to 60 {letters}, digits, \u201c-\u201d or \u201c_\u201d (no \u00e5, \u00e4, \u00f6 or "
                         "spaces), for example \u201cmodul-1\u201d.").format(letters=letters))
            return None
        return value

    def date(self, key, required=False):
        """A date or time in Swedish time (or with an explicit offset), as an aware UTC datetime."""
        value = self._value(key, required)
        if value is None:
            return None
        moment = parse_moment(value)
        if moment is None:
            shown = str(value)[:40] if isinstance(value, (str, int, float)) else "\u2026"  # never str() a tree
            self.error(key, _("\u201c{value}\u201d is not a date.").format(value=shown),
                       _("Write 2027-01-18, 2027-01-18T09:00 (Swedish time) or 2027-01-18T08:00:00Z."))
        return moment

    def strings(self, key, required=False, limit=500):
        """A list of non-empty strings."""
        value = self._value(key, required)
        if value is None:
            return None if required else []
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                                  and str(v).strip() for v in value):
            self.error(key, _("Write a list of texts, one per line starting with \u201c- \u201d."))
            return None
        if any(len(str(v)) > limit for v in value):
            self.error(key, _("Each text may have at most {limit} characters.").format(limit=limit))
            return None
        if not all(self._xml_safe(key, str(v)) for v in value):
            return None
        if required and not value:
            self._missing(key)
            return None
        return [str(v).strip() for v in value]

    def markdown(self, key, required=False):
        """Markdown text, or the text of the ``.md`` file the value names. Returns ``(text, file)``."""
        value = self._value(key, required)
        if value is None:
            return ("", None) if not required else (None, None)
        if not isinstance(value, str):
            self.error(key, _("Write Markdown text or the name of a .md file."))
            return None, None
        if is_md_reference(value):
            path = os.path.normpath(os.path.join(self.folder, value.strip()))
            inside, status = self.problems.located(path)
            if not inside:
                self.error(key, _("The file {file} is outside the course folder.").format(file=value.strip()),
                           _("Keep every file of the course inside its folder."))
                return None, None
            text = self.problems.read_text(path, self.at(key), status)
            if text is not None and required and not text.strip():
                self.error(key, _("The file {file} is empty.").format(file=self.problems.name(path)),
                           _("Write the text in it."))
                return None, None
            return text, (self.problems.name(path) if text is not None else None)
        if required and not value.strip():
            self._missing(key)
            return None, None
        if not self._xml_safe(key, value):
            return None, None
        return value, None

    def _xml_safe(self, key, value):
        bad = _NOT_XML.search(value)
        if bad:
            self.error(key, _not_xml_message(bad))
        return not bad

    # nested values
    def mapping(self, key, required=False):
        """The ``Fields`` of a nested mapping (empty when absent), or ``None`` when it is not one."""
        value = self._value(key, required)
        if value is None:
            return Fields(self.problems, Map(), self.file, self.folder, self.key(key))
        if not isinstance(value, Map):
            self.error(key, _("Write keys and values here, indented under \u201c{key}:\u201d.").format(key=key))
            return None
        return Fields(self.problems, value, self.file, self.folder, self.key(key))

    def items(self, key, required=False):
        """``[(Fields, index)]`` for a list of mappings; a non-mapping item is a problem."""
        value = self._value(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(key, _("Write a list here: each item on a line starting with \u201c- \u201d."))
            return []
        result, named = [], self.key(key)
        for index, item in enumerate(value):
            prefix = f"{named}[{index + 1}]"
            if not isinstance(item, Map):
                line = value.lines[index] if isinstance(value, Seq) else None
                self.problems.add(Location(self.file, line, prefix), _("Write keys and values for this item."))
                continue
            result.append((Fields(self.problems, item, self.file, self.folder, prefix), index))
        if required and not value:
            self._missing(key)
        return result


def yaml_problem(text):
    """PyYAML's (libyaml's) own words for the usual mistakes, in the author's language; others as they are."""
    text = str(text or "")
    if text.startswith("could not determine a constructor for the tag "):
        return _("the tag {tag} is not allowed").format(tag=text.rsplit(" ", 1)[-1])
    known = {
        "mapping values are not allowed in this context": _("a colon followed by a space is not allowed here"),
        "mapping values are not allowed here": _("a colon followed by a space is not allowed here"),
        "did not find expected key": _("did not find the next key where the indentation says it should be"),
        "could not find expected ':'": _("did not find the colon after a key"),
        "found character that cannot start any token": _("found a character that cannot start a value (a tab, or "
                                                         "an unquoted @, ` or %)"),
        "found a tab character where an indentation space is expected": _("found a tab where the indentation must "
                                                                          "be spaces"),
        "did not find expected '-' indicator": _("did not find the \u201c- \u201d of the next list item"),
        "did not find expected ',' or ']'": _("a list written in [ ] is not closed"),
        "did not find expected ',' or '}'": _("a mapping written in { } is not closed"),
        "did not find expected node content": _("a value is missing"),
        "found unexpected end of stream": _("a quoted text is not closed"),
        "found unknown escape character": _("a backslash in double quotes starts an unknown escape"),
        "found undefined alias": _("an alias (*name) refers to no anchor (&name)"),
        "second occurrence": _("an anchor (&name) is defined twice"),  # libyaml: "found duplicate anchor"
        "but found another document": _("the file holds a second document after \u201c---\u201d"),
    }
    return known.get(text, text)


def _not_xml_message(match):
    return _("The text holds the control character U+{code:04X}, which a course cannot hold.").format(
        code=ord(match.group()))


def is_md_reference(value):
    text = value.strip()
    return text.lower().endswith(".md") and "\n" not in text and " " not in text


def parse_moment(value):
    """``2027-01-18`` (midnight), ``2027-01-18T09:00`` (Swedish time) or ISO with offset -> UTC."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _DATE.match(text):
            moment = dt.datetime.fromisoformat(text).replace(tzinfo=AUTHOR_ZONE)
        elif _LOCAL_TIME.match(text):
            moment = dt.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=AUTHOR_ZONE)
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=AUTHOR_ZONE)
        moment = moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment if MIN_YEAR <= moment.year <= MAX_YEAR else None
