"""Check a course before Studio sees it: ``validate_path``, ``validate_archive``, ``validate_folder``.

Studio's import reports success for a course it imported only in part: a pointer to a missing
file, a custom block attribute that is not a field, a graded subsection whose ``format`` matches
no grader, a pointer tag with one attribute too many (Studio then makes an *empty* inline block):
each is logged on the server, skipped, and the import still "Succeeded". So everything that can be
known from the files is checked here, before the upload, and reported as :class:`Problem` s that
name the file (and line) and say how to fix it.

The checks, in the order they run:

1. **Archive safety** (``validate_archive``), before a single byte is written: only regular files
   and folders, relative paths under one top folder, no ``..``, links or devices, one
   ``course.xml``, a bounded total size. Only then is the archive extracted, into a temporary
   folder, and checked as a folder.
2. **olxcleaner**, the validator Studio itself runs on imports (``validate_course_olx`` in
   ``cms/djangoapps/contentstore/tasks.py``). Studio runs only its first stage
   (``COURSE_OLX_VALIDATION_STAGE = 1`` in ``cms/envs/common.py``); we run all eight and drop the
   few findings that are wrong for courses Studio really exports or that a check of ours reports
   more precisely (see ``_OLXCLEANER_IGNORED`` and ``_Folder._keep_olxcleaner``).
3. **What olxcleaner misses** (the design's "OLX rules the builder must meet"): url_name rules,
   pointer tags that carry more than ``url_name``, the html pair form, the strict hierarchy with a
   ``display_name`` on every container, course and subsection dates, the grading policy, graded
   subsections whose ``format`` names a grader, ``advanced_modules``.
4. **Custom blocks through their own class**: each ``kkn_*`` element is parsed by its block class in
   a small runtime, exported with ``add_xml_to_node`` and parsed again (every field must survive),
   and the block's own author rules run (the rules Studio's editor enforces, which imported OLX
   bypasses). An exam whose question bank cannot be read is an error here, not a surprise for the
   first learner.

``Report.counts`` counts blocks per tag the way Studio will hold them (pointers followed, inline
children included, dropped blocks not counted), to compare with what Studio reports after a push.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tarfile
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from .i18n import _
from .spec import CUSTOM_TAGS, URL_NAME

ERROR, WARNING = "error", "warning"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
# The uncompressed size an archive may unpack to. Studio's own upload limit (Tutor's proxy) is
# 250 MB compressed; a course never needs more than this unpacked, a decompression bomb does.
MAX_EXTRACTED_BYTES = 2 * 1024 ** 3
MAX_MEMBERS = 100_000  # every member counts, refused ones too
MAX_LISTED_MEMBER_PROBLEMS = 50  # more bad members than this are summed up, not listed one by one
# A GNU long name or a pax header is read into memory whole: a few KB in any real archive.
MAX_HEADER_BYTES = 1 << 20
MAX_DEPTH = 32  # nesting of pointers; real courses use 5

CONTAINERS = ("course", "chapter", "sequential", "vertical")
CHILD_OF = {"course": "chapter", "chapter": "sequential", "sequential": "vertical"}
ALLOWED_CUSTOM_ATTRIBUTES = ("url_name", "xblock-family")  # consumed by the import runtime, not fields
# Block types an Open edX installation has (edx-platform's and the usual extra XBlocks' entry
# points). Studio passes every installed type to olxcleaner; ours are added to these.
STANDARD_BLOCKS = (
    "about", "annotatable", "book", "chapter", "conditional", "course", "course_info", "customtag", "discussion",
    "done", "drag-and-drop-v2", "edx_sga", "error", "freetextresponse", "google-calendar", "google-document",
    "hidden", "html", "image", "itembank", "library", "library_content", "library_sourced", "lti",
    "lti_consumer", "openassessment", "pdf", "poll", "poll_question", "problem", "problemset", "randomize",
    "recommender", "sequential", "slides", "split_test", "staffgradedxblock", "static_tab", "survey",
    "vertical", "video", "videoalpha", "videosequence", "word_cloud", "wrapper",
)
# olxcleaner findings we never report, and why:
#   SettingOverride: Studio's exports write display_name both in course/RUN.xml and in policy.json;
#     the policy wins on import, so the "override" is how Studio itself writes courses. (Our builder
#     writes it in policy.json only: olxcleaner finds nothing at all in a built course.)
#   DateOrdering: replaced by our date check, which is an error (Studio's validation counts such
#     subsections) and says which date to move.
#   MissingURLName: replaced by our url_name check (it also says why a stable url_name matters).
_OLXCLEANER_IGNORED = ["SettingOverride", "DateOrdering", "MissingURLName"]
_ASSET_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_SAFE_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# --- the report ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong: ``severity`` "error" (Studio would import the course wrongly or not at all)
    or "warning"; ``message`` says what is wrong and how to fix it (translated); ``location`` is a
    file inside the course, with ``:line`` when known; ``code`` names the check."""

    severity: str
    message: str
    location: str = ""
    code: str = ""

    def __str__(self):
        return f"{self.severity} {self.location}: {self.message}" if self.location else \
            f"{self.severity}: {self.message}"


@dataclass
class Report:
    """What validation found: the problems, blocks per tag, and the course key."""

    problems: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    course_id: str = ""

    @property
    def errors(self):
        return [problem for problem in self.problems if problem.severity == ERROR]

    @property
    def warnings(self):
        return [problem for problem in self.problems if problem.severity == WARNING]

    @property
    def ok(self):
        """True when nothing stops an import; warnings are allowed."""
        return not self.errors

    def as_json(self):
        return {"ok": self.ok, "course_id": self.course_id or None, "counts": dict(self.counts),
                "problems": [{"severity": p.severity, "code": p.code, "location": p.location, "message": p.message}
                             for p in self.problems]}


class NotACourse(ValueError):
    """``validate_path`` was given something that is neither a course source, an OLX folder nor an
    archive (or does not exist). ``str()`` is the translated explanation."""


