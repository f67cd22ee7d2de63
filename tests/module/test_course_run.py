"""The municipality's joint task records the course run it is written in: retention counts from
the run's end (the learner's own submission: tests/module/test_draft_retention.py)."""
import pytest

from kkn_xblocks.records.models import SharedTask

from .test_draft_retention import RUN, in_run  # noqa: F401  pylint: disable=unused-import
from .test_shared_task import TEXT_A, save, shared  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.django_db


def test_a_joint_save_records_the_course_run(wb, shared, in_run):  # pylint: disable=redefined-outer-name
    assert save(wb, shared, "student_1", TEXT_A, 0)[0] == 200
    assert SharedTask.objects.get().course_key == RUN
