"""A wrong code records the course run it was typed in: retention counts from the run's end."""
import pytest

from kkn_xblocks.checkin import MeetingCheckinBlock
from kkn_xblocks.records.models import CodeAttempt

from .conftest import set_profile

pytestmark = pytest.mark.django_db

RUN = "course-v1:Kommun+KKN+2026"


def test_a_wrong_code_records_the_course_run(wb, meeting, monkeypatch):
    # The workbench's usage ids name no course; in the LMS ``course_key_str`` is the run's key.
    monkeypatch.setattr(MeetingCheckinBlock, "course_key_str", property(lambda self: RUN))
    set_profile(wb, meeting)
    status, _body = wb.post(meeting, "check_in", {"code": "ACD 347"})
    assert status == 400
    assert list(CodeAttempt.objects.values_list("course_key", flat=True)) == [RUN]
