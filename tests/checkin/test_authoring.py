"""Authors: a usable Studio editor with explained errors, validation of imported data, OLX round trip."""
import json

import pytest
from lxml import etree
from xblock.fields import Scope

from kkn_xblocks import checkin_rules as rules
from kkn_xblocks.studio import value_to_text

from .conftest import MEETING

pytestmark = pytest.mark.django_db


def form_values(block):
    return {spec.name: value_to_text(spec, getattr(block, spec.name)) for spec in block.author_fields}


def test_the_field_contract_for_the_course_builder(wb, meeting):
    block = wb.block(meeting)
    scopes = {name: block.fields[name].scope for name in [
        "display_name", "programme_id", "meeting_id", "sessions", "regions", "municipalities", "required_roles",
        "code_step_seconds", "opens_minutes_before", "late_after_minutes", "weight"]}
    assert scopes["display_name"] == scopes["programme_id"] == scopes["meeting_id"] == Scope.settings
    assert scopes["sessions"] == scopes["regions"] == scopes["municipalities"] == scopes["required_roles"] == Scope.content
    fresh = wb.block(wb.child_ids(wb.load('<vertical_demo><kkn_checkin programme_id="kkn"/></vertical_demo>'))[0])
    assert fresh.regions == ["Skåne", "Halland", "Kronoberg", "Blekinge", "Kalmar län"]
    assert fresh.municipalities == rules.SOUTHERN_MUNICIPALITIES
    assert fresh.required_roles == ["culture", "business/tourism"]
    assert (fresh.code_step_seconds, fresh.weight, fresh.sessions) == (30, 0.0, [])
    assert all(block.fields[name].help for name in scopes)


def test_the_block_is_a_registered_multi_device_block():
    from importlib.metadata import entry_points  # pylint: disable=import-outside-toplevel
    from kkn_xblocks.checkin import MeetingCheckinBlock  # pylint: disable=import-outside-toplevel

    (entry,) = [ep for ep in entry_points(group="xblock.v1") if ep.name == "kkn_checkin"]
    assert entry.load() is MeetingCheckinBlock
    assert MeetingCheckinBlock.has_support(None, MeetingCheckinBlock.student_view, "multi_device")
    declared = {name: MeetingCheckinBlock.service_declaration(name) for name in ("i18n", "user", "settings")}
    assert declared == {"i18n": "need", "user": "want", "settings": "want"}


def test_the_studio_editor_shows_every_field_in_swedish(wb, meeting):
    block = wb.block(meeting, user="staff")
    html = block.render("studio_view", {}).body_html()
    for spec in block.author_fields:
        assert f'data-name="{spec.name}"' in html
    assert "Träffens titel" in html and "Roller som varje kommun behöver" in html
    assert "skane-2 | Skåne | Malmö, Moriskan | 2026-03-10 10:00 | 2026-03-10 16:00 | Kaffe i entrén." in html
    assert "Halland: Falkenberg, Halmstad, Hylte, Kungsbacka, Laholm, Varberg" in html
    assert "business/tourism" in html
    # The example under the municipalities field is exactly the line that adds R10.
    assert rules.municipalities_to_text({rules.R10_REGION: rules.R10_MUNICIPALITIES}) in html


def test_studio_submit_saves_parsed_values(wb, meeting):
    values = form_values(wb.block(meeting))
    values.update({
        "display_name": "Träff 3: Kommunens operativa roll",
        "sessions": "r10-3 | R10 – Västerbottens och Norrbottens inland | Lycksele | 2026-09-15 09:00 | 2026-09-15 15:30",
        "regions": "R10 – Västerbottens och Norrbottens inland",
        "municipalities": rules.municipalities_to_text({rules.R10_REGION: rules.R10_MUNICIPALITIES}),
        "required_roles": "Näringsliv",
        "weight": "1,5", "late_after_minutes": "5",
    })
    status, body = wb.post(meeting, "studio_submit", {"values": values}, user="staff")
    assert (status, body) == (200, {"result": "success"})
    block = wb.block(meeting)
    assert block.sessions == [{"id": "r10-3", "region": rules.R10_REGION, "venue": "Lycksele",
                               "start": "2026-09-15T07:00:00Z", "end": "2026-09-15T13:30:00Z", "note": ""}]
    assert block.regions == [rules.R10_REGION]
    assert block.municipalities == {rules.R10_REGION: rules.R10_MUNICIPALITIES}
    assert (block.required_roles, block.weight, block.late_after_minutes) == (["business"], 1.5, 5)
    assert block.has_score


