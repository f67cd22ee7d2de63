"""What reading a course source costs, kept between builds and between the preview's reloads.

    cache = SourceCache.load(folder)    or SourceCache() to keep it in memory only (the preview)
    read_course(source, cache=cache)
    cache.save()                        prunes what this reading did not use, writes one JSON file

Reading a large source spends its time decoding files, parsing YAML and rendering and sanitising
Markdown. All three are pure functions of a file's content, so their results are kept under the
BLAKE2b hash of that content: a page is rendered again only when its text changed, a YAML file parsed
again only when it changed. A file whose size, times and inode are those seen when its hash was
taken is not even read (git's index does the same); one changed within a second of that moment is
read again, since a second write in the same clock tick could leave its times as they were.

The OLX our own blocks write of themselves is kept too, by the content of the block's fields: a
rebuild whose blocks did not change loads neither their classes nor Django to write them again.

Everything else (every check, every spec value, the rest of the OLX and the archive) is made afresh
from these results, so a build from the cache writes the same bytes as one without (``tests/
course_export/test_cache.py``). The file is safe to delete, and one that cannot be read, was
written by another format or by other code is ignored: the build is then simply cold. The key
includes a fingerprint of this package's own code, of the blocks' and of the versions of the renderer,
sanitiser, YAML reader, XBlock and lxml.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from importlib import metadata
from pathlib import Path

from .loading import Map, Seq

FORMAT = 3
CACHE_FOLDER = ".kkn-cache"  # under the output folder
FILE_NAME = "source-cache.json"
RACY_NS = 1_000_000_000  # a file changed less than this before its hash was taken is read again


def code_fingerprint():
    """What the cached results depend on besides the source: our code and three libraries."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for package in ("cmarkgfm", "nh3", "PyYAML", "XBlock", "lxml"):
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing".encode())
    here = Path(__file__).resolve().parent
    for folder in (here, here.parent / "kkn_xblocks"):
        for path in sorted(folder.glob("*.py")):
            status = path.stat()
            digest.update(f"{path.name} {status.st_size} {status.st_mtime_ns}".encode())
    return digest.hexdigest()


def content_key(text: str):
    """128 bits of BLAKE2b: collision-safe for a course's files, and half the memory of SHA-256 hex keys
    (a 20k-component course keeps some 50,000 of them)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _state_of(status: os.stat_result):
    """What identifies a file's version without reading it: size, times and inode."""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{status.st_ino}:"