def _where(file, line=None):
    return f"{file}:{line}" if line else str(file)


def _sort_key(problem):
    file, _sep, line = problem.location.rpartition(":")
    if not (file and line.isdigit()):
        file, line = problem.location, "0"
    return (file, int(line), problem.severity != ERROR)


# --- entry points ----------------------------------------------------------------------------------
def validate_path(path) -> Report:
    """Validate a course source (a folder with ``course.yaml``: built first), an OLX folder (with
    ``course.xml``) or a course archive. Raises :class:`NotACourse` for anything else."""
    path = Path(path)
    if not path.exists():
        raise NotACourse(_("{path} does not exist.").format(path=path))
    if path.is_file():
        if path.name.lower().endswith(ARCHIVE_SUFFIXES):
            return validate_archive(path)
        if path.name == "course.xml":
            return validate_folder(path.parent)
        if path.name == "course.yaml":
            return _validate_source(path.parent)
        raise NotACourse(_("{path} is not a course: give a course archive (.tar.gz), a folder holding course.xml, "
                           "or a course source folder holding course.yaml.").format(path=path))
    if (path / "course.xml").is_file():
        return validate_folder(path)
    if (path / "course.yaml").is_file():
        return _validate_source(path)
    raise NotACourse(_("{path} is not a course: it holds neither course.xml (an OLX course) nor course.yaml "
                       "(a course source).").format(path=path))


def _validate_source(source):
    """Build the source into a temporary folder, then validate the archive the build wrote."""
    from .build import build  # pylint: disable=import-outside-toplevel  (the builder is the heavy part)
    from .spec import SourceError  # pylint: disable=import-outside-toplevel

    with tempfile.TemporaryDirectory(prefix="kkn-validate-") as out:
        try:
            result = build(Path(source), Path(out), cache=False)  # a cache in a folder about to go
        except SourceError as error:
            return source_report(error)
        return validate_archive(result.archive)


def source_report(error) -> Report:
    """The problems of a source that could not be built (a ``SourceError``), as a validation report."""
    return Report(problems=[Problem(ERROR, f"{p.message} {p.hint}".strip(), str(p.location), "source")
                            for p in error.problems])


def validate_archive(path, max_bytes=MAX_EXTRACTED_BYTES) -> Report:
    """Validate a ``.tar.gz`` (or ``.tgz``/``.tar``) course archive, as built or as exported by Studio.

    The archive is checked member by member before anything is extracted; an unsafe or unreadable
    archive gives error problems, never an exception and never a file outside a temporary folder.
    """
    archive = Path(path)
    name = archive.name
    if not archive.is_file():
        return Report([Problem(ERROR, _("The archive does not exist or is not a file. Give the path of the "
                                        ".tar.gz file."), name, "archive")])
    with tempfile.TemporaryDirectory(prefix="kkn-validate-") as temp:
        try:
            with tarfile.open(archive, "r:*", tarinfo=_BoundedTarInfo) as tar:
                members, problems = _safe_members(tar, name, max_bytes)
                if problems:
                    return Report(sorted(problems, key=_sort_key))
                top = _extract(tar, members, Path(temp))
        except (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeError) as error:
            return Report([Problem(ERROR, _("The file is not a readable .tar.gz archive ({error}). Build or export "
                                            "the course again; do not rename other files to .tar.gz.")
                                   .format(error=error), name, "archive")])
        return validate_folder(Path(temp) / top)


def _member_parts(name):
    """The path parts of a member name, or None when the name is absolute or climbs out (``..``)."""
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if any(part == ".." for part in parts) or "\\" in name and ".." in name.split("\\"):
        return None
    return parts


class _BoundedTarInfo(tarfile.TarInfo):
    """Refuse extended headers (GNU long names, pax records) too large to be real before reading them.

    ``tarfile`` reads such a header whole into memory, so a 1 GB "long name" would take 1 GB.
    """

    def _proc_gnulong(self, tarfile_):  # pylint: disable=arguments-renamed
        self._check_header_size()
        return super()._proc_gnulong(tarfile_)

    def _proc_pax(self, tarfile_):  # pylint: disable=arguments-renamed
        self._check_header_size()
        return super()._proc_pax(tarfile_)

    def _check_header_size(self):
        if self.size > MAX_HEADER_BYTES:
            raise tarfile.SubsequentHeaderError(f"an extended header of {self.size} bytes")


