"""Authors: the field contract, a usable Studio editor with explained errors, validation and OLX."""
from importlib.metadata import entry_points

import pytest
from lxml import etree
from xblock.core import XBlock
from xblock.fields import Scope

from kkn_xblocks import exam_rules as rules
from kkn_xblocks.exam import CertificationExamBlock

from .conftest import BANK

pytestmark = pytest.mark.django_db

CONTRACT = {
    "display_name": str, "programme_id": str, "programme_title": str, "exam_id": str, "required_modules": list,
    "module_titles": dict, "module_links": dict, "min_meetings": int, "questions": list, "draw_count": int,
    "balance_topics": bool, "shuffle": bool, "time_limit_minutes": int, "attempts_allowed": int,
    "wait_minutes_between_attempts": int, "pass_percent": int, "review_policy": str,
    "certificate_valid_months": int, "weight": float,
}


def test_the_field_contract_for_the_course_builder():
    fields = CertificationExamBlock.fields
    for name, kind in CONTRACT.items():
        assert name in fields, name
        assert isinstance(fields[name].default, kind), name
    assert fields["questions"].scope == Scope.content
    assert fields["exam_id"].scope == Scope.settings
    assert {value for value, _label in rules.Review.CHOICES} == set(rules.Review.POLICIES)


def test_the_block_is_a_registered_multi_device_scored_block():
    found = {ep.name: ep.value for ep in entry_points(group="xblock.v1")}
    assert found["kkn_exam"] == "kkn_xblocks.exam:CertificationExamBlock"
    assert XBlock.load_class("kkn_exam") is CertificationExamBlock
    assert CertificationExamBlock.has_score is True
    assert CertificationExamBlock._combined_services["i18n"] == "need"  # pylint: disable=protected-access
    # The LMS asks the view (``XBlock.has_support(view, ...)`` reads ``view._supports``), not the class.
    assert CertificationExamBlock.has_support(None, CertificationExamBlock.student_view, "multi_device")


def test_staff_get_a_usable_editor_with_the_bank_as_text(wb, exam):
    html = wb.render(exam, user="staff", view="studio_view")
    assert "Frågebank" in html and "? q1 | single | 1 | modul-1" in html
    assert "* ratt-q1-0) Tio inlandskommuner" in html and "&gt; FÖRKLARING-q1" in html
    for label in ("Provets titel", "Programmets namn", "Moduler som krävs", "Antal regionala träffar som krävs",
                  "Frågor per försök", "Tidsgräns (minuter)", "Antal tillåtna försök", "Gräns för godkänt (%)",
                  "Vad deltagarna ser efteråt", "Certifikatets giltighetstid (månader)"):
        assert label in html, label
    assert "De rätta svaren och förklaringarna, när deltagaren är godkänd eller har använt alla försök" in html


def editor_values(wb, exam):
    block = wb.block(exam, "staff")
    from kkn_xblocks.studio import value_to_text  # pylint: disable=import-outside-toplevel
    return {spec.name: value_to_text(spec, getattr(block, spec.name)) for spec in block.author_fields}


def test_studio_submit_saves_parsed_values(wb, exam):
    values = editor_values(wb, exam)
    values.update({
        "questions": "? ny-1 | multiple | 3 | modul-2\nVilka?\n* a) Ett\n* b) Två\n- c) Tre\n> Ett och två.",
        "draw_count": "1", "required_modules": "modul-1\nmodul-2", "module_titles": "modul-1 | Roll",
        "weight": "2,5", "review_policy": "score_only", "balance_topics": "true",
    })
    status, body = wb.post(exam, "studio_submit", {"values": values}, user="staff")
    assert (status, body) == (200, {"result": "success"})
    block = wb.block(exam)
    assert block.questions == [{"id": "ny-1", "type": "multiple", "text": "Vilka?", "points": 3, "topic": "modul-2",
                                "explanation": "Ett och två.", "options": [
                                    {"id": "a", "text": "Ett", "correct": True},
                                    {"id": "b", "text": "Två", "correct": True},
                                    {"id": "c", "text": "Tre", "correct": False}]}]
    assert (block.draw_count, block.required_modules, block.module_titles, block.weight, block.review_policy,
            block.balance_topics) == (1, ["modul-1", "modul-2"], {"modul-1": "Roll"}, 2.5, "score_only", True)


