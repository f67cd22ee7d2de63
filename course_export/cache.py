"""What reading a course source costs, kept between builds and between the preview's reloads.

    cache = SourceCache.load(folder)    or SourceCache() to keep it in memory only (the preview)
    read_programme(source, cache=cache)
    olx_files(course, cache=cache); write_archive(files, path, cache=cache)
    cache.save()                        prunes what this build did not use

Three levels, each a pure function of content, so a build from the cache writes the same bytes as
one without (``tests/course_export/test_cache.py``):

- **Files.** Decoding files, parsing YAML and rendering and sanitising Markdown are kept under the
  BLAKE2b hash of the file's content. A file whose size, times and inode are those seen when its
  hash was taken is not even read (git's index does the same); one changed within a second of that
  moment is read again, since a second write in the same clock tick could leave its times as they
  were. The OLX our own blocks write of themselves is kept by the content of the block's fields.
- **Modules.** Reading a module folder is kept whole (``ModuleMemo``): the chapter it made, the ids
  it claimed, and every file it read with that file's state. When none of those files changed and
  what the module took from the rest of the course (programme id, module ids, dates, asset names,
  language) is the same, the module is not read at all; when one page changed, only that page is
  read and rendered again. Checks across modules (duplicate ids and numbers) still run on every build.
- **Output.** The OLX files of each chapter are kept by the chapter's content, and the archive is a
  sequence of gzip members cut at content-defined points, each kept by the bytes it compresses: a
  rebuild compresses only the members whose files changed.

On disk (under the output folder, ``.kkn-cache``, safe to delete): ``index`` holds the file states,
the small shared results and the archive members; ``objects/`` one file per module memo, per module's
file results and per chapter's OLX, named by content and written once. They are pickles read by an
unpickler that makes nothing but plain values, the spec's dataclasses and datetimes (``_Unpickler``:
no other class or function can be named, so loading runs no code), and each is checked after loading;
a file that cannot be read, was written by another format or other code is ignored: the build is then
simply cold. The key includes a
fingerprint of this package's code, of the blocks' and of the versions of Python, the renderer,
sanitiser, YAML reader, XBlock and lxml.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import stat
import sys
import time
import importlib.util
from pathlib import Path

from . import spec
from .atomic import write_atomic

FORMAT = 5
CACHE_FOLDER = ".kkn-cache"  # under the output folder
FILE_NAME = "index"
OBJECTS = "objects"
RACY_NS = 1_000_000_000  # a file changed less than this before its hash was taken is read again
_SECTIONS = ("files", "texts", "yaml", "html", "olx")


def code_fingerprint():
    """What the cached results depend on besides the source: our code, Python and five libraries (each
    named by its installed files' sizes and times, which an upgrade changes: found, not imported)."""
    digest = hashlib.sha256(f"format {FORMAT} python {sys.version}".encode())
    here = Path(__file__).resolve().parent
    paths = [*sorted(here.glob("*.py")), *sorted((here.parent / "kkn_xblocks").glob("*.py"))]
    for package in ("cmarkgfm", "nh3", "yaml", "xblock", "lxml"):
        found = importlib.util.find_spec(package)
        if found is None or not found.origin:
            digest.update(f"{package} missing".encode())
        else:
            folder = Path(found.origin).parent
            paths += [path for path in sorted(folder.iterdir()) if path.suffix in (".py", ".so", ".pyd")]
    for path in paths:
        status = path.stat()
        digest.update(f"{path} {status.st_size} {status.st_mtime_ns}".encode())
    return digest.hexdigest()


def content_key(text: str):
    """128 bits of BLAKE2b: collision-safe for a course's files, and half the memory of SHA-256 hex keys
    (a 20k-component course keeps some 50,000 of them)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _state_of(status: os.stat_result):
    """What identifies a file's version without reading it: size, times and inode."""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{status.st_ino}:"


def trusted_key(entry, status: os.stat_result):
    """The content key in a file ``entry`` (``state:hashed at:key``) when ``status`` is still that
    state and was not changed within ``RACY_NS`` of the hashing; else ``None``."""
    state = _state_of(status)
    if not isinstance(entry, str) or not entry.startswith(state):
        return None
    hashed_at, _colon, key = entry[len(state):].partition(":")
    if not hashed_at.isdigit() or status.st_ctime_ns > int(hashed_at) - RACY_NS:
        return None
    return key


@dataclasses.dataclass
class ModuleMemo:
    """What reading one module folder produced and took: replayed as it is when none of it changed."""

    context: str  # the digest of what the module took from the rest of the course
    module_id: str  # module.yaml's id (the course's list of module ids is made before reading)
    number: int
    file: str  # module.yaml, relative to the source folder
    title: str
    run: object  # spec.CourseRun: the module's own course
    claims: tuple  # ((url_name, Location), ...) in the order the reading claimed them
    chapter: object  # spec.Chapter
    files: dict  # path -> file entry, every file the reading read
    entries: object  # section -> {key: value}: the files' texts, parses and renderings (on disk: their object)

    def valid(self):
        """Whether a memo read from disk has the shape this code writes."""
        values = ((self.context, str), (self.number, int), (self.file, str), (self.title, str),
                  (self.run, spec.CourseRun), (self.chapter, spec.Chapter), (self.files, dict), (self.claims, tuple),
                  (self.entries, str), (self.module_id, str))
        return (all(isinstance(value, kind) for value, kind in values)
                and all(isinstance(path, str) and isinstance(entry, str) for path, entry in self.files.items())
                and all(isinstance(claim, tuple) and len(claim) == 2 and isinstance(claim[0], str)
                        and isinstance(claim[1], spec.Location) for claim in self.claims))


class SourceCache:
    """Results of reading source files, by content hash; file states, by path; module memos by folder;
    each chapter's OLX and the archive's members by content."""

    def __init__(self, path: Path | None = None):
        self.path = path  # the index file; None: in memory only
        self.code = code_fingerprint()
        self.files = {}  # path -> "size:mtime_ns:ctime_ns:inode:hashed at (ns):content key", one string (memory)
        self.texts = {}  # content key -> the file's text, as the reader accepted it
        self.yaml = {}  # content key -> the parsed YAML, pickled (``loading.Map`` and ``Seq`` keep their lines)
        self.html = {}  # content key of Markdown -> its sanitised HTML
        self.olx = {}  # content key of a block's tag, url_name and fields -> the element it wrote (XML text)
        self.modules = {}  # module folder -> ModuleMemo (in memory) or the name of its object (on disk)
        self.chapters = {}  # content key of a chapter -> {OLX path: bytes} (in memory; on disk: objects)
        self.members = {}  # content key of an archive member's input -> the gzip member
        self._used = {name: set() for name in (*_SECTIONS, "modules", "chapters", "members", "objects")}
        self._recording = None  # the sections' keys used while a module is read
        self._owned = {name: set() for name in _SECTIONS}  # keys kept in a module's objects, not in the index
        self._written = []  # objects written by this build (kept by ``save``)
        self._made = []  # folders made for them, deepest last

    @classmethod
    def load(cls, folder):
        """The cache kept in ``folder``; an empty one when there is none or it is unusable."""
        cache = cls(Path(folder) / FILE_NAME)
        data = _read_object(cache.path)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != cache.code:
            return cache
        for name in (*_SECTIONS, "modules", "members"):
            kept = data.get(name)
            if isinstance(kept, dict):
                setattr(cache, name, kept)
        return cache

    @property
    def _objects(self):
        return self.path.parent / OBJECTS

    def save(self):
        """Keep what this build used, atomically; remove the objects it did not use. A cache that cannot
        be written is only a lost speed-up."""
        if self.path is None:
            return
        data = {"format": FORMAT, "code": self.code}
        for name in (*_SECTIONS, "modules", "members"):
            kept, used, owned = getattr(self, name), self._used[name], self._owned.get(name, ())
            data[name] = {key: kept[key] for key in used if key in kept and key not in owned}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_bytes(self.path, _dumps(data))
            keep = {*self._written, *data["modules"].values(), *self._used["chapters"], *self._used["objects"]}
            if self._objects.is_dir():
                for entry in os.scandir(self._objects):
                    if entry.name not in keep:
                        os.unlink(entry.path)
        except (OSError, ValueError):
            pass

    def discard(self):
        """Remove the objects this build wrote (it failed: the output folder stays as it was)."""
        for name in self._written:
            try:
                os.unlink(self._objects / name)
            except OSError:
                pass
        for folder in reversed(self._made):
            try:
                folder.rmdir()
            except OSError:
                break
        self._written.clear()
        self._made.clear()

    def forget_unused(self):
        """Drop what the last reading did not use (the preview keeps one cache across reloads)."""
        for name, used in self._used.items():
            kept = getattr(self, name, None)
            for key in [key for key in kept or () if key not in used]:
                del kept[key]
            used.clear()

    def _use(self, section, key):
        self._used[section].add(key)
        if self._recording is not None and section in self._recording:
            self._recording[section].add(key)

    def _put_object(self, value, name=None):
        """Write ``value`` as an object named ``name`` (by default its content's hash), once; the name, or
        None when it cannot be written."""
        try:
            data = _dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        name = name or hashlib.blake2b(data, digest_size=16).hexdigest()
        path, sealed = self._objects / name, _sealed(data)
        try:
            whole = path.read_bytes() == sealed  # written before, and not damaged since
        except OSError:
            whole = False
        if not whole:
            try:
                if not self._objects.is_dir():
                    made = [folder for folder in (self._objects, *self._objects.parents) if not folder.exists()]
                    self._objects.mkdir(parents=True)
                    self._made.extend(reversed(made))
                write_atomic(path, sealed)
            except OSError:
                return None
            self._written.append(name)
        return name

    # -- files ----------------------------------------------------------------------------------------
    def known_text(self, path: str, status: os.stat_result):
        """The text of ``path`` when the file is as it was when last read, else ``None``."""
        key = trusted_key(self.files.get(path), status)
        text = self.texts.get(key) if key else None
        if not isinstance(text, str):
            return None
        self._use("files", path)
        self._use("texts", key)
        return text

    def remember_text(self, path: str, status: os.stat_result, text: str):
        """``text``, read from ``path`` after ``status`` was taken, passed the reader's checks."""
        key = content_key(text)
        self.files[path] = f"{_state_of(status)}{time.time_ns()}:{key}"
        self.texts[key] = text
        self._use("files", path)
        self._use("texts", key)

    # -- derived results -------------------------------------------------------------------------------
    def parsed_yaml(self, text, parse):
        """``parse(text)``: a fresh copy of the parse kept for this content, else parsed now and kept.
        ``parse`` returns the data or ``None`` (a problem it has reported: nothing is kept)."""
        key = content_key(text)
        kept = self.yaml.get(key)
        if isinstance(kept, bytes):
            data = _loads(kept)
            if data is not None:
                self._use("yaml", key)
                return data
        data = parse(text)
        if data is not None:
            try:
                self.yaml[key] = _dumps(data)
            except (pickle.PicklingError, TypeError, RecursionError):
                return data  # a value that cannot be kept: parsed each time
            self._use("yaml", key)
        return data

    def rendered(self, markdown, render):
        """``render(markdown)``, kept by the Markdown's content."""
        return self._kept("html", content_key(markdown), str, lambda: render(markdown))

    def written_element(self, identity: str, write):
        """``write()`` (an element's XML text), kept by ``identity`` (all the element depends on)."""
        return self._kept("olx", content_key(identity), str, write)

    # -- modules --------------------------------------------------------------------------------------
    def start_module(self, yaml_path: str):
        """Record the keys of what the reading of one module uses, until ``module_read``, starting with
        its YAML file (read and parsed before)."""
        self._recording = {name: set() for name in _SECTIONS}
        entry = self.files.get(yaml_path)
        if isinstance(entry, str):
            key = entry.rpartition(":")[2]
            self._recording["files"].add(yaml_path)
            self._recording["texts"].add(key)
            self._recording["yaml"].add(key)

    def module_read(self, folder: str, memo_of):
        """The module in ``folder`` was read: keep ``memo_of(files, entries)`` (a ``ModuleMemo``) for it.
        Without ``memo_of`` (the reading found problems) nothing is kept."""
        recorded, self._recording = self._recording, None
        if memo_of is None or recorded is None:
            return
        for name, keys in recorded.items():
            self._owned[name] |= keys
        files = {path: self.files[path] for path in recorded["files"] if path in self.files}
        entries = {name: {key: getattr(self, name)[key] for key in recorded[name] if key in getattr(self, name)}
                   for name in ("texts", "yaml", "html")}
        if self.path is not None:  # on disk the results are an object of their own, read only to re-read the module
            entries = self._put_object(entries)
        memo = memo_of(files, entries)
        if self.path is None:
            self.modules[folder] = memo
        else:
            name = self._put_object(memo) if entries is not None else None
            if name is None:
                self.modules.pop(folder, None)
                return
            self.modules[folder] = name
        self._use("modules", folder)

    def recall_module(self, folder: str, root: str):
        """The memo of the module in ``folder`` when every file it read is as it was, else ``None``.
        When a file changed, what the module's files gave before is put back for the new reading."""
        kept = self.modules.get(folder)
        memo = kept if isinstance(kept, ModuleMemo) else self._load_memo(kept)
        if memo is None:
            return None
        if _unchanged(memo.files, root):
            for path in memo.files:
                self._used["files"].add(path)
            self._use("modules", folder)
            if isinstance(memo.entries, str):
                self._used["objects"].add(memo.entries)  # for the day the module changes
            return memo
        self.reuse(memo)
        return None

    def reuse(self, memo: ModuleMemo):
        """The module is read again: what its files gave before is put at hand, so only what changed is
        read and rendered."""
        entries = memo.entries if isinstance(memo.entries, dict) else self._load_entries(memo.entries)
        for name, kept in entries.items():
            getattr(self, name).update(kept)
        for path, entry in memo.files.items():
            self.files.setdefault(path, entry)

    def _load_memo(self, name):
        if self.path is None or not _is_name(name):
            return None
        memo = _read_object(self._objects / name)
        if not isinstance(memo, ModuleMemo) or not memo.valid():
            return None
        return memo

    def _load_entries(self, name):
        entries = _read_object(self._objects / name) if _is_name(name) else None
        if (not isinstance(entries, dict) or set(entries) != {"texts", "yaml", "html"}
                or not all(isinstance(kept, dict) and all(isinstance(key, str) for key in kept)
                           for kept in entries.values())):
            return {}
        return {name: {key: value for key, value in kept.items() if isinstance(value, bytes if name == "yaml" else str)}
                for name, kept in entries.items()}

    # -- output ---------------------------------------------------------------------------------------
    def chapter_files(self, chapter, write):
        """``write()`` (the chapter's OLX files), kept by the chapter's content, with the elements our
        blocks wrote in it (they stay known while the chapter is unchanged)."""
        try:
            key = _value_key(chapter)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return write()  # a value the cache cannot hold: written afresh each time
        kept = self.chapters.get(key) if self.path is None else self._load_chapter(key)
        if kept is None:
            before = set(self._used["olx"])
            files = write()
            kept = (files, {element: self.olx[element] for element in self._used["olx"] - before})
            if self.path is None:
                self.chapters[key] = kept
            elif self._put_object(kept, key) is None:
                return files
        files, elements = kept
        for element, text in elements.items():
            self.olx.setdefault(element, text)
            self._use("olx", element)
        self._used["chapters"].add(key)
        return files

    def _load_chapter(self, key):
        kept = _read_object(self._objects / key)
        if (not isinstance(kept, tuple) or len(kept) != 2 or not isinstance(kept[0], dict)
                or not isinstance(kept[1], dict)
                or not all(isinstance(k, str) and isinstance(v, bytes) for k, v in kept[0].items())
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in kept[1].items())):
            return None
        return kept

    def archive_member(self, key: str, make):
        """``make()`` (a gzip member of the archive), kept by ``key`` (the content it compresses)."""
        return self._kept("members", key, bytes, make)

    def _kept(self, section, key, kind, make):
        """``make()``, kept in ``section`` under ``key``; a kept value not of ``kind`` is made again."""
        kept = getattr(self, section)
        value = kept.get(key)
        if not isinstance(value, kind):
            value = kept[key] = make()
        self._use(section, key)
        return value


