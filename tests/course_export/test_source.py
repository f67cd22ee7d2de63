"""The course source reader: every error with file, line and key, all at once; the block rules apply."""
import pytest

from course_export import i18n
from course_export.source import read_course
from course_export.spec import CustomBlock, Html, Problem, SourceError

from .conftest import edit, line_of

MODULE = "modules/01-forsta-modulen/module.yaml"
MEETING = "meetings/01-starttraff.yaml"
EXAM = "exam/exam.yaml"


def problems_of(folder):
    with pytest.raises(SourceError) as raised:
        read_course(folder)
    return raised.value.problems


def only_problem(folder):
    (problem,) = problems_of(folder)
    return problem


def test_the_scaffold_reads_into_a_complete_spec(course_source):
    course = read_course(course_source)
    assert course.course_id == "course-v1:MinOrg+KURS101+2027"
    assert [chapter.kind for chapter in course.chapters] == ["module", "meetings", "exam"]
    module = next(c for c in course.components() if isinstance(c, CustomBlock) and c.tag == "kkn_module")
    assert module.fields["module_id"] == "modul-1" and module.fields["programme_id"] == "mitt-program"
    assert module.fields["self_check"][0]["options"] == ["Forskning", "Gissningar"]
    exam = next(c for c in course.components() if isinstance(c, CustomBlock) and c.tag == "kkn_exam")
    assert exam.fields["required_modules"] == ["modul-1"]
    assert exam.fields["module_links"] == {"modul-1": "/courses/course-v1:MinOrg+KURS101+2027/jump_to_id/modul-1"}
    assert len(exam.fields["questions"]) == 3
    checkin = next(c for c in course.components() if isinstance(c, CustomBlock) and c.tag == "kkn_checkin")
    # Swedish local time in the source, UTC in the block (February: UTC+1)
    assert checkin.fields["sessions"][0]["start"] == "2027-02-01T09:00:00Z"
    page = next(c for c in course.components() if isinstance(c, Html))
    assert page.title == "Fördjupning" and "<h1" not in page.html
    assert course.graded_subsections() == [{"url_name": "s-slutprov", "format": "Slutprov"}]
    assert course.about.overview.startswith('<p><img src="/static/logo.svg"')


def test_unknown_key_names_file_line_and_the_close_known_key(course_source):
    path = course_source / "course.yaml"
    edit(path, "title: Min första kurs", "titel: Min första kurs")
    found = problems_of(course_source)
    unknown = next(p for p in found if "Unknown key" in p.message)
    assert (unknown.location.file, unknown.location.line, unknown.location.key) == ("course.yaml", line_of(path, "titel"), "titel")
    assert "Did you mean \u201ctitle\u201d?" in unknown.hint
    assert any(p.location.key == "title" and "required" in p.message for p in found)


def test_wrong_type_names_the_nested_key(course_source):
    path = course_source / MODULE
    edit(path, "  min_words: 150", "  min_words: många")
    problem = only_problem(course_source)
    assert (problem.location.file, problem.location.line, problem.location.key) == (MODULE, line_of(path, "min_words"), "task.min_words")
    assert "whole number" in problem.message


def test_missing_markdown_file(course_source):
    path = course_source / MODULE
    edit(path, "knowledge: kunskap.md", "knowledge: forskning.md")
    problem = only_problem(course_source)
    assert problem.location.line == line_of(path, "forskning.md")
    assert problem.message == "The file modules/01-forsta-modulen/forskning.md does not exist."


def test_duplicate_ids(course_source):
    path = course_source / MODULE
    edit(path, "  - id: modul-1-fordjupning", "  - id: starttraff")
    problem = only_problem(course_source)
    assert "\u201cstarttraff\u201d is already used" in problem.message
    assert problem.location.file == MEETING or problem.location.file == MODULE


def test_dates_out_of_order(course_source):
    edit(course_source / "course.yaml", "end: 2027-06-30", "end: 2026-06-30")
    found = problems_of(course_source)
    assert any(p.location.key == "end" and "ends before it starts" in p.message for p in found)


def test_a_session_outside_the_course_dates(course_source):
    path = course_source / MEETING
    edit(path, 'start: "2027-02-01T10:00"', 'start: "2029-02-01T10:00"')
    problem = only_problem(course_source)
    assert (problem.location.file, problem.location.key) == (MEETING, "sessions[1].start")
    assert "outside the course dates" in problem.message


