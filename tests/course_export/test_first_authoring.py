"""What a new course author meets first: messages about what she wrote, in her language; the
reference reachable from the installed package; archives she can share; a preview that says what
it needs and where it writes."""
import argparse
import os
import re
import stat

import pytest

from course_export import i18n
from course_export.build import build
from course_export.cli import main
from course_export.commands import docs as docs_command
from course_export.commands import preview as preview_command
from course_export.source import REVIEW_POLICIES, read_course
from kkn_xblocks import checkin_rules

from .conftest import ROOT, edit, line_of
from .test_source import problems_of

MODULE = "modules/01-forsta-modulen/module.yaml"
MEETING = "meetings/01-starttraff.yaml"
PAGE = "modules/01-forsta-modulen/fordjupning.md"


def test_validate_on_a_broken_source_prints_no_empty_course_summary(course_source, capsys):
    edit(course_source / "course.yaml", "title: Min första kurs", "title: [Min första kurs")
    assert main(["validate", str(course_source)]) == 1
    out = capsys.readouterr().out
    assert "(no course key)" not in out and ": -;" not in out
    assert "The course could not be read: 1 error, 0 warnings." in out


def test_a_duplicate_meeting_id_is_one_message_about_the_id_written(course_source):
    copy = course_source / "meetings/02-andra-traffen.yaml"
    copy.write_text((course_source / MEETING).read_text(encoding="utf-8").replace("title: Startträff",
                                                                                  "title: Andra träffen"),
                    encoding="utf-8")
    (problem,) = problems_of(course_source)
    assert problem.message.startswith("The id \u201cstarttraff\u201d is already used at meetings/01-starttraff.yaml")
    assert (problem.location.file, problem.location.key) == ("meetings/02-andra-traffen.yaml", "id")


def test_a_session_ending_before_it_starts_shows_both_times_and_a_hint(course_source):
    edit(course_source / MEETING, 'end: "2027-02-01T15:00"', 'end: "2027-02-01T09:30"')
    (problem,) = problems_of(course_source)
    assert (problem.location.file, problem.location.key) == (MEETING, "sessions[1].end")
    assert problem.message == ("The session must end after it starts: it starts 2027-02-01 10:00 and ends "
                               "2027-02-01 09:30.")
    assert problem.hint == "Check the date and the hour of \u201cend\u201d (Swedish time, for example 2027-02-01T13:00)."


def test_a_missing_image_is_reported_at_the_markdown_file_and_line(course_source):
    page = course_source / PAGE
    page.write_text(page.read_text(encoding="utf-8") + "\nMer text.\n\n![Karta](static/karta.png)\n", encoding="utf-8")
    (problem,) = problems_of(course_source)
    assert (problem.location.file, problem.location.line) == (PAGE, line_of(page, "karta.png"))
    assert problem.message == "static/karta.png is linked but does not exist."


def test_a_missing_image_in_the_about_page_is_reported_at_its_line(course_source):
    overview = course_source / "about/overview.md"
    edit(overview, "static/logo.svg", "static/logga.svg")
    (problem,) = problems_of(course_source)
    assert (problem.location.file, problem.location.line) == ("about/overview.md", line_of(overview, "logga.svg"))


def test_source_folders_and_files_may_have_swedish_names(course_source):
    (course_source / "modules/01-forsta-modulen").rename(course_source / "modules/01-första-modulen")
    folder = course_source / "modules/01-första-modulen"
    (folder / "fordjupning.md").rename(folder / "fördjupning.md")
    edit(folder / "module.yaml", "page: fordjupning.md", "page: fördjupning.md")
    (course_source / MEETING).rename(course_source / "meetings/01-startträff.yaml")
    course = read_course(course_source)
    assert [chapter.title for chapter in course.chapters][:2] == ["Den första modulen", "Regionala träffar"]


def test_a_meetings_weight_is_refused_with_the_reason(course_source):
    path = course_source / MEETING
    path.write_text(path.read_text(encoding="utf-8") + "weight: 1\n", encoding="utf-8")
    (problem,) = problems_of(course_source)
    assert (problem.location.file, problem.location.line, problem.location.key) == (MEETING, line_of(path, "weight"),
                                                                                      "weight")
    assert "not a graded part of the course" in problem.message and "min_meetings" in problem.hint
    edit(path, "weight: 1", "weight: 0")
    read_course(course_source)


