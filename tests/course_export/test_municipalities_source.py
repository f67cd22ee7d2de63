"""The course source of the municipality features: a shared task per municipality
(``task.written_by``/``task.approved_by``) and the plan every meeting block's overview needs."""
import pytest

from course_export.source import read_course
from course_export.spec import CustomBlock, SourceError

from .conftest import EXAMPLES, edit

MODULE = "modules/01-forsta-modulen/module.yaml"


def blocks(course, tag):
    return [c for c in course.components() if isinstance(c, CustomBlock) and c.tag == tag]


def test_the_seminar_series_writes_its_development_work_per_municipality():
    course = read_course(EXAMPLES / "kkn-seminarieserie")
    modules = blocks(course, "kkn_module")
    assert len(modules) == 5
    assert {(m.fields["task_mode"], tuple(m.fields["task_roles"])) for m in modules} == {
        ("municipality", ("culture", "business/tourism"))}
    meetings = blocks(course, "kkn_checkin")
    plan = [item["id"] for item in meetings[0].fields["overview_meetings"]]
    assert plan == [m.fields["meeting_id"] for m in meetings] and len(plan) == 5
    assert all(m.fields["overview_meetings"] == meetings[0].fields["overview_meetings"] for m in meetings)
    assert [item["id"] for item in meetings[0].fields["overview_modules"]] == [m.fields["module_id"] for m in modules]
    assert meetings[0].fields["overview_meetings"][0]["title"] == "Seminarium 1: Vad är KKN?"


def test_the_business_developer_programme_keeps_individual_tasks_and_gets_the_overview():
    course = read_course(EXAMPLES / "naringslivsutvecklare")
    assert all("task_mode" not in m.fields for m in blocks(course, "kkn_module"))  # the block's default
    meetings = blocks(course, "kkn_checkin")
    assert len(meetings[0].fields["overview_meetings"]) == 3 and len(meetings[0].fields["overview_modules"]) == 6


def test_an_unknown_writer_or_role_is_a_problem_with_file_and_key(course_source):
    edit(course_source / MODULE, "  min_words: 150\n", "  min_words: 150\n  written_by: kommunen\n")
    with pytest.raises(SourceError) as raised:
        read_course(course_source)
    (problem,) = raised.value.problems
    assert "task.written_by" in str(problem) and "municipality" in str(problem)
    edit(course_source / MODULE, "written_by: kommunen\n", "written_by: municipality\n  approved_by: [chef]\n")
    with pytest.raises(SourceError) as raised:
        read_course(course_source)
    (problem,) = raised.value.problems
    assert "task.approved_by" in str(problem) and "culture" in str(problem)