def test_exam_draw_larger_than_the_bank(course_source):
    path = course_source / EXAM
    edit(path, "draw: 0", "draw: 10")
    problem = only_problem(course_source)
    assert (problem.location.file, problem.location.line, problem.location.key) == (EXAM, line_of(path, "draw:"), "draw")
    assert "draws 10 questions but the bank has only 3" in problem.message


def test_bank_errors_name_the_bank_file_and_line(course_source):
    edit(course_source / "exam/questions.md", "- b) Rykten", "- ")
    problem = only_problem(course_source)
    assert problem.location.file == "exam/questions.md"
    assert "Line 4" in problem.message


def test_yaml_syntax_error_has_its_line(course_source):
    path = course_source / MEETING
    edit(path, "title: Startträff", "title: [Startträff")
    problem = only_problem(course_source)
    assert problem.location.file == MEETING and problem.location.line is not None
    assert "not valid YAML" in problem.message


def test_every_problem_is_reported_in_one_run(course_source):
    edit(course_source / "course.yaml", "pacing: self", "pacing: sometimes")
    edit(course_source / MODULE, "weeks: 2", "weeks: 0")
    edit(course_source / EXAM, "format: Slutprov", "format: Tenta")
    edit(course_source / "modules/01-forsta-modulen/fordjupning.md", "En fördjupande", "![bild](static/saknas.png) En")
    found = problems_of(course_source)
    where = {(p.location.file, p.location.key) for p in found}
    assert {("course.yaml", "pacing"), (MODULE, "weeks"), (EXAM, "format"),
            ("modules/01-forsta-modulen/fordjupning.md", "")} <= where
    assert any("static/saknas.png is linked but does not exist" in p.message for p in found)


def test_block_rules_apply_to_the_source(course_source):
    """The module block's own rule: a self-check completion needs a self-check."""
    path = course_source / MODULE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("self_check:\n  questions: sjalvtest.md\n  pass_percent: 80\n", ""), encoding="utf-8")
    problem = only_problem(course_source)
    assert (problem.location.file, problem.location.key) == (MODULE, "completion")
    assert "needs a self-check" in problem.message


def test_ids_must_be_ascii(course_source):
    edit(course_source / MEETING, "id: starttraff", "id: starttr\u00e4ff")
    problem = only_problem(course_source)
    assert problem.location.key == "id" and "not a valid id" in problem.message


def test_graders_must_add_up_and_be_used(course_source):
    edit(course_source / "course.yaml", "    - {type: Slutprov, short_label: Prov, weight: 1.0}",
         "    - {type: Slutprov, short_label: Prov, weight: 0.5}\n    - {type: Uppgift, short_label: Upp, weight: 0.4}")
    messages = [p.message for p in problems_of(course_source)]
    assert "The weights add up to 0.9; they must add up to 1." in messages
    assert any("\u201cUppgift\u201d" in m and "graded subsection" in m for m in messages)


def test_not_a_course_folder(tmp_path):
    problem = only_problem(tmp_path)
    assert "has no course.yaml" in problem.message


def test_messages_are_swedish_when_the_language_is(course_source):
    edit(course_source / "course.yaml", "title: Min första kurs", "titel: Min första kurs")
    i18n.activate("sv")
    found = problems_of(course_source)
    assert any(p.message == "Okänd nyckel \u201dtitel\u201d." and p.hint == "Menade du \u201dtitle\u201d?" for p in found)


def test_practice_problems_keep_their_choices(course_source):
    course = read_course(course_source)
    problem = next(c for c in course.components() if isinstance(c, Problem))
    assert [choice.correct for choice in problem.choices] == [True, False]
    assert problem.choices[0].text == "Kunskap, inspiration och en utvecklingsuppgift"
    assert problem.url_name == "modul-1-fordjupning-2"


@pytest.mark.parametrize("text", [
    "x: !!int abc", "x: !!bool maybe", "x: !!timestamp x", "x: !!map [1]",
    "weeks: " + "1" * 5000,
])
def test_odd_yaml_is_a_problem_not_a_crash(course_source, text):
    (course_source / "meetings/01-starttraff.yaml").write_text(text, encoding="utf-8")
    found = problems_of(course_source)
    assert any(p.location.file == MEETING and "not valid YAML" in p.message for p in found)


