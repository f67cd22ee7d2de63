"""The build cache: rebuilds read and render only what changed, and never change the archive's bytes."""
import dataclasses
import os
import pickle
import re
import shutil
import tarfile

import pytest

from course_export import cache as cache_module
from course_export import source as source_module
from course_export.build import build
from course_export.cache import _SEAL, CACHE_FOLDER, FILE_NAME, OBJECTS, SourceCache, _read_object, _write_bytes
from course_export.loading import Problems
from course_export.spec import SourceError

from .conftest import EXAMPLES, edit, in_fresh_process


@pytest.fixture
def example(tmp_path):
    """A copy of the example programme: the largest source we have, with every kind of file."""
    folder = tmp_path / "src"
    shutil.copytree(EXAMPLES / "naringslivsutvecklare", folder)
    return folder


@pytest.fixture
def trusting(monkeypatch):
    """Trust file states at once (the tests write files and rebuild within the same second)."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


@pytest.fixture
def renders(monkeypatch):
    """The Markdown texts rendered, in order."""
    seen = []
    original = source_module.render_markdown

    def counting(text):
        seen.append(text)
        return original(text)
    monkeypatch.setattr(source_module, "render_markdown", counting)
    return seen


def cold(source, tmp_path, name):
    return build(source, tmp_path / name, cache=False).archive.read_bytes()


def test_a_build_from_the_cache_is_byte_identical_to_a_cold_one(example, tmp_path, trusting):
    out = tmp_path / "out"
    first = build(example, out).archive.read_bytes()
    assert (out / CACHE_FOLDER / FILE_NAME).is_file()
    again = build(example, out).archive.read_bytes()
    assert first == again == cold(example, tmp_path, "cold")


def test_after_changes_the_cached_build_equals_a_cold_build_of_the_new_source(example, tmp_path, trusting):
    out = tmp_path / "out"
    build(example, out)
    module = next(path for path in sorted((example / "modules").iterdir()) if (path / "module.yaml").is_file())
    page = sorted(module.glob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nEtt nytt stycke om **samverkan**.\n", encoding="utf-8")
    yaml_file = module / "module.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("title:", "title: Ny", 1), encoding="utf-8")
    (example / "static" / "ny-fil.txt").write_text("en ny fil\n", encoding="utf-8")
    warm = build(example, out).archive.read_bytes()
    assert warm == cold(example, tmp_path, "cold")


def test_a_rebuild_renders_only_the_changed_page(example, tmp_path, trusting, renders):
    out = tmp_path / "out"
    build(example, out)
    assert len(renders) > 20
    page = next(path for path in sorted((example / "modules").rglob("*.md"))  # a module's page (not a block text)
                if any(len(text) > 80 and text in path.read_text(encoding="utf-8") for text in renders))
    renders.clear()
    build(example, out)
    assert renders == []  # nothing changed: nothing rendered
    page.write_text(page.read_text(encoding="utf-8") + "\nHelt ny mening i slutet.\n", encoding="utf-8")
    build(example, out)
    assert len(renders) == 1 and "Helt ny mening i slutet." in renders[0]


def test_an_unchanged_file_is_not_read_again(example, tmp_path, trusting, monkeypatch):
    out = tmp_path / "out"
    build(example, out)
    opened = []
    real_open = open

    def watching(path, *args, **kwargs):
        if str(path).endswith((".md", ".yaml")):
            opened.append(str(path))
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr("builtins.open", watching)
    build(example, out)
    assert opened == []


def test_the_cache_is_safe_to_delete_or_break(example, tmp_path, trusting):
    out = tmp_path / "out"
    expected = build(example, out).archive.read_bytes()
    kept = out / CACHE_FOLDER / FILE_NAME
    objects = sorted((out / CACHE_FOLDER / OBJECTS).iterdir())
    assert len(objects) > 5  # per module its memo and its files' results, per chapter its OLX
    for damage in (b"", b"{not a pickle", pickle.dumps([]), pickle.dumps({"format": 1, "code": "other"}),
                   kept.read_bytes()[: len(kept.read_bytes()) // 2]):
        kept.write_bytes(damage)
        assert build(example, out).archive.read_bytes() == expected
    # Damage that leaves a pickle that loads: the archive members kept in the index, half zeroed.
    seal, data = kept.read_bytes()[:_SEAL], pickle.loads(kept.read_bytes()[_SEAL:])
    data["members"] = {key: bytes(len(member) // 2) + member[len(member) // 2:] for key, member in data["members"].items()}
    kept.write_bytes(seal + pickle.dumps(data))
    assert build(example, out).archive.read_bytes() == expected
    for damage in (lambda data: b"", lambda data: data[: len(data) // 2], lambda data: bytes([data[0] ^ 0xFF]) + data[1:],
                   lambda data: data[:-9] + bytes(9)):
        for path in (out / CACHE_FOLDER / OBJECTS).iterdir():
            path.write_bytes(damage(path.read_bytes()))
        assert build(example, out).archive.read_bytes() == expected
        # each damaged file was removed and written afresh: the next build finds them whole
        assert all(_read_object(path) is not None for path in (out / CACHE_FOLDER / OBJECTS).iterdir())
    shutil.rmtree(out / CACHE_FOLDER)
    assert build(example, out).archive.read_bytes() == expected


class Harmful:
    """Would run code when unpickled, if the cache's unpickler made anything it is given."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/kkn-cache-ran-code",))


