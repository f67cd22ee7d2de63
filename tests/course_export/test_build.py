"""The build: deterministic, atomic archives that follow the OLX rules, and blocks that round-trip."""
import json
import os
import subprocess
import tarfile

import pytest
from lxml import etree

from course_export.build import build
from course_export.cli import main
from course_export.spec import CustomBlock, SourceError

from .conftest import EXAMPLES, edit


def members(archive):
    with tarfile.open(archive) as tar:
        return tar.getmembers()


def read_member(archive, name):
    with tarfile.open(archive) as tar:
        return tar.extractfile(name).read()


def test_two_builds_of_one_source_are_byte_identical(course_source, tmp_path):
    first = build(course_source, tmp_path / "a")
    for path in course_source.rglob("*"):  # a fresh checkout has other file times
        os.utime(path, (1, 1))
    second = build(course_source, tmp_path / "b")
    assert first.archive.read_bytes() == second.archive.read_bytes()
    assert first.manifest.read_bytes() == second.manifest.read_bytes()


def test_archive_members_are_safe_sorted_and_timeless(course_source, tmp_path):
    result = build(course_source, tmp_path)
    found = members(result.archive)
    names = [m.name for m in found]
    assert names[0] == "course" and all(n == "course" or n.startswith("course/") for n in names)
    assert all(m.isfile() or m.isdir() for m in found)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in found} == {(0, 0, 0, "", "")}
    assert names.count("course/course.xml") == 1
    assert result.archive.read_bytes()[4:8] == b"\0\0\0\0"  # gzip header: no time


def test_olx_follows_the_rules_studio_needs(course_source, tmp_path):
    archive = build(course_source, tmp_path).archive
    course_xml = etree.fromstring(read_member(archive, "course/course.xml"))
    assert dict(course_xml.attrib) == {"url_name": "2027", "org": "MinOrg", "course": "KURS101"}
    root = etree.fromstring(read_member(archive, "course/course/2027.xml"))
    assert [dict(c.attrib) for c in root] == [{"url_name": n} for n in ("c-modul-1", "c-regionala-traffar", "c-slutprov")]
    exam_seq = etree.fromstring(read_member(archive, "course/sequential/s-slutprov.xml"))
    assert (exam_seq.get("graded"), exam_seq.get("format")) == ("true", "Slutprov")
    unit = etree.fromstring(read_member(archive, "course/vertical/modul-1-fordjupning.xml"))
    assert dict(unit[0].attrib) == {"url_name": "modul-1-fordjupning-1"}  # html: a pointer, only url_name
    html = etree.fromstring(read_member(archive, "course/html/modul-1-fordjupning-1.xml"))
    assert html.get("filename") == "modul-1-fordjupning-1" and html.get("display_name") == "Fördjupning"
    assert b"<code>static/</code>" in read_member(archive, "course/html/modul-1-fordjupning-1.html")
    policy = json.loads(read_member(archive, "course/policies/2027/policy.json"))["course/2027"]
    assert policy["start"] == "2027-01-17T23:00:00Z" and policy["end"] == "2027-06-29T22:00:00Z"
    assert policy["language"] == "sv" and policy["advanced_modules"] == ["kkn_module", "kkn_checkin", "kkn_exam"]
    grading = json.loads(read_member(archive, "course/policies/2027/grading_policy.json"))
    assert grading == {"GRADER": [{"type": "Slutprov", "short_label": "Prov", "min_count": 1, "drop_count": 0,
                                   "weight": 1.0}], "GRADE_CUTOFFS": {"Pass": 0.7}}
    assert read_member(archive, "course/static/logo.svg").startswith(b"<svg")
    assert b"58 000" not in read_member(archive, "course/about/price.html")  # the scaffold is free
    assert read_member(archive, "course/about/effort.html") == b"4:00"