def _safe_members(tar, archive_name, max_bytes):
    """``(members, problems)``: every member is inspected; nothing is extracted here.

    The archive is streamed: ``tarfile`` forgets each entry once read (it would otherwise keep them
    all), every member counts against ``MAX_MEMBERS`` whether kept or refused, and at most
    ``MAX_LISTED_MEMBER_PROBLEMS`` bad members are listed, so memory stays bounded by the limits.
    """
    problems, members, seen, tops, total, count, refused = [], [], set(), set(), 0, 0, 0

    def refuse(message, where):
        problems.append(Problem(ERROR, message, where, "archive-member"))

    def refuse_member(message):
        nonlocal refused
        refused += 1
        if refused <= MAX_LISTED_MEMBER_PROBLEMS:
            refuse(message, archive_name)

    while True:
        member = tar.next()
        tar.members.clear()  # our own list keeps what is extracted; tarfile needs none of it
        if member is None:
            break
        count += 1
        if count > MAX_MEMBERS:
            refuse(_("The archive has more than {limit} files. A course needs far fewer; build it again.")
                   .format(limit=MAX_MEMBERS), archive_name)
            return [], problems
        parts = _member_parts(member.name)
        if parts is None:
            refuse_member(_("The archive member “{name}” has an absolute path or climbs out of its folder with "
                            "“..”; unpacking it could write anywhere. Build the archive with kkn-course build or "
                            "export it from Studio again.").format(name=member.name[:200]))
            continue
        if not (member.isreg() or member.isdir()):
            refuse_member(_("The archive member “{name}” is a link or a device file; a course archive holds only "
                            "regular files and folders. Replace it by the file itself.")
                          .format(name=member.name[:200]))
            continue
        if not parts:
            continue  # "./" itself
        key = "/".join(parts)
        if key in seen:
            refuse_member(_("The archive holds “{name}” twice; the second copy would silently replace the first. "
                            "Build the archive again.").format(name=key[:200]))
            continue
        seen.add(key)
        if member.isreg():
            if len(parts) == 1:
                refuse_member(_("“{name}” lies outside the course's top folder. Everything in a course archive "
                                "belongs under one top folder.").format(name=key[:200]))
                continue
            total += member.size
            if total > max_bytes:
                refuse(_("The archive unpacks to more than {limit} MB. Move large files (videos) out of the "
                         "course's static files.").format(limit=max_bytes // 2 ** 20), archive_name)
                return [], problems
        tops.add(parts[0])
        members.append((member, parts))
    if refused > MAX_LISTED_MEMBER_PROBLEMS:
        refuse(_("{count} more archive members are refused for the same reasons.")
               .format(count=refused - MAX_LISTED_MEMBER_PROBLEMS), archive_name)
    if not tops:
        refuse(_("The archive is empty. Build the course again."), archive_name)
    if len(tops) > 1:
        refuse(_("The archive has several top folders ({names}); a course archive has exactly one, holding "
                 "course.xml.").format(names=", ".join(sorted(tops)[:10])), archive_name)
    courses = sorted("/".join(parts) for member, parts in members if parts[-1] == "course.xml" and member.isreg())
    if not problems:
        if not courses or courses != [f"{next(iter(tops))}/course.xml"]:
            refuse(_("The archive must hold exactly one course.xml, directly in its top folder; it holds: "
                     "{names}. Studio imports the first course.xml it finds, which may not be the one you meant.")
                   .format(names=", ".join(courses[:10]) or "-"), archive_name)
    return members, problems


def _extract(tar, members, target):
    """Write the checked members (regular files and folders only) under ``target``; return the top folder."""
    root = target.resolve()
    for member, parts in members:
        destination = root.joinpath(*parts)
        if root not in destination.resolve().parents:  # belt and braces: _member_parts already refused
            raise tarfile.TarError(f"unsafe member {member.name}")
        if member.isdir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(destination, flags, 0o644), "wb") as handle:
            remaining = member.size
            while remaining > 0:
                chunk = source.read(min(remaining, 1 << 20))
                if not chunk:
                    raise tarfile.ReadError(f"{member.name} is truncated")
                handle.write(chunk)
                remaining -= len(chunk)
    return members[0][1][0]


def validate_folder(path) -> Report:
    """Validate an OLX course folder: the folder that holds ``course.xml``."""
    return _Folder(Path(path)).run()


# --- the course tree -----------------------------------------------------------------------------
@dataclass
class _Node:
    """A block as Studio will hold it. ``element`` carries its attributes and children (for a pointer,
    the root of the file pointed to); ``file`` is where that element is; ``at`` where it appears."""

    tag: str
    element: object
    file: str
    url_name: str | None
    at: str
    children: list = field(default_factory=list)

    @property
    def where(self):
        return _where(self.file, self.element.sourceline)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _is_pointer(element):
    """Studio's ``is_pointer_tag`` (xmodule/xml_block.py): only url_name (course: also org and course),
    no children, no text."""
    expected = {"url_name", "org", "course"} if element.tag == "course" else {"url_name"}
    return set(element.attrib) == expected and len(element) == 0 and not (element.text or "").strip()


def _is_empty(element):
    return len([child for child in element if isinstance(child.tag, str)]) == 0 and not (element.text or "").strip()


def _pointer_file(tag, url_name):
    """``<tag>/<url_name>.xml`` as Studio finds it (``:`` means a subfolder), or None if it would leave the course."""
    if not url_name:
        return None
    parts = url_name.replace(":", "/").split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in url_name:
        return None
    return f"{tag}/{'/'.join(parts)}.xml"


def _json_value(value):
    """A setting as Python: policy.json values are JSON already; XML attributes of JSON fields are JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _truthy(value):
    value = _json_value(value)
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _date(value):
    """``(datetime in UTC or None, ok)``; Studio reads dates without a zone as UTC."""
    if value is None or value == "":
        return None, True
    if isinstance(value, str):
        text = value.strip().strip('"')
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None, False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc), True
    return None, False


class _Folder:
    """One validation of one OLX folder."""

    def __init__(self, root):
        self.root = root
        self.problems = []
        self.run_name = ""
        self.policy = {}
        self.grading = None
        self.tree = None
        self.course_id = ""
        self._loading = []

    def add(self, severity, code, location, message):
        self.problems.append(Problem(severity, message, location, code))

    # --- reading ----------------------------------------------------------------------------------
    def _parse(self, relative):
        try:
            return etree.parse(str(self.root / relative), etree.XMLParser(**_SAFE_XML)).getroot()
        except (etree.XMLSyntaxError, OSError):
            return None  # olxcleaner reports it (InvalidXML), with the parser's message

    def _json(self, relative):
        try:
            return json.loads((self.root / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or broken: olxcleaner reports PolicyNotFound / BadPolicy

    def run(self):
        if not (self.root / "course.xml").is_file():
            self.add(ERROR, "course-xml", "course.xml", _("course.xml is missing. The folder of an OLX course holds "
                                                          "course.xml, which names the course run."))
            return self.report()
        top = self._parse("course.xml")
        if top is None or top.tag != "course":
            self.add(ERROR, "course-xml", "course.xml", _("course.xml is not well-formed XML with a <course> root. "
                                                          "Write it as <course url_name=\"RUN\" org=\"ORG\" "
                                                          "course=\"NUMBER\"/>."))
            return self.report()
        self.run_name = top.get("url_name") or ""
        org, number = top.get("org") or "", top.get("course") or ""
        if self.run_name and org and number:
            self.course_id = f"course-v1:{org}+{number}+{self.run_name}"
        else:
            self.add(ERROR, "course-xml", _where("course.xml", top.sourceline),
                     _("The <course> tag in course.xml needs url_name (the run), org and course (the number): "
                       "Studio builds the course key from them."))
        readable = _pointer_file("course", self.run_name) is not None  # the run names a folder: no "..", no "/"
        policy = self._json(self.policy_file) if readable else None
        self.policy = policy if isinstance(policy, dict) else {}
        self.grading = self._json(self.grading_file) if readable else None
        self.tree = self._load(top, "course.xml")
        if self.tree is not None:
            self.tree.url_name = self.run_name
            self._check_url_names()
            self._check_hierarchy()
            self._check_html_pairs()
            self._check_dates()
            self._check_grading()
            self._check_advanced_modules()
            self._check_custom_blocks()
        self._check_asset_names()
        self._run_olxcleaner()
        return self.report()

    def report(self):
        counts = Counter(node.tag for node in self.tree.walk()) if self.tree is not None else Counter()
        order = {tag: index for index, tag in enumerate(CONTAINERS)}  # the outline first, then components
        counts = dict(sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
        return Report(sorted(self.problems, key=_sort_key), counts, self.course_id)

    def _load(self, element, file):
        """The node for ``element`` (found in ``file``), pointers followed; None when Studio would drop it."""
        tag = element.tag
        at = _where(file, element.sourceline)
        url_name = element.get("url_name")
        target = _pointer_file(tag, url_name)
        if _is_pointer(element):
            if target is None:
                self.add(ERROR, "url-name", at, _(
                    "The url_name “{name}” of <{tag}> is not valid. Use 1 to 64 letters A–Z, a–z, digits, “-” and "
                    "“_” (Swedish letters belong in the display name), and keep it unchanged between builds.")
                    .format(name=url_name, tag=tag))
                return None
            if not (self.root / target).is_file():
                if tag in CUSTOM_TAGS or tag not in _olxcleaner_types():
                    self.add(ERROR, "pointer-file", at, _(
                        "<{tag} url_name=\"{name}\"/> points to {file}, which is not in the course, so Studio drops "
                        "the block. Add the file, or write the block inline with its fields as attributes.")
                        .format(tag=tag, name=url_name, file=target))
                return None  # olxcleaner reports FileDoesNotExist for the tags it knows
            if target in self._loading or len(self._loading) > MAX_DEPTH:
                return None  # a pointer loop; olxcleaner reports the self-pointer
            content = self._parse(target)
            if content is None or content.tag != tag:
                return None  # olxcleaner reports InvalidXML / TagMismatch
            node = _Node(tag, content, target, url_name, at)
            self._loading.append(target)
            try:
                self._load_children(node)
            finally:
                self._loading.pop()
            return node
        if (url_name and tag != "course" and target and _is_empty(element) and len(element.attrib) > 1
                and (self.root / target).is_file()):
            others = sorted(name for name in element.attrib if name != "url_name")
            self.add(ERROR, "pointer-attributes", at, _(
                "<{tag} url_name=\"{name}\"> points to {file} but also carries {attributes}. A pointer tag may carry "
                "only url_name; with any other attribute Studio ignores the file and imports an empty block. "
                "Move the attributes into {file} and keep only url_name here.")
                .format(tag=tag, name=url_name, file=target, attributes=", ".join(others)))
        node = _Node(tag, element, file, url_name, at)
        self._load_children(node)
        return node

    def _load_children(self, node):
        if node.tag not in CONTAINERS:
            return  # a component's children are its content, not blocks
        for child in node.element:
            if not isinstance(child.tag, str) or (node.tag == "course" and child.tag == "wiki"):
                continue  # comments; the course wiki is a setting, not a block
            loaded = self._load(child, node.file)
            if loaded is not None:
                node.children.append(loaded)

    def settings(self, node):
        """The block's settings as Studio imports them: its attributes, then policy.json's entry over them."""
        values = dict(node.element.attrib)
        entry = self.policy.get(f"{node.tag}/{node.url_name}") if node.url_name else None
        if isinstance(entry, dict):
            values.update(entry)
        return values

    @property
    def policy_file(self):
        return f"policies/{self.run_name}/policy.json"

    @property
    def grading_file(self):
        return f"policies/{self.run_name}/grading_policy.json"

    # --- checks -----------------------------------------------------------------------------------
    def _check_url_names(self):
        first = {}
        for node in self.tree.walk():
            name = node.url_name
            if name is None:
                self.add(WARNING, "url-name", node.at, _(
                    "This <{tag}> has no url_name, so Studio makes one up at every import and learners' state is "
                    "lost when the course is imported again. Give it a stable url_name.").format(tag=node.tag))
                continue
            if not URL_NAME.match(name):
                self.add(ERROR, "url-name", node.at, _(
                    "The url_name “{name}” of <{tag}> is not valid. Use 1 to 64 letters A–Z, a–z, digits, “-” and "
                    "“_” (Swedish letters belong in the display name), and keep it unchanged between builds.")
                    .format(name=name, tag=node.tag))
                continue
            key = (node.tag, name)
            if key in first:
                self.add(ERROR, "url-name", node.at, _(
                    "The url_name “{name}” is used by another <{tag}> too ({other}). Studio keeps only one of them. "
                    "Give each block its own url_name.").format(name=name, tag=node.tag, other=first[key]))
            else:
                first[key] = node.at

    def _check_hierarchy(self):
        for node in self.tree.walk():
            if node.tag in CONTAINERS:
                if not str(self.settings(node).get("display_name") or "").strip():
                    self.add(ERROR, "display-name", node.where, _(
                        "This <{tag}> has no display_name; Studio would show a generic name to learners. "
                        "Give every section, subsection and unit a display_name.").format(tag=node.tag))
            if node.tag == "vertical":
                for child in node.children:
                    if child.tag in CONTAINERS:
                        self.add(ERROR, "hierarchy", child.at, _(
                            "A <{child}> cannot be inside a unit (<vertical>). The course is course > chapter > "
                            "sequential > vertical > component; move it to its level.")
                            .format(child=child.tag))
            elif node.tag in CHILD_OF:
                expected = CHILD_OF[node.tag]
                for child in node.children:
                    if child.tag != expected:
                        self.add(ERROR, "hierarchy", child.at, _(
                            "A <{child}> cannot be directly inside a <{parent}>, which holds only <{expected}>. "
                            "The course is course > chapter > sequential > vertical > component; put it in a "
                            "<{expected}>.").format(child=child.tag, parent=node.tag, expected=expected))

    def _check_html_pairs(self):
        for node in self.tree.walk():
            if node.tag != "html" or "filename" not in node.element.attrib:
                continue
            name = node.element.get("filename")
            html = _pointer_file("html", name)
            html = html[: -len(".xml")] + ".html" if html else None
            if html is None or not (self.root / html).is_file():
                self.add(ERROR, "html-pair", node.where, _(
                    "This html component names filename=\"{name}\", but html/{name}.html is not in the course, so "
                    "Studio imports it empty. Add html/{name}.html or fix filename.").format(name=name))
                continue
            try:
                (self.root / html).read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                self.add(ERROR, "html-pair", html, _(
                    "This file is not UTF-8 text, so its letters (å, ä, ö) would be garbled. Save it as UTF-8."))

    def _check_dates(self):
        course = self.tree
        settings = self.settings(course)
        bounds = {}
        for key in ("start", "end"):
            value = settings.get(key)
            if value in (None, ""):
                message = (_("The course has no start date; Studio would use its default, 2030-01-01, so the course "
                             "would not open. Set \"start\" in policy.json (UTC, e.g. 2026-01-12T08:00:00Z).")
                           if key == "start" else
                           _("The course has no end date; learners would see it as never ending and certificates "
                             "have no date. Set \"end\" in policy.json (UTC, e.g. 2026-12-18T16:00:00Z)."))
                self.add(ERROR, "dates", self.policy_file, message)
                continue
            moment, ok = _date(value)
            if not ok:
                self.add(ERROR, "dates", self.policy_file, _(
                    "The course {key} “{value}” is not a date. Write it in UTC as 2026-01-12T08:00:00Z.")
                    .format(key=key, value=value))
            bounds[key] = moment
        start, end = bounds.get("start"), bounds.get("end")
        if start and end and start >= end:
            self.add(ERROR, "dates", self.policy_file, _(
                "The course starts ({start}) after it ends ({end}). Set start before end.")
                .format(start=_date_text(start), end=_date_text(end)))
            start = end = None
        for node in course.walk():
            if node is course:
                continue
            values = self.settings(node)
            own = {}
            for key in ("start", "due"):
                moment, ok = _date(values.get(key))
                if not ok:
                    self.add(ERROR, "dates", node.where, _(
                        "The {key} “{value}” of this <{tag}> is not a date. Write it in UTC as 2026-02-01T08:00:00Z.")
                        .format(key=key, value=values.get(key), tag=node.tag))
                own[key] = moment
            for key, moment in own.items():
                if moment is None:
                    continue
                if start and (moment < start if key == "start" else moment <= start):
                    self.add(ERROR, "dates", node.where, _(
                        "The {key} date {date} of this <{tag}> is before the course starts ({start}). Move it inside "
                        "the course dates or move the course start.")
                        .format(key=key, date=_date_text(moment), tag=node.tag, start=_date_text(start)))
                if end and (moment >= end if key == "start" else moment > end):
                    self.add(ERROR, "dates", node.where, _(
                        "The {key} date {date} of this <{tag}> is after the course ends ({end}). Move it inside "
                        "the course dates or move the course end.")
                        .format(key=key, date=_date_text(moment), tag=node.tag, end=_date_text(end)))
            if own.get("start") and own.get("due") and own["start"] >= own["due"]:
                self.add(ERROR, "dates", node.where, _(
                    "This <{tag}> is due ({due}) before it starts ({start}). Set the due date after the start.")
                    .format(tag=node.tag, due=_date_text(own["due"]), start=_date_text(own["start"])))

    def _grader_types(self):
        """The grader types of a well-formed grading policy, or None when there is none to check against."""
        grading = self.grading
        if not isinstance(grading, dict) or not isinstance(grading.get("GRADER"), list):
            return None
        return {entry.get("type") for entry in grading["GRADER"]
                if isinstance(entry, dict) and isinstance(entry.get("type"), str)}

    def _check_grading(self):
        where = self.grading_file
        grading = self.grading
        if grading is not None:
            self._check_graders(grading, where)
        types = self._grader_types()
        used = set()
        for node in self.tree.walk():
            if node.tag != "sequential":
                continue
            values = self.settings(node)
            fmt = values.get("format")
            fmt = fmt.strip() if isinstance(fmt, str) else fmt
            if _truthy(values.get("graded")):
                if not fmt:
                    self.add(ERROR, "graded-format", node.where, _(
                        "This subsection is graded but has no format, so it does not count in the grade. Set format "
                        "to one of the grader types: {types}.").format(types=_names(types)))
                elif types is not None and fmt not in types:
                    self.add(ERROR, "graded-format", node.where, _(
                        "This subsection is graded as “{format}”, which is not a grader type in grading_policy.json "
                        "({types}), so it does not count in the grade. Use one of them or add a grader.")
                        .format(format=fmt, types=_names(types)))
                else:
                    used.add(fmt)
            elif fmt:
                self.add(WARNING, "graded-format", node.where, _(
                    "This subsection has format “{format}” but is not graded (graded=\"true\" is missing), so it does "
                    "not count in the grade. Add graded=\"true\" or remove the format.").format(format=fmt))
        for grader in sorted(types or ()):
            if grader not in used:
                self.add(WARNING, "grader-unused", where, _(
                    "No graded subsection has the grader type “{type}”; its weight counts as 0 for every learner. "
                    "Grade a subsection as “{type}” or remove the grader.").format(type=grader))

    def _check_graders(self, grading, where):
        def refuse(message, **values):
            self.add(ERROR, "grader-format", where, message.format(**values))

        graders = grading.get("GRADER") if isinstance(grading, dict) else None
        if not isinstance(graders, list) or not graders:
            refuse(_("grading_policy.json needs a \"GRADER\" list with at least one grader "
                     "(type, short_label, min_count, drop_count, weight)."))
            return
        total, seen = 0.0, set()
        for number, entry in enumerate(graders, start=1):
            if not isinstance(entry, dict):
                refuse(_("Grader {number} is not an object. Write it as {{\"type\": \"Slutprov\", \"short_label\": "
                         "\"Prov\", \"min_count\": 1, \"drop_count\": 0, \"weight\": 1.0}}."), number=number)
                continue
            kind = entry.get("type")
            if not isinstance(kind, str) or not kind.strip():
                refuse(_("Grader {number} has no type. Give it a type name; graded subsections name it in their "
                         "format."), number=number)
            elif kind in seen:
                refuse(_("The grader type “{type}” appears twice. Give each grader its own type."), type=kind)
            else:
                seen.add(kind)
            label = kind if isinstance(kind, str) and kind else str(number)
            min_count, drop_count = entry.get("min_count"), entry.get("drop_count")
            if not _whole(min_count) or min_count < 1:
                refuse(_("Grader “{type}”: min_count must be a whole number of at least 1 (how many subsections of "
                         "this type there are)."), type=label)
            if not _whole(drop_count) or drop_count < 0:
                refuse(_("Grader “{type}”: drop_count must be a whole number of at least 0 (how many of the lowest "
                         "scores are dropped)."), type=label)
            elif _whole(min_count) and drop_count >= min_count:
                refuse(_("Grader “{type}”: drop_count ({drop}) drops every one of its {count} subsections. Make "
                         "drop_count smaller than min_count."), type=label, drop=drop_count, count=min_count)
            weight = entry.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or math.isnan(weight) \
                    or not 0 <= weight <= 1:
                refuse(_("Grader “{type}”: weight must be a number from 0 to 1 (its share of the grade)."), type=label)
            else:
                total += weight
            short = entry.get("short_label")
            if short is None:
                self.add(WARNING, "grader-format", where, _(
                    "Grader “{type}” has no short_label; the progress page then shows a made-up abbreviation. "
                    "Add a short_label such as “Prov”.").format(type=label))
            elif not isinstance(short, str) or not short.strip():
                refuse(_("Grader “{type}”: short_label must be a short text such as “Prov”."), type=label)
        if abs(total - 1) > 0.001:
            refuse(_("The graders' weights add up to {total:g}, not 1. Make them add up to 1 (e.g. 0.4 and 0.6)."),
                   total=round(total, 6))

    def _check_advanced_modules(self):
        used = sorted({node.tag for node in self.tree.walk() if node.tag in CUSTOM_TAGS})
        if not used:
            return
        listed = _json_value(self.settings(self.tree).get("advanced_modules"))
        listed = set(listed) if isinstance(listed, list) else set()
        missing = [tag for tag in used if tag not in listed]
        if missing:
            self.add(ERROR, "advanced-modules", self.policy_file, _(
                "The course uses {tags} but does not list them in \"advanced_modules\". Add them there, or Studio "
                "cannot show or edit these blocks.").format(tags=", ".join(missing)))

    def _check_custom_blocks(self):
        checker = None
        for node in self.tree.walk():
            if node.tag not in CUSTOM_TAGS:
                continue
            checker = checker or _CustomBlocks()
            for severity, code, message in checker.check(node.tag, node.element):
                self.add(severity, code, node.where, message)

    def _check_asset_names(self):
        static = self.root / "static"
        if not static.is_dir():
            return
        for path in sorted(static.rglob("*")):
            if path.is_file() and not all(_ASSET_NAME.match(part) for part in path.relative_to(static).parts):
                self.add(WARNING, "asset-name", path.relative_to(self.root).as_posix(), _(
                    "Rename this file to letters A–Z, a–z, digits, “.”, “-” and “_”: links to names with spaces or "
                    "Swedish letters break in some browsers and content delivery networks."))

    # --- olxcleaner -------------------------------------------------------------------------------
    def _run_olxcleaner(self):
        try:
            import olxcleaner  # pylint: disable=import-outside-toplevel
            from olxcleaner.exceptions import ErrorLevel  # pylint: disable=import-outside-toplevel

            _course, store, _names = olxcleaner.validate(str(self.root), steps=8, ignore=_OLXCLEANER_IGNORED,
                                                         allowed_xblocks=sorted(_allowed_blocks()))
        except Exception as error:  # pylint: disable=broad-except  (Studio, too, carries on when it crashes)
            self.add(WARNING, "olxcleaner", "course.xml", _(
                "Open edX's validator (olxcleaner) stopped on this course ({error}); the other checks ran. Report "
                "this to the kkn-xblocks developers.").format(error=error))
            return
        ours = {(problem.code, problem.location.split(":")[0]) for problem in self.problems}
        hints = _olxcleaner_hints()
        for error in store.errors:
            if error.level_val < ErrorLevel.WARNING.value or not self._keep_olxcleaner(error, ours):
                continue
            severity = ERROR if error.level_val >= ErrorLevel.ERROR.value else WARNING
            hint = hints.get(error.name) or _("See olxcleaner's description of {name}.").format(name=error.name)
            self.add(severity, "olxcleaner", self._olxcleaner_file(error.filename), _(
                "Open edX's validator (olxcleaner) reports {name}: {description} {hint}")
                .format(name=error.name, description=error.description, hint=hint))

    def _olxcleaner_file(self, filename):
        if filename in ("policy.json", "grading_policy.json"):
            return f"policies/{self.run_name}/{filename}"
        path = Path(filename)
        if path.is_absolute():
            try:
                return path.relative_to(self.root).as_posix()
            except ValueError:
                return path.name
        return path.as_posix()

    def _keep_olxcleaner(self, error, ours):
        """False for findings that are wrong for real courses or that one of our checks reports better."""
        text, file = error.description, self._olxcleaner_file(error.filename)
        name = error.name
        if name == "InvalidSetting" and re.search(r"required setting '(start|end)'|invalid date setting", text):
            return False  # dates are our check's (it reads Studio's quoted form)
        if name == "MissingDisplayName" and re.match(r"The tag <(course|chapter|sequential|vertical|wiki)\b", text):
            return False  # containers: our display-name check; the wiki never has one (Studio exports it so)
        if name == "DuplicateURLName":
            tags = re.search(r"as <([^>]+)> in .* also as <([^>]+)> in", text)
            return not (tags and tags.group(1) == tags.group(2))  # same tag: our url-name check
        if name == "GradingPolicyIssue" and "GRADE_CUTOFFS" not in text:
            return False  # the GRADER list: our grader check (weights to ±0.001, with the fix)
        superseded = {"InvalidPointer": "pointer-attributes", "PossiblePointer": "pointer-attributes",
                      "UnexpectedTag": "hierarchy", "FileDoesNotExist": "html-pair"}
        if name in superseded and (superseded[name], file) in ours:
            return False
        if name == "FileDoesNotExist" and ("pointer-file", file) in ours:
            return False
        return True


def _date_text(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _names(values):
    return ", ".join(f"“{value}”" for value in sorted(values or ())) or "-"


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _olxcleaner_types():
    from olxcleaner.objects import EdxObject  # pylint: disable=import-outside-toplevel
    return {cls.type for cls in EdxObject.get_subclasses() if cls.type}


def _allowed_blocks():
    """Block types olxcleaner must accept: Open edX's usual ones, ours and whatever is installed here."""
    from importlib.metadata import entry_points  # pylint: disable=import-outside-toplevel
    installed = {entry.name for entry in entry_points(group="xblock.v1")}
    return set(STANDARD_BLOCKS) | set(CUSTOM_TAGS) | installed


def _olxcleaner_hints():
    """How to fix what olxcleaner reports (its own descriptions say only what is wrong)."""
    return {
        "InvalidXML": _("Fix the XML syntax of this file; the parser's message says where."),
        "InvalidHTML": _("Fix the HTML of this file: close every tag and nest tags correctly."),
        "TagMismatch": _("A file in the folder <tag>/ must start with a <tag> element; fix the tag or move the file."),
        "FileDoesNotExist": _("Add the missing file, or fix the url_name that points to it."),
        "InvalidPointer": _("A pointer tag carries only url_name; move the other attributes into the file it points "
                            "to, or give the block content."),
        "SelfPointer": _("A file pointed to must hold the block itself, not another pointer."),
        "PointerAlreadyPointedAt": _("A file pointed to must hold the block itself, not another pointer."),
        "UnexpectedTag": _("Move the element to its level (course > chapter > sequential > vertical > component), or "
                           "use a block type Open edX knows."),
        "UnexpectedContent": _("Remove the text, or put it in an html component."),
        "EmptyTag": _("Add content to it, or remove it."),
        "DuplicateURLName": _("Give every block its own url_name."),
        "PolicyNotFound": _("Add the file: every course has policies/RUN/policy.json and grading_policy.json."),
        "BadPolicy": _("Fix the JSON syntax of the file."),
        "BadPolicyFormat": _("policy.json holds one JSON object with an entry \"course/RUN\"."),
        "PolicyRefNotFound": _("Remove the entry, or correct its key to \"tag/url_name\" of a block in the course."),
        "WrongObjectType": _("Correct the tag in the entry's key."),
        "BadEntry": _("Each entry of policy.json must be a JSON object of settings."),
        "GradingPolicyIssue": _("Fix grading_policy.json as described."),
        "InvalidSetting": _("Correct the setting's value."),
        "MissingFile": _("Add the file under static/, or correct the link (/static/name)."),
        "MissingDisplayName": _("Give it a display_name."),
        "BadJumpToLink": _("Correct the link so it names a block of the course."),
        "BadCourseLink": _("Correct the link so it names a block of the course."),
        "PossiblePointer": _("Make the tag a pointer (only url_name), or delete the unused file."),
        "PossibleHTMLPointer": _("Either write the html inline or point to the file, not both."),
        "LTIError": _("Complete the LTI settings."),
        "DuplicateID": _("Give each discussion its own discussion_id."),
        "CourseXMLName": _("Name the course file course.xml."),
        "NoRunName": _("Give the <course> tag in course.xml a url_name: the run."),
        "NonFlatURLName": _("Use a url_name without “:”, and put the file directly in its tag's folder."),
        "NonFlatFilename": _("Use a filename without “:”, and put the file directly in html/."),
        "ExtraDisplayName": _("Remove the display_name."),
    }


# --- custom blocks, through their own classes ----------------------------------------------------
class _BlockI18n:
    """The ``i18n`` service: the blocks' own catalog (domain ``text``) in the validator's language."""

    def __init__(self, gettext):
        self.gettext = self.ugettext = gettext

    def ngettext(self, singular, plural, number):
        return self.gettext(singular if number == 1 else plural)

    ungettext = ngettext


def _import_runtime(i18n):
    """The builder's offline runtime, plus what parsing and the author rules need: field data kept
    in a dict (one runtime per parse, so nothing is shared) and the i18n service."""
    from xblock.runtime import DictKeyValueStore, KvsFieldData  # pylint: disable=import-outside-toplevel

    from .blocks import OfflineRuntime  # pylint: disable=import-outside-toplevel

    class ImportRuntime(OfflineRuntime):
        def __init__(self):
            super().__init__()
            self.block_data = KvsFieldData(DictKeyValueStore())

        def service(self, block, service_name):
            if service_name == "field-data":
                return self.block_data
            if service_name == "i18n":
                return i18n
            return super().service(block, service_name)

    return ImportRuntime()


def _author_fields(cls):
    from xblock.fields import Scope  # pylint: disable=import-outside-toplevel
    return {name: fld for name, fld in cls.fields.items() if fld.scope in (Scope.content, Scope.settings)}


def _empty(value):
    return value is None or (isinstance(value, (str, list, dict, tuple)) and not value)


class _CustomBlocks:
    """Parse, round-trip and validate kkn blocks with their real classes."""

    def __init__(self):
        from . import i18n  # pylint: disable=import-outside-toplevel
        self.i18n = _BlockI18n(i18n.block_gettext())

    def _parse(self, cls, tag, element):
        from xblock.fields import ScopeIds  # pylint: disable=import-outside-toplevel
        runtime = _import_runtime(self.i18n)
        definition = runtime.id_generator.create_definition(tag)
        usage = runtime.id_generator.create_usage(definition)
        return cls.parse_xml(element, runtime, ScopeIds(None, tag, definition, usage))

    def check(self, tag, element):
        """``[(severity, code, message)]`` for one kkn element."""
        from .blocks import block_class  # pylint: disable=import-outside-toplevel
        cls = block_class(tag)
        fields = _author_fields(cls)
        renamed = getattr(cls, "renamed_attributes", {})  # archives built before a field was renamed
        found, clean = [], etree.Element(tag)
        for name, value in element.attrib.items():
            if name in ALLOWED_CUSTOM_ATTRIBUTES or name.startswith("{"):
                continue
            field_name = renamed.get(name, name)
            if name in renamed:
                found.append((WARNING, "renamed-attribute", _(
                    "<{tag}>: “{old}” is what earlier releases wrote; it is read as “{new}”. Build the archive again "
                    "to write the new name.").format(tag=tag, old=name, new=field_name)))
            if field_name not in fields:
                found.append((ERROR, "custom-attribute", _(
                    "<{tag}> has the attribute “{name}”, which is not one of its fields, so Studio drops it "
                    "silently. Remove it or use one of: {fields}.")
                    .format(tag=tag, name=name, fields=", ".join(sorted(fields)))))
                continue
            try:
                fields[field_name].from_string(value)
            except Exception as error:  # pylint: disable=broad-except  (any field type's parse error)
                found.append((ERROR, "custom-attribute", _(
                    "<{tag}>: the value of “{name}” cannot be read as this field's type ({error}). Write it as the "
                    "block exports it (JSON for lists and dictionaries, a plain number for numbers).")
                    .format(tag=tag, name=name, error=error)))
                continue
            clean.set(name, value)
        for child in element:
            if isinstance(child.tag, str):
                found.append((ERROR, "custom-attribute", _(
                    "<{tag}> has a child element <{child}>. These blocks keep all their data in attributes; Studio "
                    "would try to import the child as a block of its own. Move the value into an attribute.")
                    .format(tag=tag, child=etree.QName(child).localname)))
        if len(clean.attrib) == 0:
            found.append((ERROR, "custom-attribute", _(
                "<{tag}> has no field attributes, so every field keeps its default. Write the block's fields as "
                "attributes (at least display_name).").format(tag=tag)))
            return found
        try:
            block = self._parse(cls, tag, clean)
            before = {name: fld.read_from(block) for name, fld in fields.items()}
            exported = etree.Element("exported")
            block.add_xml_to_node(exported)
            exported.attrib.pop("xblock-family", None)  # the import runtime consumes it, as Studio's does
            again = self._parse(cls, tag, exported)
            after = {name: fld.read_from(again) for name, fld in fields.items()}
        except Exception as error:  # pylint: disable=broad-except  (the block class's own failure)
            found.append((ERROR, "custom-roundtrip", _(
                "<{tag}> cannot be read or exported by its block class ({error}). Correct the attribute values.")
                .format(tag=tag, error=error)))
            return found
        for name in sorted(fields):
            if before[name] != after[name]:
                found.append((ERROR, "custom-roundtrip", _(
                    "<{tag}>: the field “{name}” changes when Studio exports and imports the block again ({before} "
                    "becomes {after}). Write the value as the block itself exports it.")
                    .format(tag=tag, name=name, before=_short(before[name]), after=_short(after[name]))))
        found.extend(self._block_rules(tag, block))
        return found

    def _block_rules(self, tag, block):
        """The block's own author rules. A field not filled in yet (empty) is a warning: it can be
        completed in Studio; a field filled in wrongly is an error: the block cannot work."""
        found = []
        title = block.display_name
        rules = getattr(block, "author_problems", None)
        if rules is not None:
            for name, message in sorted(rules(block.current_author_values()).items()):
                if _empty(getattr(block, name, None)):
                    found.append((WARNING, "custom-content", _(
                        "<{tag}> “{title}”: {field} is not filled in yet: {message} Complete it before learners "
                        "reach the block.").format(tag=tag, title=title, field=name, message=message)))
                else:
                    found.append((ERROR, "custom-content", _(
                        "<{tag}> “{title}”: {field}: {message}").format(tag=tag, title=title, field=name,
                                                                      message=message)))
        validate = getattr(block, "validate", None)
        if validate is not None:
            for message in validate().messages:
                if message.type == "warning":
                    found.append((WARNING, "custom-content", _("<{tag}> “{title}”: {message}")
                                  .format(tag=tag, title=title, message=message.text)))
        return found


def _short(value, limit=80):
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