def test_unclosed_deep_nesting_is_refused_before_it_is_parsed(course_source):
    (course_source / "meetings/01-starttraff.yaml").write_text("x: " + "[" * 5000, encoding="utf-8")
    found = problems_of(course_source)
    assert any(p.location.file == MEETING and "nest more than 50 levels" in p.message for p in found)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:59:00-05:00", "0001-01-01T00:00:00Z"])
def test_dates_outside_any_sensible_course_are_refused(course_source, value):
    edit(course_source / "course.yaml", "start: 2027-01-18", f'start: "{value}"')
    assert any(p.location.key == "start" and "is not a date" in p.message for p in problems_of(course_source))


def test_control_characters_are_refused_where_they_are_written(course_source):
    edit(course_source / "course.yaml", "title: Min första kurs", 'title: "Min\\x01 kurs"')
    (course_source / "modules/01-forsta-modulen/kunskap.md").write_text("Rad ett\nRad\x02 två\n", encoding="utf-8")
    found = {(p.location.file, p.location.line, p.location.key): p.message for p in problems_of(course_source)}
    assert found[("course.yaml", 5, "title")].startswith("The text holds the control character U+0001")
    assert "U+0002" in found[("modules/01-forsta-modulen/kunskap.md", 2, "")]


def test_text_keys_keep_what_was_written(course_source):
    edit(course_source / "course.yaml", 'run: "2027"', "run: 017")
    edit(course_source / "course.yaml", 'effort: "4:00"', "effort: 4:00")
    edit(course_source / MODULE, "id: modul-1", "id: modul-1\nversion: 1.10")
    course = read_course(course_source)
    assert course.course_id == "course-v1:MinOrg+KURS101+017" and course.about.effort == "4:00"
    module = next(c for c in course.components() if isinstance(c, CustomBlock) and c.tag == "kkn_module")
    assert module.fields["module_version"] == "1.10"


def test_the_run_is_a_url_name(course_source):
    edit(course_source / "course.yaml", 'run: "2027"', 'run: "2027.v1"')
    assert only_problem(course_source).location.key == "run"


def test_block_texts_may_not_link_to_course_files(course_source):
    (course_source / "modules/01-forsta-modulen/introduktion.md").write_text("Hej\n\n![bild](static/logo.svg)\n",
                                                                             encoding="utf-8")
    problem = only_problem(course_source)
    assert (problem.location.file, problem.location.line) == ("modules/01-forsta-modulen/introduktion.md", 3)
    assert "static/" in problem.message and "units: content: page" in problem.hint


def test_a_required_text_file_may_not_be_empty(course_source):
    (course_source / "modules/01-forsta-modulen/kunskap.md").write_text("\n", encoding="utf-8")
    problem = only_problem(course_source)
    assert problem.location.key == "knowledge" and "is empty" in problem.message


def test_a_bad_municipality_list_is_one_problem(course_source):
    edit(course_source / MEETING, "  Halland: [Halmstad, Varberg]", "  Halland: Halmstad")
    problem = only_problem(course_source)
    assert problem.location.key == "municipalities.Halland"


def test_the_meetings_chapter_id_is_reserved(course_source):
    edit(course_source / MEETING, "id: starttraff", "id: regionala-traffar")
    found = problems_of(course_source)
    assert any(p.location.file == MEETING and p.location.key == "id" and "reserved" in p.message for p in found)


def test_yml_files_are_not_silently_skipped(course_source):
    (course_source / MEETING).rename(course_source / "meetings/01-starttraff.yml")
    found = problems_of(course_source)
    assert any(p.location.file == "meetings/01-starttraff.yml" and "Rename it to 01-starttraff.yaml" in p.hint
               for p in found)


def test_references_that_are_not_plain_files(course_source):
    (course_source / "modules/01-forsta-modulen/kunskap.md").unlink()
    (course_source / "modules/01-forsta-modulen/kunskap.md").mkdir()
    problem = only_problem(course_source)
    assert problem.location.key == "knowledge" and "is not a plain file" in problem.message


def test_yaml_files_linked_from_outside_are_refused(course_source, tmp_path):
    outside = tmp_path / "annan.yaml"
    outside.write_text((course_source / MEETING).read_text(encoding="utf-8"), encoding="utf-8")
    (course_source / MEETING).unlink()
    (course_source / MEETING).symlink_to(outside)
    problem = only_problem(course_source)
    assert problem.location.file == MEETING and "outside the course folder" in problem.message


def test_language_is_a_language_code(course_source):
    edit(course_source / "course.yaml", "language: sv", "language: sv-SE")
    assert only_problem(course_source).location.key == "language"
