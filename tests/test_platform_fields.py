"""No block field reuses a name of the fields Open edX mixes into every block.

The LMS and Studio build every XBlock class with ``XBLOCK_MIXINS = (LmsBlockMixin, InheritanceMixin,
XModuleMixin, EditInfoMixin)`` (openedx-platform ``lms/envs/common.py``, ``cms/envs/common.py``).
A block field with the name of one of their fields shadows it; for an *inheritable* field it is
worse: the platform's field data (``InheritingFieldData.default`` in
``xmodule/modulestore/inheritance.py``) gives a field the block does not set the value set on an
ancestor, so a course-wide advanced setting silently becomes the block's value.
"""
import pytest
from lxml import etree
from xblock.core import XBlock, XBlockMixin
from xblock.field_data import DictFieldData
from xblock.fields import Integer, Scope, ScopeIds
from xblock.runtime import NullI18nService
from xblock.test.tools import TestRuntime

from kkn_xblocks.checkin import MeetingCheckinBlock
from kkn_xblocks.exam import CertificationExamBlock
from kkn_xblocks.module import DistanceModuleBlock

BLOCKS = (DistanceModuleBlock, MeetingCheckinBlock, CertificationExamBlock)

# The fields of InheritanceMixin, openedx-platform xmodule/modulestore/inheritance.py. The platform
# passes exactly these names to InheritingFieldData(inheritable_names=InheritanceMixin.fields.keys()).
INHERITABLE_FIELDS = {
    "graded", "start", "due", "relative_weeks_due", "visible_to_staff_only", "course_edit_method", "giturl",
    "xqa_key", "graceperiod", "group_access", "showanswer", "show_correctness", "rerandomize",
    "days_early_for_beta", "static_asset_path", "use_latex_compiler", "max_attempts", "matlab_api_key",
    "user_partitions", "video_speed_optimizations", "video_auto_advance", "video_bumper", "show_reset_button",
    "edxnotes", "edxnotes_visibility", "in_entrance_exam", "self_paced", "hide_from_toc",
}
# The fields of LmsBlockMixin, openedx-platform lms/djangoapps/lms_xblock/mixin.py.
LMS_MIXIN_FIELDS = {
    "hide_from_toc", "format", "chrome", "default_tab", "source_file", "visible_to_staff_only", "group_access",
    "user_partitions",
}
# XModuleMixin (xmodule/x_module.py) adds only display_name, which every block defines on purpose
# with the same meaning; EditInfoMixin (xmodule/modulestore/edit_info.py) adds properties, no fields.
PLATFORM_FIELDS = INHERITABLE_FIELDS | LMS_MIXIN_FIELDS


@pytest.mark.parametrize("cls", BLOCKS, ids=lambda cls: cls.__name__)
def test_no_block_field_has_a_platform_field_name(cls):
    assert not set(cls.fields) & PLATFORM_FIELDS


class PlatformInheritance(XBlockMixin):
    """The inheritable field the exam used to shadow, declared as InheritanceMixin declares it."""

    max_attempts = Integer(scope=Scope.settings, help="course-wide Maximum Attempts")


class CourseSettings(DictFieldData):
    """Field data that inherits as the platform's does (``InheritingFieldData.default``): an inheritable
    field the block does not set takes the value set on its ancestor, here the course."""

    def __init__(self, course_settings):
        super().__init__({})
        self.course_settings = course_settings

    def default(self, block, name):
        if name in INHERITABLE_FIELDS and name in self.course_settings:
            return self.course_settings[name]
        return super().default(block, name)


def parse_in_course(cls, xml, **course_settings):
    runtime = TestRuntime(mixins=(PlatformInheritance,),
                          services={"field-data": CourseSettings(course_settings), "i18n": NullI18nService()})
    tag = etree.fromstring(xml).tag
    mixed = runtime.mixologist.mix(cls)
    return mixed.parse_xml(etree.fromstring(xml), runtime, ScopeIds("user", tag, "def", "usage"))


def test_the_harness_lets_a_course_setting_flow_into_a_field_of_that_name():
    """The simulation is real: a block with a field called max_attempts reads the course's value."""

    class Shadowing(XBlock):
        max_attempts = Integer(scope=Scope.settings, default=3)

    block = parse_in_course(Shadowing, '<shadowing display_name="x"/>', max_attempts=1)
    assert block.max_attempts == 1


def test_the_exam_reads_its_own_attempts_limit_when_the_course_sets_max_attempts():
    exam = parse_in_course(CertificationExamBlock, '<kkn_exam display_name="Slutprov"/>', max_attempts=1)
    assert exam.max_attempts == 1  # the platform's own field got the course's value ...
    assert exam.attempts_allowed == 3  # ... the exam keeps its default
    assert exam.student_view_data()["attempts_allowed"] == 3

    exam = parse_in_course(CertificationExamBlock, '<kkn_exam display_name="Slutprov" attempts_allowed="5"/>',
                           max_attempts=1)
    assert exam.attempts_allowed == 5 and exam.student_view_data()["attempts_allowed"] == 5


def test_archives_built_before_the_rename_keep_their_attempts_limit():
    exam = parse_in_course(CertificationExamBlock, '<kkn_exam display_name="Slutprov" max_attempts="2"/>',
                           max_attempts=7)
    assert exam.attempts_allowed == 2
    assert exam.max_attempts == 7  # the old attribute is read as the exam's field, not the platform's
    exported = etree.Element("exported")
    exam.add_xml_to_node(exported)
    assert exported.get("attempts_allowed") == "2" and "max_attempts" not in exported.attrib

    both = parse_in_course(CertificationExamBlock,
                           '<kkn_exam display_name="Slutprov" max_attempts="2" attempts_allowed="4"/>')
    assert both.attempts_allowed == 4