def test_studio_submit_explains_every_wrong_field_and_saves_nothing(wb, meeting):
    values = form_values(wb.block(meeting))
    values.update({"sessions": "skane-2 | Skåne | Malmö | 2026-03-10 16:00 | 2026-03-10 10:00",
                   "code_step_seconds": "5", "weight": "-1", "municipalities": "Skåne Lund",
                   "required_roles": "chef", "meeting_id": "Träff 2"})
    status, body = wb.post(meeting, "studio_submit", {"values": values}, user="staff")
    assert status == 400
    assert body["error"] == "Några fält behöver rättas innan blocket kan sparas."
    assert body["field_errors"] == {
        "sessions": "Rad 1: sessionen måste sluta efter att den börjar.",
        "code_step_seconds": "Skriv ett tal från 10 till 600.",
        "weight": "Skriv ett tal från 0 till 100, till exempel 1. 0 betyder att träffen inte ger poäng.",
        "municipalities": "Rad 1: skriv regionen, ett kolon och dess kommuner åtskilda med kommatecken, till exempel "
                          "”Halland: Falkenberg, Halmstad”.",
        "required_roles": "Rad 1: ”chef” är ingen roll. Använd culture (kultur), business (näringsliv), tourism "
                          "(turism) eller other (annat).",
    }
    assert wb.block(meeting).sessions == MEETING["sessions"]


def test_cross_field_rules_in_the_editor(wb, meeting):
    values = form_values(wb.block(meeting))
    values.update({"regions": "Skåne\nHalland", "meeting_id": "Träff 2"})
    status, body = wb.post(meeting, "studio_submit", {"values": values}, user="staff")
    assert status == 400
    assert body["field_errors"] == {
        "meeting_id": "Använd 1 till 64 små bokstäver, siffror, ”-” eller ”_”, till exempel ”traff-2”.",
        "municipalities": "De här finns inte bland regionerna: Kronoberg, Blekinge, Kalmar län. Lägg till dem bland "
                          "regionerna eller ta bort dem här.",
        "sessions": "Session 3 (kronoberg-2) är i ”Kronoberg”, som inte är en av regionerna. Lägg till regionen "
                    "eller rätta sessionen.",
    }


def test_imported_problems_are_shown_on_the_block(wb, make_meeting):
    block = wb.block(make_meeting(sessions=[{"id": "x", "region": "Gotland", "venue": "Visby",
                                             "start": "2026-03-10T09:00:00Z", "end": "2026-03-10T08:00:00Z"}]))
    assert [m.text for m in block.validate().messages] == [
        "Sessioner: Session 1 är ofullständig: den behöver ett id, en region, en plats och en start före sitt slut."]
    assert "Inga sessioner är planerade för den här träffen än." in block.render("student_view", {}).body_html()


def test_olx_round_trip_keeps_every_field(wb, make_meeting):
    block = wb.block(make_meeting(weight=2.5, code_step_seconds=45, required_roles=["culture", "tourism"],
                                  regions=["Skåne", rules.R10_REGION],
                                  municipalities={"Skåne": ["Lund"], rules.R10_REGION: rules.R10_MUNICIPALITIES}))
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert node.tag == "kkn_checkin"
    exported = {name: getattr(block, name) for name, field in block.fields.items()
                if field.scope in (Scope.content, Scope.settings)}
    assert {spec.name for spec in block.author_fields} <= set(exported)
    reparsed = wb.block(wb.load(etree.tostring(node, encoding="unicode")))
    for name, value in exported.items():
        assert getattr(reparsed, name) == value, name
    assert "CODE_SECRET" not in etree.tostring(node, encoding="unicode")
    assert json.loads(node.get("sessions"))[0]["start"] == "2026-03-10T09:00:00Z"  # UTC in the OLX
