"""Minimisation (GDPR art. 5.1 c): a learner's personal data goes only where the feature needs it.

One learner goes through every block (draft, submitted task, self-check, profile, check-in with a
right and a wrong code, exam, certificate) and staff act on her (extra time with a reason). Then
everything that leaves the record is scanned for her name, her key, her texts, her municipality
and the staff member's reason:

* every log record any logger wrote during the journey (at DEBUG);
* every event the blocks published to the runtime (in the LMS: grades and completion, which reach
  the tracking log and the gradebook) - only the fields those events need;
* the OLX each block exports after the journey (course content, shared with every author);
* ``student_view_data`` and ``index_dictionary`` (mobile apps and course search, for everyone).
"""
import copy
import json
import logging

import pytest
from lxml import etree
from xblock.fields import UserScope

from kkn_xblocks.records import api
from kkn_xblocks.scenarios import block_element, scenario
from kkn_xblocks.scenarios.module import MODULE_1

from .checkin.conftest import MEETING, set_profile, staff_code
from .exam.conftest import EXAM, PROGRAMME as EXAM_PROGRAMME, make_eligible, take
from .module.conftest import published  # noqa: F401  pylint: disable=unused-import  (the fixture)

pytestmark = pytest.mark.django_db

HER_NAME = "Anna Lindqvist"  # student_1 of the local runtime (kkn_xblocks/devserver/settings.py)
HER_KEY = "local:student_1"
DRAFT = "UTKASTMARKÖR om vår kommuns besöksnäring och Lindqvists egna tankar."
TASK = " ".join(["UPPGIFTSMARKÖR: kommunens näringslivsarbete behöver en tydlig ansvarsfördelning."] * 10)
REASON = "SKÄLMARKÖR: dyslexi enligt intyg"
MUNICIPALITY = "Lund"
# What each event published to the runtime may carry (XBlock's grade and completion events).
EVENT_FIELDS = {"grade": {"value", "max_value", "only_if_higher"}, "completion": {"completion"}}


def load(wb, tag, fields):
    return wb.child_ids(wb.load(scenario(block_element(tag, fields))))[0]


@pytest.fixture
def journey(wb, fake_clock, published, caplog):  # pylint: disable=unused-argument,redefined-outer-name
    caplog.set_level(logging.DEBUG)
    module = load(wb, "kkn_module", copy.deepcopy(MODULE_1))
    assert wb.post(module, "save_draft", {"text": DRAFT})[0] == 200
    assert wb.post(module, "submit_task", {"text": TASK})[0] == 200
    assert wb.post(module, "save_draft", {"text": DRAFT + " (andra utkastet)"})[0] == 200  # a draft stays
    meeting = load(wb, "kkn_checkin", copy.deepcopy(MEETING))
    set_profile(wb, meeting, municipality=MUNICIPALITY)
    assert wb.post(meeting, "check_in", {"code": "AAA AAA"})[0] in (400, 409)
    assert wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})[0] == 200
    exam = load(wb, "kkn_exam", copy.deepcopy(EXAM))
    make_eligible()
    status, body = wb.post(exam, "accommodate", {"learner_key": HER_KEY, "extra_minutes": 10, "exempt": False,
                                                 "reason": REASON}, user="staff")
    assert status == 200, body
    status, _body, _row = take(wb, exam)
    assert status == 200 and api.certificate_of(HER_KEY, EXAM_PROGRAMME) is not None
    return {"kkn_module": module, "kkn_checkin": meeting, "kkn_exam": exam}


MARKERS = [HER_NAME, "Lindqvist", HER_KEY, "student_1", "UTKASTMARKÖR", "UPPGIFTSMARKÖR", "SKÄLMARKÖR"]


def found_in(text, markers=MARKERS):
    return [marker for marker in markers if marker in text]


def test_no_log_record_holds_her_data(journey, caplog):  # pylint: disable=unused-argument
    """Every logger but the workbench's own (the local runtime names the user it acts as; it never
    runs in Open edX). The journey runs in the fixture, so the set-up phase's records count."""
    records = [r for r in caplog.get_records("setup") + caplog.records if not r.name.startswith("workbench")]
    assert len(records) >= 1  # Django's request log at least (the wrong code is a 400)
    leaks = [(r.name, r.getMessage()) for r in records if found_in(r.getMessage())]
    assert not leaks


# pylint: disable-next=unused-argument,redefined-outer-name
def test_published_events_carry_only_what_grades_and_completion_need(journey, published):
    assert {kind for _user, kind, _data in published} == {"completion", "grade"}
    for _user, kind, data in published:
        assert set(data) <= EVENT_FIELDS[kind], (kind, data)
        assert not found_in(json.dumps(data, ensure_ascii=False)), (kind, data)


def test_exported_olx_holds_no_learner_data(wb, journey):
    for tag, usage in journey.items():
        node = etree.Element(tag)
        wb.block(usage, "student_1").add_xml_to_node(node)
        olx = etree.tostring(node, encoding="unicode")
        assert not found_in(olx + olx.replace("&#246;", "ö")), tag
        block = wb.block(usage, "student_1")
        learner_fields = [name for name, f in block.fields.items()
                          if getattr(f.scope, "user", UserScope.NONE) != UserScope.NONE]
        assert learner_fields and not found_in(olx, [f' {name}="' for name in learner_fields]), tag


def test_student_view_data_and_the_search_index_hold_no_learner_data(wb, journey):
    for tag, usage in journey.items():
        block = wb.block(usage, "student_1")
        for name, data in (("student_view_data", block.student_view_data()),
                           ("index_dictionary", block.index_dictionary())):
            assert not found_in(json.dumps(data, ensure_ascii=False)), (tag, name)