def test_wrong_values_in_the_cache_are_not_trusted(example, tmp_path, trusting):
    out = tmp_path / "out"
    expected = build(example, out).archive.read_bytes()
    kept = out / CACHE_FOLDER / FILE_NAME
    data = unsealed(kept)
    data["texts"] = {key: 7 for key in data["texts"]}
    data["html"] = {key: None for key in data["html"]}
    data["yaml"] = {key: [b"x", pickle.dumps(Harmful()), "text"][i % 3] for i, key in enumerate(data["yaml"])}
    data["members"] = {key: "not bytes" for key in data["members"]}
    assert data["olx"] and data["modules"]  # the example's blocks wrote their elements; its modules their memos
    data["olx"] = {key: [7, "<broken", '<kkn_exam url_name="someone-else"/>'][i % 3]
                   for i, key in enumerate(data["olx"])}
    data["files"] = {path: [1] if i % 3 == 0 else entry.replace(":", ":x", 5) if i % 3 == 1 else entry
                     for i, (path, entry) in enumerate(data["files"].items())}
    _write_bytes(kept, pickle.dumps(data))
    # Memos, file results and chapters of the wrong shape, and one that would run code.
    for i, path in enumerate(sorted((out / CACHE_FOLDER / OBJECTS).iterdir())):
        value = unsealed(path)
        if hasattr(value, "chapter"):
            value = dataclasses.replace(value, chapter=["text", None, Harmful()][i % 3], entries=7)
        elif isinstance(value, dict):
            value = {name: "not bytes" if i % 2 else Harmful() for name in value}
        _write_bytes(path, pickle.dumps(value))
    assert build(example, out).archive.read_bytes() == expected
    assert not os.path.exists("/tmp/kkn-cache-ran-code")


def unsealed(path):
    """The value in a cache file, past its seal (a test rewrites it sealed: what the cache must still
    check is a value of the wrong shape, not damage)."""
    return pickle.loads(path.read_bytes()[_SEAL:])


