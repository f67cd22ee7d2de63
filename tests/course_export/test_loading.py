"""YAML reading: the one-pass reading of plain YAML gives exactly what PyYAML's own loader gives
(values, lines, raw scalars, duplicate keys), and leaves everything else to the exact way, whose
refusals and messages stay; nesting is bounded without recursion."""
import sys

import pytest
import yaml

from course_export import loading
from course_export.commands.new import TEMPLATE
from course_export.loading import MAX_YAML_DEPTH, Map, Problems, Seq

from .conftest import EXAMPLES


def _exact(text):
    """The reading before the one-pass reading existed: the shape check, then PyYAML's loader."""
    refused = loading._refused_shape(text)  # pylint: disable=protected-access
    if refused:
        raise loading._RefusedYaml(*refused)  # pylint: disable=protected-access
    return yaml.load(text, Loader=loading._Loader)  # noqa: S506 pylint: disable=protected-access


def _outcome(read, text):
    try:
        return "value", _shape(read(text))
    except loading._RefusedYaml as refused:  # pylint: disable=protected-access
        return "refused", refused.line, refused.message
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return "yaml", type(error).__name__, error.problem or error.context, mark.line if mark else None
    except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return "error", type(error).__name__, str(error)[:200]


def _shape(value):
    """Everything the reader relies on, in a comparable form (types, order, lines, raw, duplicates)."""
    if isinstance(value, Map):
        return ("map", value.line, [(key, value.lines[key], _shape(item)) for key, item in value.items()],
                dict(value.raw), list(value.duplicates))
    if isinstance(value, Seq):
        return ("seq", value.line, list(value.lines), [_shape(item) for item in value])
    return (type(value).__name__, value)


PLAIN = [
    "",
    "# only a comment\n",
    "---\n",
    "title: Min kurs\n",
    "just text\n",
    "- a\n- b\n",
    'run: 017\neffort: 4:00\nversion: 1.10\nn: 12\nf: 1.5\nhex: 0x1F\noct: 0o17\nbig: 1_000\ninf: .inf\nnan: .NaN\n',
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: null\nh: ~\ni:\nj: Null\n",
    'q: "yes"\nr: \'017\'\ns: "4:00"\nt: "line\\nbreak"\n',
    "yes: 1\n12: two\n1.5: x\nnull: y\ntrue: z\n~: w\n",
    "date: 2027-01-18\ntime: 2027-01-18T09:00\nz: 2027-01-18T08:00:00Z\n",
    "a: 1\nb: 2\na: 3\nb: {x: 1}\na: [1]\n",
    "list:\n- id: m1\n  content:\n    - page: a.md\n    - problem:\n        title: Q\n        choices: [{text: A, correct: true}, {text: B}]\n",
    "text: |\n  Rad ett\n  Rad två\nfolded: >-\n  ett\n  två\n",
    "flow: {a: [1, 2, {b: c}], d: []}\nempty: {}\n",
    "- [a, b]\n- - c\n  - d\n- {e: f}\n-\n- ''\n",
    "seq:\n- a\n-   b\nmap:\n  ? key\n  : value\n",
    "[a: b, c]\n",
    "a: -1\nb: +2\nc: -.5\nd: 190:20:30\ne: 0b101\nf: 1e3\ng: 6.8523015e+5\n",
    "å: ä\nö:\n  - ü\n",
    "%YAML 1.1\n---\na: 1\n...\n",
    "x: " + "[" * (MAX_YAML_DEPTH - 1) + "1" + "]" * (MAX_YAML_DEPTH - 1) + "\n",
]

EXACT = [
    "a: &x 1\nb: *x\n",  # alias
    "a: &x [1]\n",  # anchor
    "a: &x 1\nb: &x 2\n",  # duplicate anchor
    "a: !!int 5\n",  # tags
    "a: !!int abc\n",
    "a: !!map [1]\n",
    "a: !foo x\n",
    "a: ! x\n",
    "!!map {a: 1}\n",
    "a: 1\n---\nb: 2\n",  # two documents
    "? [a, b]\n: 1\n",  # keys that are collections
    "? {a: b}\n: 1\n",
    "base: {a: 1}\nm:\n  <<: {b: 2}\n  c: 3\n",  # merge
    "a: =\n",
    "= : 1\n",
    "a: b: c\n",  # errors
    "a: [1, 2\n",
    "a:\n\t- b\n",
    "a: 'x\n",
    "a: @x\n",
    "a: " + "9" * 5000 + "\n",
    "x: " + "[" * 5000,
    "x: " + "[" * MAX_YAML_DEPTH + "1" + "]" * MAX_YAML_DEPTH + "\n",
    "".join("  " * depth + f"k{depth}:\n" for depth in range(MAX_YAML_DEPTH + 1)) + "  " * MAX_YAML_DEPTH + "v\n",
]


def _source_texts():
    files = sorted(EXAMPLES.rglob("*.yaml")) + sorted(TEMPLATE.rglob("*.yaml"))
    assert len(files) > 10
    return [path.read_text(encoding="utf-8") for path in files]