def test_studio_submit_explains_every_wrong_field_and_saves_nothing(wb, exam):
    values = editor_values(wb, exam)
    values.update({"questions": "? q1\nA?\n* x", "pass_percent": "120", "weight": "mycket", "exam_id": ""})
    status, body = wb.post(exam, "studio_submit", {"values": values}, user="staff")
    assert status == 400
    assert body["error"] == "Några fält behöver rättas innan blocket kan sparas."
    assert body["field_errors"] == {
        "questions": "Frågan på rad 1: en fråga behöver 2 till 10 alternativ.",
        "pass_percent": "Skriv ett tal från 1 till 100.",
        "weight": "Skriv ett tal, till exempel 1 eller 2,5.",
        "exam_id": "Fältet måste fyllas i.",
    }
    assert wb.block(exam).questions == BANK


def test_cross_field_rules_in_the_editor(wb, exam):
    values = editor_values(wb, exam)
    values.update({"draw_count": "9", "module_titles": "modul-7 | Okänd"})
    status, body = wb.post(exam, "studio_submit", {"values": values}, user="staff")
    assert status == 400 and body["field_errors"] == {
        "draw_count": "Provet drar 9 frågor men frågebanken har bara 5. Dra färre, eller 0 för alla.",
        "module_titles": "Dessa moduler finns inte bland de moduler som krävs: modul-7.",
    }


def test_imported_problems_and_a_risky_policy_are_shown_on_the_block(wb, make_exam):
    block = wb.block(make_exam(draw_count=12, review_policy="answers_after_attempt", attempts_allowed=3))
    messages = [(m.type, m.text) for m in block.validate().messages]
    assert ("error", "Frågor per försök: Provet drar 12 frågor men frågebanken har bara 5. Dra färre, eller 0 för "
                     "alla.") in messages
    assert any(kind == "warning" and "efter varje försök" in text for kind, text in messages)
    assert not wb.block(make_exam()).validate().messages


def test_olx_round_trip_keeps_every_field(wb, make_exam):
    block = wb.block(make_exam(balance_topics=True, wait_minutes_between_attempts=15, certificate_valid_months=36,
                               module_links={"modul-1": "https://example.org/m1"}))
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert node.tag == "kkn_exam"
    exported = {name: getattr(block, name) for name, field in block.fields.items()
                if field.scope in (Scope.content, Scope.settings)}
    assert set(CONTRACT) <= set(exported)
    reparsed = wb.block(wb.load(etree.tostring(node, encoding="unicode")))
    for name, value in exported.items():
        assert getattr(reparsed, name) == value, name
    assert "Certifierad näringslivsutvecklare" in node.get("programme_title")


def test_student_view_data_holds_the_rules_and_no_question(wb, exam):
    data = wb.block(exam).student_view_data()
    assert data["question_count"] == 5 and data["pass_percent"] == 80 and data["required_modules"][0] == "modul-1"
    assert "<strong>avslutar</strong>" in data["introduction_html"]
    assert "questions" not in data and "Fråga" not in str(data)


def test_index_dictionary_has_the_instructions_not_the_questions(wb, exam):
    index = wb.block(exam).index_dictionary()
    assert index["content"]["display_name"] == "Slutprov"
    assert "avslutar" in index["content"]["text"] and "q1" not in str(index) and "Tio inlandskommuner" not in str(index)
    assert index["content_type"] == "Final exam"


def test_author_markdown_is_sanitised(wb, make_exam):
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
    exam = make_exam(introduction=f"**Välkommen** {evil}",
                     questions=[{**BANK[0], "text": f"Fråga {evil}"}, *BANK[1:]])
    from .conftest import make_eligible, start  # pylint: disable=import-outside-toplevel
    make_eligible()
    start(wb, exam)
    html = wb.render(exam)
    assert "<strong>Välkommen</strong>" in html
    for bad in ("<script>alert", "onerror", "javascript:"):
        assert bad not in html, bad