def test_a_module_memo_stands_for_the_module_only_while_its_files_and_the_course_around_it_are_unchanged(
        example, tmp_path, trusting):
    """A module is replayed from its memo, not read; a change to one of its files, to another module's
    id list or to the course dates makes it read again, and the build equals a cold build each time."""
    out = tmp_path / "out"
    build(example, out)
    modules = sorted(path for path in (example / "modules").iterdir() if (path / "module.yaml").is_file())
    kept = SourceCache.load(out / CACHE_FOLDER)
    assert all(kept.recall_module(str(path), str(example)) is not None for path in modules)
    page = modules[0] / re.search(r"page: (\S+\.md)", (modules[0] / "module.yaml").read_text(encoding="utf-8")).group(1)
    page.write_text(page.read_text(encoding="utf-8") + "\nÄndrat.\n", encoding="utf-8")
    kept = SourceCache.load(out / CACHE_FOLDER)
    assert kept.recall_module(str(modules[0]), str(example)) is None
    assert kept.recall_module(str(modules[1]), str(example)) is not None
    assert build(example, out).archive.read_bytes() == cold(example, tmp_path, "cold-1")
    edit(example / "course.yaml", "end: 2027-06-30", "end: 2027-07-31")  # the course dates: every module's context
    assert build(example, out).archive.read_bytes() == cold(example, tmp_path, "cold-2")
    edit(modules[-1] / "module.yaml", "id: ", "id: x")  # the module ids every module block lists
    assert build(example, out).archive.read_bytes() == cold(example, tmp_path, "cold-3")


def test_a_module_that_takes_another_modules_id_is_reported_although_the_other_comes_from_its_memo(
        example, tmp_path, trusting):
    out = tmp_path / "out"
    build(example, out)
    first, second = sorted(path for path in (example / "modules").iterdir() if (path / "module.yaml").is_file())[:2]
    taken = re.search(r"(?m)^  - id: (\S+)", (first / "module.yaml").read_text(encoding="utf-8")).group(1)
    edit(second / "module.yaml", "  - id: ", f"  - id: {taken}\n    title: Dubblett\n    content:\n"
         "      - problem: {title: Fråga, question: Vad?, choices: [{text: Ja, correct: true}, {text: Nej}]}\n  - id: ")
    with pytest.raises(SourceError) as cached:
        build(example, out)
    with pytest.raises(SourceError) as fresh:
        build(example, tmp_path / "cold", cache=False)
    assert [str(p) for p in cached.value.problems] == [str(p) for p in fresh.value.problems]
    assert any(taken in str(p) for p in cached.value.problems)


def test_problems_are_still_found_when_the_files_come_from_the_cache(example, tmp_path, trusting):
    out = tmp_path / "out"
    build(example, out)
    edit(example / "course.yaml", "title:", "title: [")
    with pytest.raises(SourceError) as raised:
        build(example, out)
    assert any(p.location.file == "course.yaml" for p in raised.value.problems)


def test_a_file_changed_just_before_it_was_read_is_read_again(tmp_path):
    """Two writes in one clock tick can leave size and times alike: such a file is never trusted."""
    page = tmp_path / "sida.md"
    page.write_text("Första\n", encoding="utf-8")
    kept = SourceCache()
    problems = Problems(tmp_path, kept)
    assert problems.read_text(page, None) == "Första\n"
    assert kept.known_text(str(page), page.stat()) is None  # changed within a second of the reading
    state, _colon, key = kept.files[str(page)].rpartition(":")
    state, _colon, hashed_at = state.rpartition(":")
    kept.files[str(page)] = f"{state}:{int(hashed_at) + cache_module.RACY_NS}:{key}"  # as if read a second later
    assert kept.known_text(str(page), page.stat()) == "Första\n"


def test_yaml_survives_the_round_trip_through_the_cache_with_its_lines(tmp_path):
    path = tmp_path / "modul.yaml"
    path.write_text("id: m1\nnumber: 017\nlista:\n  - a: 1\n    b: ja\n  - [x, 2.5, null]\nid: igen\n", encoding="utf-8")
    data = Problems(tmp_path).load_yaml(path)
    kept = SourceCache()
    first = Problems(tmp_path, kept).load_yaml(path)
    first["lista"].append("ändrad")  # what a reading does with its copy stays there
    again = Problems(tmp_path, kept).load_yaml(path)
    assert kept.yaml and again is not first
    assert again == data
    assert (again.line, again.lines, again.raw, again.duplicates) == (data.line, data.lines, data.raw, data.duplicates)
    assert again["lista"].lines == data["lista"].lines and again["lista"][0].lines == data["lista"][0].lines


