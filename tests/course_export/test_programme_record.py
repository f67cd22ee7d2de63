"""One record across the courses of a programme, in the local runtime with several course ids.

The example programme is packaged a course per module plus the exam's course, and its blocks are
loaded into the workbench as the preview loads them (each usage id starts with its course key, as
in the LMS a usage key carries its course). A learner then works through the real handlers.
"""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from course_export.preview import views
from course_export.programme import module_blocks
from course_export.source import read_programme
from course_export.spec import tag_of
from kkn_xblocks.records import api
from kkn_xblocks.records.models import ModuleCompletion
from tests.course_export.conftest import EXAMPLES

SOURCE = EXAMPLES / "naringslivsutvecklare"
PROGRAMME = "naringslivsutvecklare"


def load(packaging):
    """The programme's courses and ``{block url_name: usage id}`` of every block in the workbench."""
    programme = read_programme(SOURCE, packaging)
    usages = {}
    for course in programme.courses:
        usages.update(views.load_blocks(course))
    return programme, usages


def complete_module(wb, usage, user):
    """Do what the module's completion rule asks, through the handlers a browser calls."""
    block = wb.block(usage, user)
    text = " ".join(["utvecklingsarbete"] * (block.task_min_words + 5))
    status, body = wb.post(usage, "submit_task", {"text": text}, user=user)
    assert status == 200, body
    if block.self_check:
        right = {q["id"]: q["correct"] for q in block.self_check}
        status, body = wb.post(usage, "check_answers", {"answers": right}, user=user)
        assert status == 200, body
    assert body["complete"], body


def eligibility_queries(wb, usage, user):
    block = wb.block(usage, user)
    person = block.person
    accommodation = api.accommodation_for(person.key, block.programme_id, block.exam_id)
    with CaptureQueriesContext(connection) as queries:
        eligibility = block._eligibility(person, accommodation)  # pylint: disable=protected-access
    # The workbench reads the block's own fields from its database too; the record's share is apart.
    record = [q for q in queries.captured_queries if "kkn_records_" in q["sql"]]
    return eligibility, (len(queries), len(record))


@pytest.fixture
def modules_programme(wb):  # pylint: disable=unused-argument
    return load("modules")


def test_modules_completed_in_six_courses_make_her_eligible_in_the_exam_course(wb, modules_programme, fake_clock):
    programme, usages = modules_programme
    by_kind = {course.course_id: course for course in programme.courses}
    module_courses = [c for c in programme.courses if c.kind == "module"]
    exam_course = next(c for c in programme.courses if c.kind == "exam")
    assert len(module_courses) == 6 and len(set(by_kind)) == 7
    for course in module_courses:
        complete_module(wb, usages[course.module_id], "student_1")
    # Each completion is recorded with the course it was made in: six different course ids.
    rows = ModuleCompletion.objects.filter(learner_key="local:student_1", programme_id=PROGRAMME)
    assert sorted(rows.values_list("course_key", flat=True)) == sorted(c.course_id for c in module_courses)
    # She attends the start meeting, which belongs to module 1's course; the facilitator marks her.
    first = module_courses[0]
    meeting = next(c for c in first.components() if tag_of(c) == "kkn_checkin")
    status, body = wb.post(usages[meeting.url_name], "mark", {
        "session_id": meeting.fields["sessions"][0]["id"], "learner_key": "local:student_1", "status": "present"},
        user="staff")
    assert status == 200, body
    exam = next(c for c in exam_course.components() if tag_of(c) == "kkn_exam")
    assert wb.block(usages[exam.url_name]).course_key_str == exam_course.course_id
    eligibility, queries = eligibility_queries(wb, usages[exam.url_name], "student_1")
    assert eligibility.eligible, eligibility
    status, body = wb.post(usages[exam.url_name], "start", {}, user="student_1")
    assert status == 200, body

    # The same eligibility for a learner who did all six modules in one course costs as many queries.
    whole, whole_usages = load("course")
    (one_course,) = whole.courses
    for block in module_blocks(one_course):
        complete_module(wb, whole_usages[block.url_name], "student_2")
    wb.post(whole_usages["starttraff"], "mark", {"session_id": meeting.fields["sessions"][0]["id"],
                                                 "learner_key": "local:student_2", "status": "present"}, user="staff")
    assert set(ModuleCompletion.objects.filter(learner_key="local:student_2").values_list("course_key", flat=True)) \
        == {one_course.course_id}
    same, queries_in_one = eligibility_queries(wb, whole_usages[exam.url_name], "student_2")
    assert same.eligible
    assert queries == queries_in_one and queries[1] == 2  # completions, meetings: one query each


def module_list(page):
    """[(module id, link or None, state text)] of the module block's progress list."""
    tree = lxml_html.fromstring(page)
    items = tree.xpath('//ul[@data-role="progress-list"]/li[@data-module]')
    return [(li.get("data-module"), (li.xpath("./a/@href") or [None])[0],
             li.xpath('string(.//*[@data-role="module-state"])')) for li in items]


def test_a_learner_of_module_3_only_sees_it_complete_and_the_others_linked_as_not_done(wb, modules_programme):
    programme, usages = modules_programme
    module_courses = [c for c in programme.courses if c.kind == "module"]
    third = module_courses[2]
    complete_module(wb, usages[third.module_id], "student_3")
    listed = module_list(wb.render(usages[third.module_id], "student_3"))
    assert [module_id for module_id, _link, _state in listed] == [c.module_id for c in module_courses]
    for (module_id, link, state), course in zip(listed, module_courses):
        if course is third:
            assert (link, state) == (None, "klar")  # her own module: no link to the page she is on
        else:
            assert link == f"/courses/{course.course_id}/about"
            assert state == "inte klar"
    # The exam's course lists what is missing, each linked to its module's course.
    exam_course = next(c for c in programme.courses if c.kind == "exam")
    exam = next(c for c in exam_course.components() if tag_of(c) == "kkn_exam")
    page = wb.render(usages[exam.url_name], "student_3")
    for course in module_courses:
        assert (f'href="/courses/{course.course_id}/about"' in page) is (course is not third)


def test_one_course_links_modules_inside_the_course(wb):  # pylint: disable=unused-argument
    whole, usages = load("course")
    (course,) = whole.courses
    first = module_blocks(course)[0]
    links = [link for _id, link, _state in module_list(wb.render(usages[first.url_name], "student_1"))]
    assert links[0] is None  # the module itself
    assert all(re.fullmatch(rf"/courses/{re.escape(course.course_id)}/jump_to_id/modul-\d-[a-z-]+", link)
               for link in links[1:])
