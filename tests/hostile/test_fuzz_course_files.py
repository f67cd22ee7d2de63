"""Property-based fuzzing of kkn-course's readers: the source reader (generated YAML and Markdown)
and the archive reader (generated tar members). Whatever the input: problems said in words, never
a traceback, and memory that stays bounded (the process's peak grows by less than 200 MB).
"""
import copy
import gzip
import io
import resource
import shutil
import tarfile

import pytest
import yaml
from hypothesis import example, given, reject, settings
from hypothesis import strategies as st

from course_export import i18n
from course_export.build import build
from course_export.commands.new import TEMPLATE
from course_export.source import read_course
from course_export.spec import SourceError
from course_export.validation import Report, validate_archive

from .harness import CASES
from .strategies import TEXT, json_values

GROWTH_LIMIT_KB = 200 * 1024
YAML_FILES = ["course.yaml", "modules/01-forsta-modulen/module.yaml", "meetings/01-starttraff.yaml",
              "exam/exam.yaml"]
MARKDOWN_FILES = ["modules/01-forsta-modulen/kunskap.md", "modules/01-forsta-modulen/sjalvtest.md",
                  "exam/questions.md", "about/overview.md"]
YAML_CHARS = st.sampled_from(list(":-[]{}&*!|>?'\"#%@`,\n\t ") + ["  ", "- ", ": ", "\u00e5", "\ud800", "\x00"])
MARKDOWN_CHARS = st.sampled_from(list("#>*-_`[]()!<>|=~\\\n .1") + ["    ", "- ", "1. ", "<div>", "</div>", "```",
                                                                       "[x](", "<script>", "\u00e5", "\x01"])


def _peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "kurs"


def _fresh_source(folder):
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(TEMPLATE, folder)
    return folder


def _read(folder):
    """Read the source; any problem is a SourceError with messages, anything else fails the test."""
    try:
        read_course(folder)
    except SourceError as error:
        assert error.problems and all(isinstance(p.message, str) and p.message for p in error.problems)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _replaced(data, path, value):
    if not path:
        return value
    data = copy.deepcopy(data)
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


@st.composite
def yaml_texts(draw, original):
    """A changed YAML file: a value replaced by anything, text inserted anywhere, or YAML-ish noise."""
    form = draw(st.sampled_from(["replace", "insert", "noise"]))
    if form == "replace":
        data = yaml.safe_load(original)
        path = draw(st.sampled_from(list(_paths(data))))
        return yaml.safe_dump(_replaced(data, path, draw(json_values())), allow_unicode=True, sort_keys=False)
    if form == "insert":
        at = draw(st.integers(min_value=0, max_value=len(original)))
        return original[:at] + draw(st.lists(YAML_CHARS, max_size=40).map("".join) | TEXT) + original[at:]
    return draw(st.lists(YAML_CHARS | TEXT, max_size=60).map("".join))


DEEP_MARKDOWN = st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.sampled_from([
    ">" * n + " djup", "\n".join("  " * i + "- punkt" for i in range(min(n, 400))), "[" * n + "x" + "]" * n,
    "*" * n + "x" + "*" * n, "<div>" * n, "`" * n, "#" * n + " rubrik", "1. " * n,
]))


@st.composite
def markdown_texts(draw, original):
    form = draw(st.sampled_from(["insert", "noise", "deep"]))
    if form == "insert":
        at = draw(st.integers(min_value=0, max_value=len(original)))
        return original[:at] + draw(st.lists(MARKDOWN_CHARS, max_size=60).map("".join) | TEXT) + original[at:]
    if form == "noise":
        return draw(st.lists(MARKDOWN_CHARS | TEXT, max_size=80).map("".join))
    return draw(DEEP_MARKDOWN)


def _write(path, text):
    path.write_bytes(text.encode("utf-8", "surrogatepass"))  # a lone surrogate becomes bytes that are not UTF-8


YAML_EXAMPLES = [
    "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    + "start: *a9\n",
    "x: " + "[" * 50_000 + "]" * 50_000,
    "? [a, b]\n: 1\n",
    "start: 0001-01-01\nend: 9999-12-31T23:59:00-05:00\n",
]
MARKDOWN_EXAMPLES = [">" * 5000 + " djup", "<div>" * 5000]