class SourceCache:
    """Results of reading source files, by content hash; file states, by path."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.code = code_fingerprint()
        self.files = {}  # path -> "size:mtime_ns:ctime_ns:inode:hashed at (ns):content key", one string (memory)
        self.texts = {}  # content key -> the file's text, as the reader accepted it
        self.yaml = {}  # content key -> the parsed YAML as JSON text (see ``encode_yaml``)
        self.html = {}  # content key of Markdown -> its sanitised HTML
        self.olx = {}  # content key of a block's tag, url_name and fields -> the element it wrote (XML text)
        self._used = {"files": set(), "texts": set(), "yaml": set(), "html": set(), "olx": set()}
        self._changed = False  # anything learnt since loading (what was not used is dropped on saving)

    @classmethod
    def load(cls, folder):
        """The cache kept in ``folder``; an empty one when there is none or it is unusable."""
        cache = cls(Path(folder) / FILE_NAME)
        try:
            with open(cache.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, RecursionError):
            return cache
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != cache.code:
            return cache
        for name in cache._used:
            if isinstance(data.get(name), dict):
                setattr(cache, name, data[name])
        return cache

    def save(self):
        """Keep what this reading used, atomically; a cache that cannot be written is only a lost speed-up."""
        if self.path is None:
            return
        if not self._changed and all(len(used) == len(getattr(self, name)) for name, used in self._used.items()):
            return  # the file holds exactly this already
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                self._write(out)
            os.replace(temporary, self.path)
        except (OSError, ValueError):  # ValueError: text JSON cannot write as UTF-8 (never read so)
            Path(temporary).unlink(missing_ok=True)

    def _write(self, out):
        """The JSON written entry by entry (``json.dumps`` is the C encoder; one big string of a large
        course's cache would add its size to the build's peak memory)."""
        dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
        out.write(f'{{"format":{FORMAT},"code":{dumps(self.code)}')
        for name, used in self._used.items():
            kept = getattr(self, name)
            separator = f",{dumps(name)}:{{"
            for key in sorted(used):
                if key in kept:
                    out.write(f"{separator}{dumps(key)}:{dumps(kept[key])}")
                    separator = ","
            out.write("}" if separator == "," else f"{separator}}}")
        out.write("}")

    def forget_unused(self):
        """Drop what the last reading did not use (the preview keeps one cache across reloads)."""
        for name, used in self._used.items():
            kept = getattr(self, name)
            for key in [key for key in kept if key not in used]:
                del kept[key]
            used.clear()
        self._changed = False

    # -- files ----------------------------------------------------------------------------------------
    def known_text(self, path: str, status: os.stat_result):
        """The text of ``path`` when the file is as it was when last read, else ``None``."""
        entry, state = self.files.get(path), _state_of(status)
        if not isinstance(entry, str) or not entry.startswith(state):
            return None
        hashed_at, _colon, key = entry[len(state):].partition(":")
        if not hashed_at.isdigit() or status.st_ctime_ns > int(hashed_at) - RACY_NS:
            return None
        text = self.texts.get(key)
        if not isinstance(text, str):
            return None
        self._used["files"].add(path)
        self._used["texts"].add(key)
        return text

    def remember_text(self, path: str, status: os.stat_result, text: str):
        """``text``, read from ``path`` after ``status`` was taken, passed the reader's checks."""
        key = content_key(text)
        self.files[path] = f"{_state_of(status)}{time.time_ns()}:{key}"
        self.texts[key] = text
        self._changed = True
        self._used["files"].add(path)
        self._used["texts"].add(key)

    # -- derived results -------------------------------------------------------------------------------
    def parsed_yaml(self, text, parse):
        """``parse(text)``: a fresh copy of the parse kept for this content, else parsed now and kept.
        ``parse`` returns the data or ``None`` (a problem it has reported: nothing is kept)."""
        key = content_key(text)
        encoded = self.yaml.get(key)
        if isinstance(encoded, str):
            try:
                data = decode_yaml(json.loads(encoded))
            except (TypeError, ValueError, IndexError, KeyError, RecursionError):
                data = None
            if data is not None:
                self._used["yaml"].add(key)
                return data
        data = parse(text)
        if data is not None:
            try:
                self.yaml[key] = json.dumps(encode_yaml(data), ensure_ascii=False, separators=(",", ":"))
                self._used["yaml"].add(key)
                self._changed = True
            except (TypeError, ValueError, RecursionError):
                pass  # a value JSON cannot hold (!!binary, !!set, a nesting too deep): parsed each time
        return data

    def rendered(self, markdown, render):
        """``render(markdown)``, kept by the Markdown's content."""
        key = content_key(markdown)
        html = self.html.get(key)
        if not isinstance(html, str):
            html = self.html[key] = render(markdown)
            self._changed = True
        self._used["html"].add(key)
        return html

    def written_element(self, identity: str, write):
        """``write()`` (an element's XML text), kept by ``identity`` (all the element depends on)."""
        key = content_key(identity)
        text = self.olx.get(key)
        if not isinstance(text, str):
            text = self.olx[key] = write()
            self._changed = True
        self._used["olx"].add(key)
        return text


# -- YAML as JSON ----------------------------------------------------------------------------------------
# The reader's YAML keeps lines (``loading.Map``/``Seq``); JSON keeps them as tagged lists. Every JSON
# list here is a container of ours, so author data can never be mistaken for one.
def encode_yaml(value):
    if isinstance(value, Map):
        return ["m", value.line, [[key, encode_yaml(item)] for key, item in value.items()], value.lines,
                value.raw, [list(pair) for pair in value.duplicates]]
    if isinstance(value, Seq):
        return ["s", value.line, [encode_yaml(item) for item in value], value.lines]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(type(value).__name__)


def decode_yaml(value):
    if not isinstance(value, list):
        return value
    if value[0] == "m":
        result = Map()
        result.line = value[1]
        for key, item in value[2]:
            result[key] = decode_yaml(item)
        result.lines = dict(value[3])
        result.raw = dict(value[4])
        result.duplicates = [tuple(pair) for pair in value[5]]
        return result
    if value[0] == "s":
        result = Seq()
        result.line = value[1]
        result.extend(decode_yaml(item) for item in value[2])
        result.lines = list(value[3])
        return result
    raise ValueError(value[0])