@pytest.mark.parametrize("source", ["scaffold", "naringslivsutvecklare", "kkn-seminarieserie"])
def test_custom_blocks_round_trip_through_their_own_classes(source, course_source, tmp_path, wb):
    result = build(course_source if source == "scaffold" else EXAMPLES / source, tmp_path)
    checked = 0
    for unit in result.course.units():
        vertical = etree.fromstring(read_member(result.archive, f"course/vertical/{unit.url_name}.xml"))
        for component, node in zip(unit.components, vertical):
            if not isinstance(component, CustomBlock):
                continue
            assert node.tag == component.tag and node.get("url_name") == component.url_name
            node.attrib.pop("url_name")
            block = wb.block(wb.load(etree.tostring(node, encoding="unicode")))
            for name, value in component.fields.items():
                assert getattr(block, name) == value, (component.url_name, name)
            checked += 1
    assert checked == sum(1 for c in result.course.components() if isinstance(c, CustomBlock)) >= 3


def test_manifest_counts_what_was_built(course_source, tmp_path):
    result = build(course_source, tmp_path)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["course_id"] == "course-v1:MinOrg+KURS101+2027"
    assert manifest["archive"] == "MinOrg-KURS101-2027.tar.gz" and manifest["bytes"] == result.archive.stat().st_size
    assert manifest["counts"] == {"chapter": 3, "course": 1, "html": 1, "kkn_checkin": 1, "kkn_exam": 1,
                                  "kkn_module": 1, "problem": 1, "sequential": 3, "vertical": 4}
    assert manifest["graded_subsections"] == [{"url_name": "s-slutprov", "format": "Slutprov"}]
    with tarfile.open(result.archive) as tar:
        tags = [etree.fromstring(tar.extractfile(m).read()).tag for m in tar.getmembers()
                if m.name.startswith("course/vertical/")]
    assert len(tags) == manifest["counts"]["vertical"]


def test_a_broken_source_leaves_no_archive(course_source, tmp_path):
    edit(course_source / "exam/exam.yaml", "draw: 0", "draw: 99")
    out = tmp_path / "out"
    with pytest.raises(SourceError):
        build(course_source, out)
    assert not out.exists() or not any(out.iterdir())