@pytest.mark.parametrize("name,texts,examples", [
    *((name, yaml_texts, YAML_EXAMPLES) for name in YAML_FILES),
    *((name, markdown_texts, MARKDOWN_EXAMPLES) for name in MARKDOWN_FILES),
])
def test_fuzz_source_reader(source_copy, name, texts, examples):
    i18n.activate("en")
    start = _peak_kb()

    @settings(settings.get_profile("kkn-fuzz"))
    @given(text=texts((TEMPLATE / name).read_text(encoding="utf-8")))
    def fuzz(text):
        CASES[f"source reader: {name}"] += 1
        folder = _fresh_source(source_copy)
        _write(folder / name, text)
        _read(folder)

    for text in examples:  # what earlier hunts found, and the issue's own cases
        fuzz = example(text=text)(fuzz)
    fuzz()
    assert _peak_kb() - start < GROWTH_LIMIT_KB


# --- the archive reader ---------------------------------------------------------------------------

MEMBER_TYPES = [tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
                tarfile.FIFOTYPE, tarfile.CONTTYPE]
NAME_PARTS = st.sampled_from(["kurs", "MinOrg-KURS101-2027", "..", ".", "", "course.xml", "static", "html",
                              "a.xml", "C:", "\\..", "\u00e5", "x" * 120])
MEMBER_NAMES = st.one_of(st.lists(NAME_PARTS, min_size=1, max_size=5).map("/".join), TEXT,
                         st.sampled_from(["./", "/etc/passwd", "../x", "kurs/../../x", "C:\\x", "kurs\\..\\x"]))
MEMBERS = st.lists(st.tuples(MEMBER_NAMES, st.sampled_from(MEMBER_TYPES), st.binary(max_size=64), TEXT),
                   max_size=12)


@pytest.fixture(scope="module")
def built_archive(tmp_path_factory):
    """The scaffold course, built: hostile members are added to a real course archive."""
    i18n.activate("en")
    folder = tmp_path_factory.mktemp("bygg")
    result = build(_fresh_source(folder / "kurs"), folder / "out")
    with tarfile.open(result.archive, "r:gz") as tar:
        return [(member, tar.extractfile(member).read() if member.isreg() else b"") for member in tar]


def _tar_bytes(base, extra):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in base:
            tar.addfile(member, io.BytesIO(data) if member.isreg() else None)
        for name, kind, data, linkname in extra:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, linkname
            info.size = len(data) if kind in (tarfile.REGTYPE, tarfile.CONTTYPE) else 0
            try:
                tar.addfile(info, io.BytesIO(data) if info.size else None)
            except (ValueError, UnicodeError, tarfile.TarError):
                reject()  # a member tarfile itself cannot write
    return buffer.getvalue()


@st.composite
def archives(draw, base):
    """A .tar.gz: the real course with generated members added (or alone), or its bytes damaged."""
    form = draw(st.sampled_from(["added", "alone", "damaged"]))
    if form == "damaged":
        data = bytearray(gzip.compress(_tar_bytes(base, []), mtime=0))
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            at = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[at] = draw(st.integers(min_value=0, max_value=255))
        cut = draw(st.integers(min_value=0, max_value=len(data)))
        return bytes(data[:cut] if draw(st.booleans()) else data)
    members = draw(MEMBERS)
    return gzip.compress(_tar_bytes(base if form == "added" else [], members), mtime=0)


def test_fuzz_archive_reader(built_archive, tmp_path):
    i18n.activate("en")
    start = _peak_kb()
    archive = tmp_path / "kurs.tar.gz"

    @settings(settings.get_profile("kkn-fuzz"))
    @given(data=archives(built_archive))
    def fuzz(data):
        CASES["archive reader"] += 1
        archive.write_bytes(data)
        report = validate_archive(archive)
        assert isinstance(report, Report)
        assert all(isinstance(p.message, str) and p.message for p in report.problems)

    fuzz()
    assert _peak_kb() - start < GROWTH_LIMIT_KB