def _unchanged(files, root: str):
    """Whether every file of ``files`` (path -> entry) is a plain file (not a link, which could lead out
    of the source folder) as it was, and its folder still lies in the source folder (a folder moved out
    and linked back keeps its files' inodes and times; the reader refuses files there)."""
    prefix = root + os.sep
    for path, entry in files.items():
        try:
            status = os.lstat(path)
        except OSError:
            return False
        if not path.startswith(prefix) or not stat.S_ISREG(status.st_mode) or trusted_key(entry, status) is None:
            return False
    return all(os.path.realpath(folder).startswith(prefix) for folder in {os.path.dirname(path) for path in files})


def _is_name(name):
    return isinstance(name, str) and len(name) == 32 and name.isalnum()


def _value_key(value):
    """A digest of ``value``'s content alone: pickled without its memo, so objects shared or not (a
    chapter read from its source or from a memo) give the same bytes. The spec is a tree (no cycles)."""
    digest = hashlib.blake2b(digest_size=16)
    pickler = pickle.Pickler(_Digesting(digest), protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return digest.hexdigest()


class _Digesting:
    """A file that digests what is written to it."""

    def __init__(self, digest):
        self.write = digest.update


def _dumps(value):
    return pickle.dumps(value, protocol=5)


class _Unpickler(pickle.Unpickler):
    """Makes plain values, the spec's dataclasses and datetimes; names nothing else (so it runs no
    code): the way the ``pickle`` documentation gives to restrict what a pickle may make."""

    ALLOWED = {("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta"),
               ("course_export.cache", "ModuleMemo"), ("course_export.loading", "Map"),
               ("course_export.loading", "Seq")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED or (module == "course_export.spec" and name in _SPEC_CLASSES):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not made from the cache")


_SEAL = 16  # bytes of BLAKE2b of the rest, at the head of every file the cache writes


def _read_object(path):
    """The value in a cache file, or None. A damaged file (its seal does not match what follows, or
    it does not unpickle) is removed, so that the next build writes it afresh."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    value = _loads(data[_SEAL:]) if hashlib.blake2b(data[_SEAL:], digest_size=_SEAL).digest() == data[:_SEAL] else None
    if value is None:
        try:
            os.unlink(path)
        except OSError:
            pass
    return value


def _loads(data):
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except Exception:  # pylint: disable=broad-exception-caught  # any damage: an unusable cache, a cold build
        return None


def _sealed(data: bytes):
    """``data`` behind its seal, as the cache writes its files (``_read_object``)."""
    return hashlib.blake2b(data, digest_size=_SEAL).digest() + data


def _write_bytes(path: Path, data: bytes):
    """``data`` as the file ``path``, sealed, whole or not at all."""
    write_atomic(path, _sealed(data))


_SPEC_CLASSES = {cls.__name__ for cls in (spec.Location, spec.Html, spec.Video, spec.Choice, spec.Problem,
                                          spec.CustomBlock, spec.Unit, spec.Subsection, spec.Chapter, spec.CourseRun,
                                          spec.About)}
