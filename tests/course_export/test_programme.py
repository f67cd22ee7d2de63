"""Packaging a programme: one course, or a course per module plus the exam's course."""
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from course_export import i18n
from course_export.build import build, build_programme
from course_export.cli import main
from course_export.programme import module_blocks
from course_export.source import read_programme
from course_export.spec import SourceError, tag_of
from course_export.validation import validate_archive
from tests.course_export.conftest import EXAMPLES, edit

EXAMPLE = EXAMPLES / "naringslivsutvecklare"


@pytest.fixture
def example(tmp_path):
    folder = tmp_path / "nlu"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_per_module_gives_seven_valid_archives_and_two_builds_are_byte_identical(tmp_path):
    first = build_programme(EXAMPLE, tmp_path / "a", "modules")
    build_programme(EXAMPLE, tmp_path / "b", "modules")
    assert len(first.courses) == 7
    # The build's own content cache (.kkn-cache/, safe to delete) is not part of what it delivers.
    files = sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_file())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir() if p.is_file())
    assert len([name for name in files if name.endswith(".tar.gz")]) == 7
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    programme_ids = set()
    for result in first.courses:
        report = validate_archive(result.archive)  # olxcleaner (8 steps), our OLX rules, the blocks' round trip
        assert report.ok and report.errors == [], [str(p) for p in report.problems]
        # A module course has nothing graded: the one warning says its (programme's) grader is unused.
        assert {p.code for p in report.warnings} <= ({"grader-unused"} if result.course.kind == "module" else set())
        assert report.course_id == result.course.course_id and report.counts == result.course.counts()
        programme_ids |= {c.fields["programme_id"] for c in result.course.components() if hasattr(c, "fields")}
    assert programme_ids == {"naringslivsutvecklare"}


