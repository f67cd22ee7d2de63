"""The preview of a programme packaged a course per module: the course list, each course's outline,
the learner switch, and one record: module 1 finished in its course counts in the exam's course."""
import pytest

from course_export.preview import views

from .conftest import EXAMPLES
from .test_programme_record import complete_module

M1 = "course-v1:KKN+NLU101-M1+2027"
M2 = "course-v1:KKN+NLU101-M2+2027"
EXAM = "course-v1:KKN+NLU101-PROV+2027"


@pytest.fixture
def preview(monkeypatch, db, client):  # pylint: disable=unused-argument
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(EXAMPLES / "naringslivsutvecklare"))
    monkeypatch.setenv("KKN_PREVIEW_PACKAGING", "modules")
    monkeypatch.setattr(views, "_state", views.fresh_state())
    return client


def test_home_lists_the_courses_of_the_programme(preview):
    page = preview.get("/kurs/?student=student_2").content.decode()
    assert "Varje modul är en egen kurs" in page
    for number in range(1, 7):
        assert f'href="/courses/course-v1:KKN+NLU101-M{number}+2027/about?student=student_2"' in page
    assert f'href="/courses/{EXAM}/about?student=student_2"' in page


def test_each_course_has_its_own_outline_and_about_page(preview):
    page = preview.get(f"/courses/{M1}/about").content.decode()
    assert 'href="/kurs/u-modul-1-kommunens-roll/' in page and 'href="/kurs/u-starttraff/' in page
    assert "/kurs/u-modul-2-foretagsservice/" not in page and "/kurs/u-slutprov-nlu/" not in page
    assert "Pris och omfattning" in page and "Medlemmar i SKNT får 10 % rabatt." in page
    exam_page = preview.get(f"/courses/{EXAM}/about").content.decode()
    assert 'href="/kurs/u-slutprov-nlu/' in exam_page and 'href="/kurs/u-avslutningstraff/' in exam_page
    assert preview.get("/courses/course-v1:KKN+NLU101-M9+2027/about").status_code == 404
    # A unit's pager stays inside its course.
    unit = preview.get("/kurs/u-modul-2-foretagsservice/").content.decode()
    assert "/kurs/u-modul-1-kommunens-roll/" not in unit


def test_jump_to_finds_a_block_only_in_its_own_course(preview):
    response = preview.get(f"/courses/{M2}/jump_to_id/modul-2-foretagsservice?student=student_3")
    assert response.status_code == 302 and response["Location"].startswith("/kurs/u-modul-2-foretagsservice/")
    assert preview.get(f"/courses/{EXAM}/jump_to_id/modul-2-foretagsservice").status_code == 404


def test_a_module_finished_in_its_course_counts_in_the_exam_course(preview, wb):
    before = preview.get("/kurs/u-slutprov-nlu/?student=student_1").content.decode()
    assert f'href="/courses/{M1}/about"' in before  # missing, linked to its course
    complete_module(wb, views.current().usages["modul-1-kommunens-roll"], "student_1")
    after = preview.get("/kurs/u-slutprov-nlu/?student=student_1").content.decode()
    assert f'href="/courses/{M1}/about"' not in after and f'href="/courses/{M2}/about"' in after
    # The learner switch: another learner still misses module 1.
    other = preview.get("/kurs/u-slutprov-nlu/?student=student_2").content.decode()
    assert f'href="/courses/{M1}/about"' in other
    # Module 2's course shows module 1 done for her, linked to module 1's course.
    module_2 = preview.get("/kurs/u-modul-2-foretagsservice/?student=student_1").content.decode()
    assert f'<a href="/courses/{M1}/about">' in module_2 and "1 av 6 moduler klara" in module_2
