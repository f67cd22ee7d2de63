"""An exam attempt records the course run it is taken in: retention counts from the run's end."""
import pytest

from kkn_xblocks.exam import CertificationExamBlock

from .conftest import make_eligible, start

pytestmark = pytest.mark.django_db

RUN = "course-v1:Kommun+KKN+2026"


def test_an_attempt_records_the_course_run(wb, exam, monkeypatch):
    # The workbench's usage ids name no course; in the LMS ``course_key_str`` is the run's key.
    monkeypatch.setattr(CertificationExamBlock, "course_key_str", property(lambda self: RUN))
    make_eligible()
    assert start(wb, exam).course_key == RUN