def test_the_programme_manifest_lists_every_course_with_its_archive(tmp_path):
    result = build_programme(EXAMPLE, tmp_path, "modules")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert result.manifest.name == "naringslivsutvecklare.programme.json"
    assert manifest["programme_id"] == "naringslivsutvecklare" and manifest["packaging"] == "modules"
    ids = [entry["course_id"] for entry in manifest["courses"]]
    assert ids == [f"course-v1:KKN+NLU101-M{n}+2027" for n in range(1, 7)] + ["course-v1:KKN+NLU101-PROV+2027"]
    for entry, built in zip(manifest["courses"], result.courses):
        archive = tmp_path / entry["archive"]
        assert entry["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
        assert entry["bytes"] == archive.stat().st_size and entry["counts"] == built.course.counts()
    assert [entry["kind"] for entry in manifest["courses"]] == ["module"] * 6 + ["exam"]


def test_meetings_go_to_their_modules_course_and_the_rest_to_the_exams():
    programme = read_programme(EXAMPLE, "modules")
    meetings = {course.course_id: [c.url_name for c in course.components() if tag_of(c) == "kkn_checkin"]
                for course in programme.courses}
    assert meetings["course-v1:KKN+NLU101-M1+2027"] == ["starttraff"]
    assert meetings["course-v1:KKN+NLU101-M3+2027"] == ["halvtidstraff"]
    assert meetings["course-v1:KKN+NLU101-PROV+2027"] == ["avslutningstraff"]
    exam_course = programme.courses[-1]
    assert [tag_of(c) for c in exam_course.components()] == ["kkn_exam", "kkn_checkin"]
    assert exam_course.title == "Slutprov – Certifierad näringslivsutvecklare"
    assert all(not c.certificates for c in programme.courses[:-1]) and exam_course.certificates


def test_a_module_sets_its_own_course(example):
    edit(example / "modules/03-etablering/module.yaml", "weeks: 3\n", """weeks: 3
course:
  number: ETABLERING
  run: 2027-vt
  title: Etableringar (fristående modul)
  start: 2027-03-01
  end: 2027-05-31
  price: 9500
  about:
    short_description: Modul 3 som egen kurs.
""")
    third = read_programme(example, "modules").courses[2]
    assert third.course_id == "course-v1:KKN+ETABLERING+2027-vt"
    assert third.title == "Etableringar (fristående modul)"
    assert (third.start.date().isoformat(), third.end.date().isoformat()) == ("2027-02-28", "2027-05-30")  # UTC
    assert third.about.short_description == "Modul 3 som egen kurs."
    assert "9\u00a0500 kr" in third.about.facts
    # Every module block and the exam link module 3 to its own course.
    for course in read_programme(example, "modules").courses:
        for block in course.components():
            if tag_of(block) in ("kkn_module", "kkn_exam"):
                assert block.fields["module_links"]["modul-3-etablering"] == \
                    "/courses/course-v1:KKN+ETABLERING+2027-vt/about"


def test_catalogue_facts_are_on_every_about_page_in_swedish(tmp_path):
    i18n.activate("en")  # the author's language does not matter: the course's does
    result = build_programme(EXAMPLE, tmp_path, "modules")
    import tarfile
    for built in result.courses:
        with tarfile.open(built.archive) as archive:
            overview = archive.extractfile("course/about/overview.html").read().decode("utf-8")
        assert "<h2>Pris och omfattning</h2>" in overview
        assert "Hela utbildningen: 58\u00a0000 kr för 16 veckor." in overview
        assert "Medlemmar i SKNT får 10 % rabatt." in overview
        if built.course.kind == "module":
            weeks = module_blocks(built.course)[0].fields["weeks"]
            assert f"Den här modulen fristående tar {weeks} veckor." in overview
    whole = build(EXAMPLE, tmp_path / "one")
    assert "Hela utbildningen: 58\u00a0000 kr" in whole.course.about.facts


def test_bad_packaging_settings_are_said_with_file_and_key(example):
    edit(example / "course.yaml", "packaging: course", "packaging: moduler")
    edit(example / "meetings/01-starttraff.yaml", "module: modul-1-kommunens-roll", "module: modul-9")
    edit(example / "modules/02-foretagsservice/module.yaml", "weeks: 3\n", "weeks: 3\ncourse:\n  run: 2027.1\n  prise: 1\n")
    with pytest.raises(SourceError) as raised:
        read_programme(example)
    found = {(p.location.file, p.location.key) for p in raised.value.problems}
    assert ("course.yaml", "packaging") in found
    assert ("meetings/01-starttraff.yaml", "module") in found
    assert ("modules/02-foretagsservice/module.yaml", "course.run") in found
    assert ("modules/02-foretagsservice/module.yaml", "course.prise") in found


def test_the_cli_builds_validates_a_programme_and_the_default_stays_one_course(tmp_path, capsys):
    assert main(["build", str(EXAMPLE), "-o", str(tmp_path / "one")]) == 0
    assert sorted(p.name for p in (tmp_path / "one").iterdir() if p.is_file()) == ["KKN-NLU101-2027.manifest.json",
                                                                     "KKN-NLU101-2027.tar.gz"]
    capsys.readouterr()
    assert main(["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--packaging", "modules", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["ok"] and len(outcome["courses"]) == 7
    assert main(["validate", str(tmp_path / "out")]) == 0
    assert "7" in capsys.readouterr().out
    # An archive that is not the one the manifest lists is caught.
    shutil.copy(tmp_path / "one" / "KKN-NLU101-2027.tar.gz", tmp_path / "out" / "KKN-NLU101-M2-2027.tar.gz")
    assert main(["validate", str(tmp_path / "out" / "naringslivsutvecklare.programme.json")]) == 1


def test_validate_checks_each_course_of_a_source_packaged_by_module(example, capsys):
    edit(example / "course.yaml", "packaging: course", "packaging: modules")
    assert main(["validate", str(example), "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["ok"] and len(outcome["courses"]) == 7
    assert all(course["matches_manifest"] for course in outcome["courses"])


def test_a_module_opening_outside_its_own_course_dates_is_refused(example):
    edit(example / "modules/03-etablering/module.yaml", "weeks: 3\n",
         "weeks: 3\nstart: 2027-02-01\ncourse:\n  start: 2027-03-01\n  end: 2027-05-31\n")
    with pytest.raises(SourceError) as raised:
        read_programme(example, "modules")
    assert [(p.location.file, p.location.key) for p in raised.value.problems] == [
        ("modules/03-etablering/module.yaml", "start")]


def test_two_courses_with_one_key_are_refused(example):
    edit(example / "modules/02-foretagsservice/module.yaml", "weeks: 3\n", "weeks: 3\ncourse:\n  number: NLU101-M1\n")
    with pytest.raises(SourceError) as raised:
        read_programme(example, "modules")
    (problem,) = raised.value.problems
    assert (problem.location.file, problem.location.key) == ("modules/02-foretagsservice/module.yaml", "course.number")
    assert "course-v1:KKN+NLU101-M1+2027" in problem.message and "01-kommunens-roll" in problem.message


def test_the_exam_course_is_titled_after_the_programme_by_default():
    """docs/course-source.md: the exam's course takes the programme's title (the scaffold's
    course.yaml gives the programme a title of its own)."""
    template = Path(__file__).resolve().parents[2] / "course_export" / "template"
    programme = read_programme(template, "modules")
    exam = next(course for course in programme.courses if course.kind == "exam")
    assert programme.title == "Mitt program" and exam.title == programme.title