@pytest.mark.parametrize("text", PLAIN + EXACT)
def test_the_reading_is_the_exact_readings(text):
    assert _outcome(loading._parse_yaml, text) == _outcome(_exact, text)  # pylint: disable=protected-access


def test_every_example_and_the_scaffold_are_read_in_one_pass_as_the_loader_reads_them():
    for text in _source_texts():
        assert loading._plain_yaml(text) is not loading._NOT_PLAIN  # pylint: disable=protected-access
        assert _outcome(loading._parse_yaml, text) == _outcome(_exact, text)  # pylint: disable=protected-access


@pytest.mark.parametrize("text", PLAIN)
def test_plain_yaml_is_read_in_one_pass(text):
    assert loading._plain_yaml(text) is not loading._NOT_PLAIN  # pylint: disable=protected-access


@pytest.mark.parametrize("text", EXACT)
def test_what_is_not_plain_goes_the_exact_way(text):
    assert loading._plain_yaml(text) is loading._NOT_PLAIN  # pylint: disable=protected-access


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH, MAX_YAML_DEPTH + 1, 200_000])
def test_nesting_is_counted_without_recursion(depth):
    """The one-pass reading holds its nesting in a list: it stops at the limit whatever the depth,
    even with almost no Python stack left, and the exact way then refuses without building."""
    texts = ["[" * depth + "]" * depth + "\n", "- " * depth + "\n"]  # depth lists, in flow and block style
    if depth < 1000:  # and depth mappings, one indented under the other
        texts.append("".join("  " * level + f"k{level}:\n" for level in range(depth - 1)) + "  " * (depth - 1) + "k: v\n")
    for text in texts:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(_stack_depth() + 20)
        try:
            plain = loading._plain_yaml(text)  # pylint: disable=protected-access
        finally:
            sys.setrecursionlimit(limit)
        if depth <= MAX_YAML_DEPTH:
            assert plain is not loading._NOT_PLAIN  # pylint: disable=protected-access
        else:
            assert plain is loading._NOT_PLAIN  # pylint: disable=protected-access
            with pytest.raises(loading._RefusedYaml) as refused:  # pylint: disable=protected-access
                loading._parse_yaml(text)  # pylint: disable=protected-access
            assert "more than 50 levels" in refused.value.message


def _stack_depth():
    frame, depth = sys._getframe(), 0  # pylint: disable=protected-access
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def test_a_file_is_read_whole_whatever_its_size_says(tmp_path):
    """The reader reads by the size the file had when it was looked at, and on to the end."""
    problems = Problems(tmp_path)
    page = tmp_path / "sida.md"
    page.write_bytes("\ufeffÅtta rader\n".encode("utf-8") * 1000)
    assert problems.read_text(page, loading.Location("sida.md")) == "Åtta rader\n" + "\ufeffÅtta rader\n" * 999
    page.write_bytes(b"")
    assert problems.read_text(page, loading.Location("sida.md")) == ""
    assert not problems.found


def test_too_large_and_not_utf8_files_are_refused_as_before(tmp_path):
    problems = Problems(tmp_path)
    where = loading.Location("sida.md")
    page = tmp_path / "sida.md"
    page.write_bytes(b"a" * loading.MAX_TEXT_FILE_BYTES)
    assert len(problems.read_text(page, where)) == loading.MAX_TEXT_FILE_BYTES
    page.write_bytes(b"a" * (loading.MAX_TEXT_FILE_BYTES + 1))
    assert problems.read_text(page, where) is None
    assert problems.found.pop().message == "The file sida.md is larger than 2 MB."
    for data in (b"ok\n\xff", b"\xef\xbb\xbfok\n\xff"):
        page.write_bytes(data)
        assert problems.read_text(page, where) is None
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            position = error.start  # what the reader said before: the codec's own count
        assert problems.found.pop().message == f"The file is not UTF-8 text (byte {position})."


def test_what_located_looked_at_is_what_read_text_reads(tmp_path):
    """``located`` looks at a path without following a link; ``read_text`` then reads what the path
    names, through a link too, and says what is missing or no file."""
    problems = Problems(tmp_path)
    where = loading.Location("x.md")
    (tmp_path / "sida.md").write_text("Sida\n", encoding="utf-8")
    (tmp_path / "mapp").mkdir()
    (tmp_path / "lank.md").symlink_to(tmp_path / "sida.md")
    (tmp_path / "mapplank.md").symlink_to(tmp_path / "mapp")
    read = {}
    for name in ("sida.md", "lank.md", "mapp", "mapplank.md", "saknas.md"):
        path = str(tmp_path / name)
        inside, status = problems.located(path)
        assert inside and (status is None) == (name in ("lank.md", "mapplank.md", "saknas.md"))
        read[name] = problems.read_text(path, where, status)
    assert read == {"sida.md": "Sida\n", "lank.md": "Sida\n", "mapp": None, "mapplank.md": None, "saknas.md": None}
    assert [problem.message for problem in problems.found] == [
        "mapp is not a plain file.", "mapplank.md is not a plain file.", "The file saknas.md does not exist."]