def test_a_rebuild_of_unchanged_blocks_loads_neither_their_classes_nor_django(example, tmp_path, trusting):
    """Our blocks' OLX comes from the cache when their fields are as before (the classes and Django
    cost a build's process some 0.3 s to load), and the archive is the same as a cold build's."""
    out = tmp_path / "out"
    build(example, out)
    page = sorted(example.rglob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nEn ändrad sida.\n", encoding="utf-8")
    archive, modules = in_fresh_process(
        "from course_export import cache\ncache.RACY_NS = 0\nfrom course_export.build import build\n"
        f"archive = build({str(example)!r}, {str(out)!r}).archive", "str(archive)")
    assert not [name for name in modules if name in ("django.apps.registry", "kkn_xblocks.exam", "kkn_xblocks.module")]
    assert open(archive, "rb").read() == cold(example, tmp_path, "cold")


def test_a_changed_block_is_written_by_its_class_again(example, tmp_path, trusting):
    out = tmp_path / "out"
    build(example, out)
    exam = example / "exam" / "exam.yaml"
    exam.write_text(exam.read_text(encoding="utf-8").replace("pass_percent: 70", "pass_percent: 75"), encoding="utf-8")
    warm = build(example, out).archive.read_bytes()
    assert warm == cold(example, tmp_path, "cold")
    with tarfile.open(out / next(p.name for p in out.glob("*.tar.gz"))) as tar:
        exams = [text for text in (tar.extractfile(m).read().decode("utf-8") for m in tar.getmembers() if m.isfile()
                                   and m.name.endswith(".xml")) if "<kkn_exam" in text]
    assert exams and all('pass_percent="75"' in text for text in exams)


def test_a_rebuild_after_one_changed_page_writes_the_olx_of_that_chapter_only(example, tmp_path, trusting,
                                                                               monkeypatch):
    """The chapters made from module memos are the same content as those read from the source, so their
    OLX comes from the cache (a chapter's key does not depend on how its objects are shared)."""
    from course_export import olx
    out = tmp_path / "out"
    build(example, out)
    written = []
    original = olx._Writer.write_chapter  # pylint: disable=protected-access

    def counting(self, chapter):
        written.append(chapter.url_name)
        return original(self, chapter)
    monkeypatch.setattr(olx._Writer, "write_chapter", counting)  # pylint: disable=protected-access
    module = sorted(path for path in (example / "modules").iterdir() if (path / "module.yaml").is_file())[2]
    page = module / re.search(r"page: (\S+\.md)", (module / "module.yaml").read_text(encoding="utf-8")).group(1)
    page.write_text(page.read_text(encoding="utf-8") + "\nEn ny mening.\n", encoding="utf-8")
    warm = build(example, out).archive.read_bytes()
    assert len(written) == 1 and written[0].startswith("c-")
    assert warm == cold(example, tmp_path, "cold")


def test_a_module_folder_moved_out_and_linked_back_is_refused_as_in_a_cold_build(example, tmp_path, trusting):
    """Moving a folder keeps its files' inodes and times: the memo must still not stand for files that
    now lie outside the source folder."""
    out = tmp_path / "out"
    build(example, out)
    module = sorted(path for path in (example / "modules").iterdir() if (path / "module.yaml").is_file())[0]
    outside = tmp_path / "utanfor" / module.name
    outside.parent.mkdir()
    module.rename(outside)
    module.symlink_to(outside, target_is_directory=True)
    with pytest.raises(SourceError) as cached:
        build(example, out)
    with pytest.raises(SourceError) as fresh:
        build(example, tmp_path / "cold", cache=False)
    assert [str(p) for p in cached.value.problems] == [str(p) for p in fresh.value.problems]
    assert "outside the course folder" in str(cached.value.problems[0]) or "utanför" in str(cached.value.problems[0])


def test_a_new_static_file_reads_the_modules_again_but_renders_nothing_again(example, tmp_path, trusting, renders):
    """The static files' names are part of every module's context (its pages' links are checked against
    them): the modules are read again, from what their files gave before."""
    out = tmp_path / "out"
    build(example, out)
    renders.clear()
    (example / "static" / "ny-bild.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    warm = build(example, out).archive.read_bytes()
    assert renders == []
    assert warm == cold(example, tmp_path, "cold")