@pytest.mark.parametrize("broken, swedish", [
    ("title: Del 1: Inledning", "kolon följt av mellanslag är inte tillåtet här"),
    ("title: [Startträff", "en lista skriven inom [ ] är inte avslutad"),
    ("title: 'Startträff", "en text inom citattecken är inte avslutad"),
])
def test_yaml_syntax_problems_are_said_in_swedish(course_source, broken, swedish):
    edit(course_source / MEETING, "title: Startträff", broken)
    i18n.activate("sv")
    (problem,) = problems_of(course_source)
    assert problem.message == f"Det här är inte giltig YAML: {swedish}."
    assert not re.search(r"\b(expected|found|allowed|mapping|scanning|stream)\b", problem.message)


def test_the_preview_says_which_extra_it_needs(course_source, monkeypatch):
    from course_export import preview  # pylint: disable=import-outside-toplevel
    real_find_spec = preview.importlib.util.find_spec
    monkeypatch.setattr(preview.importlib.util, "find_spec",
                        lambda name, *args: None if name == "workbench" else real_find_spec(name, *args))
    errors = []
    options = argparse.Namespace(source=str(course_source), host="127.0.0.1", port=8000)
    stream = type("Stream", (), {"write": lambda self, text: errors.append(text)})()
    i18n.activate("sv")
    assert preview_command.run(options, stderr=stream) == 2
    said = "".join(errors)
    assert "tillägg \u201dworkbench\u201d" in said and 'pip install "kkn-xblocks[workbench] @ git+' in said
    assert "Traceback" not in said


@pytest.mark.parametrize("umask, mode", [(0o027, 0o640), (0o022, 0o644)])
def test_archives_follow_the_umask_as_manifests_do(course_source, tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        result = build(course_source, tmp_path / "out")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(result.archive.stat().st_mode) == mode
    assert stat.S_IMODE(result.manifest.stat().st_mode) == mode


def test_kkn_course_docs_prints_the_reference_shipped_in_the_package(capsys):
    assert main(["docs"]) == 0
    assert capsys.readouterr().out == (ROOT / "docs/course-source.md").read_text(encoding="utf-8")
    assert main(["docs", "--path"]) == 0
    shipped = capsys.readouterr().out.strip()
    assert shipped.endswith("course_export/docs/course-source.md")
    assert main(["docs", "exam"]) == 0 and "# " in capsys.readouterr().out
    assert main(["docs", "kursplan"]) == 2
    assert "Choose one of: course-source, exam" in capsys.readouterr().err
    assert docs_command.DOCS.resolve() == (ROOT / "docs").resolve()


def test_messages_point_to_the_reference_an_installed_package_has():
    """No message sends an author to docs/course-source.md, which an installed package does not have."""
    for path in (ROOT / "course_export").rglob("*.py"):
        assert "see docs/course-source.md" not in path.read_text(encoding="utf-8"), path


def test_the_reference_lists_every_value_the_reader_allows():
    reference = (ROOT / "docs/course-source.md").read_text(encoding="utf-8")
    for policy in REVIEW_POLICIES:
        assert f"`{policy}`" in reference, policy
    for role in checkin_rules.ROLE_IDS:
        assert f"`{role}`" in reference, role
    for needed in ("balance_topics", "`topic`", "`>`", "2 MB", "å, ä", "kkn-course docs", "min_meetings"):
        assert needed in reference, needed


def test_the_preview_lists_the_problems_in_its_own_language(course_source, monkeypatch, db, client):  # pylint: disable=unused-argument
    """The autouse fixture makes the environment's language English, as a default locale would."""
    from course_export.preview import views  # pylint: disable=import-outside-toplevel
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(course_source))
    monkeypatch.setattr(views, "_state", views.fresh_state())
    edit(course_source / MODULE, "weeks: 2", "weeks: 0")
    page = client.get("/kurs/").content.decode()
    assert "Kurskällan har fel" in page
    assert "Skriv ett heltal från 1 till 104." in page
    assert "Write a whole number" not in page