def test_a_failed_write_leaves_neither_archive_nor_temporary_file(course_source, tmp_path, monkeypatch):
    from course_export import archive as archive_module

    def header_then_full_disk(name, size, folder):
        if name.endswith("policy.json"):
            raise OSError(28, "No space left on device")
        return original(name, size, folder)

    original = archive_module._header  # pylint: disable=protected-access
    monkeypatch.setattr(archive_module, "_header", header_then_full_disk)
    with pytest.raises(OSError):
        build(course_source, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # as it was: not even the cache's folder is left


def test_gnu_tar_and_tarfile_read_the_archive_the_same(tmp_path):
    from course_export.archive import write_archive
    deep = "/".join(["mapp"] * 30) + "/fil.txt"  # longer than a ustar name: split into prefix and name
    files = {"course.xml": b"<course/>", "html/a.html": "<p>å</p>".encode(), deep: b"x" * 513, "tom.txt": b""}
    archive = write_archive(files, tmp_path / "a.tar.gz")
    with tarfile.open(archive) as tar:
        read = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert read == {f"course/{name}": data for name, data in files.items()}
    listed = subprocess.run(["tar", "tzf", str(archive)], check=True, capture_output=True, text=True).stdout.split()
    assert listed[0] == "course/" and f"course/{deep}" in listed


def test_cli_build_reports_problems_with_file_and_line(course_source, tmp_path, capsys):
    edit(course_source / "course.yaml", "pacing: self", "pacing: ibland")
    assert main(["build", str(course_source), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "course.yaml:9 (pacing): Write one of: self, instructor." in err
    assert "1 problem in the course source; nothing was written." in err


def test_cli_build_json(course_source, tmp_path, capsys):
    assert main(["build", str(course_source), "--out", str(tmp_path / "out"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["course_id"] == "course-v1:MinOrg+KURS101+2027"


def test_new_writes_a_course_that_builds_and_refuses_a_used_folder(tmp_path, capsys):
    folder = tmp_path / "ny-kurs"
    assert main(["new", str(folder)]) == 0
    assert main(["build", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert main(["new", str(folder)]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err


@pytest.mark.parametrize("example", ["naringslivsutvecklare", "kkn-seminarieserie"])
def test_the_examples_build(example, tmp_path):
    result = build(EXAMPLES / example, tmp_path)
    counts = result.course.counts()
    assert counts["kkn_module"] >= 5 and counts["kkn_checkin"] >= 2 and counts["kkn_exam"] == 1


@pytest.mark.parametrize("example", ["naringslivsutvecklare", "kkn-seminarieserie"])
def test_the_examples_validate_clean_with_studios_validator_and_ours(example, tmp_path):
    from course_export.validation import validate_archive
    result = build(EXAMPLES / example, tmp_path)
    report = validate_archive(result.archive)
    assert report.ok and report.errors == [], [str(p) for p in report.problems]
    assert report.warnings == [], [p.message for p in report.warnings]
    assert report.counts == result.course.counts()
    assert report.course_id == result.course.course_id


def test_tree_never_replaces_the_source_or_a_foreign_folder(tmp_path, capsys):
    source = tmp_path / "course"  # the OLX tree would be <tree>/course: the source itself
    assert main(["new", str(source)]) == 0
    (source / ".git").mkdir()
    assert main(["build", str(source), "--out", str(tmp_path / "out"), "--tree", str(tmp_path)]) == 2
    assert (source / "course.yaml").is_file() and (source / ".git").is_dir()
    assert "will not replace it" in capsys.readouterr().err
    foreign = tmp_path / "other" / "course"
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["build", str(source), "--out", str(tmp_path / "out"), "--tree", str(tmp_path / "other")]) == 2
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "out").exists()  # refused before anything was written
    assert main(["build", str(source), "--out", str(tmp_path / "out"), "--tree", str(tmp_path / "olx")]) == 0
    assert main(["build", str(source), "--out", str(tmp_path / "out"), "--tree", str(tmp_path / "olx")]) == 0
    assert (tmp_path / "olx/course/course.xml").is_file()


def test_the_manifest_always_describes_the_archive_beside_it(course_source, tmp_path):
    import hashlib
    out = tmp_path / "out"
    build(course_source, out)
    edit(course_source / "course.yaml", "title: Min första kurs", "title: Min andra kurs")
    result = build(course_source, out)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(result.archive.read_bytes()).hexdigest()


def test_gzip_wrapper_is_the_same_on_every_system(course_source, tmp_path):
    from course_export.archive import GZIP_HEADER
    archive = build(course_source, tmp_path).archive
    assert archive.read_bytes()[:10] == GZIP_HEADER == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    subprocess.run(["gzip", "-t", str(archive)], check=True)


def test_an_archive_of_many_gzip_members_reads_as_one_stream(tmp_path):
    """Many files make many gzip members (runs cut by name): gzip, GNU tar and ``tarfile.open`` as
    Studio's import calls it (openedx-platform cms/djangoapps/contentstore/tasks.py) read them all."""
    import gzip
    import subprocess
    from course_export.archive import write_archive
    files = {f"html/sida-{n}.html": f"<p>Sida {n}</p>".encode() for n in range(400)}
    archive = write_archive(files, tmp_path / "stor.tar.gz")
    data = archive.read_bytes()
    assert data.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff") > 3  # several members
    assert len(gzip.decompress(data)) % 512 == 0
    with tarfile.open(archive) as tar:  # noqa: SIM115 - as Studio opens it
        read = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert read == {f"course/{name}": content for name, content in files.items()}
    listed = subprocess.run(["tar", "tzf", str(archive)], capture_output=True, text=True, check=True).stdout.split()
    assert len([name for name in listed if not name.endswith("/")]) == 400


def test_cli_build_names_a_page_it_cannot_read_and_writes_nothing(course_source, unreadable_page, tmp_path, capsys):
    """A page the builder may not read is a problem with its file, not a traceback."""
    page = unreadable_page
    out = tmp_path / "out"
    assert main(["build", str(course_source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    name = page.relative_to(course_source).as_posix()
    assert f"The file {name} cannot be read: Permission denied. Make it readable for you (its permissions)." in err
    assert "Traceback" not in err and not list(out.glob("*.tar.gz"))
    assert main(["validate", str(course_source)]) == 1
    assert f"The file {name} cannot be read: Permission denied." in capsys.readouterr().out
