"""Authors: sanitised content, a usable Studio editor with explained errors, and an OLX round trip."""
import pytest
from lxml import etree
from xblock.fields import Scope

from kkn_xblocks import module_rules as rules
from kkn_xblocks.records.models import ModuleSubmission

from .conftest import LONG_TEXT

pytestmark = pytest.mark.django_db

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">länk</a>'


def test_author_markdown_and_html_are_sanitised(wb, make_module):
    usage = make_module(introduction=f"**Välkommen** {EVIL}", knowledge="<iframe src='https://x'></iframe>Text",
                        reading_list=[{"title": "Farlig", "url": "javascript:alert(4)"}])
    html = wb.render(usage)
    assert "<strong>Välkommen</strong>" in html
    for bad in ["<script>alert", "onerror", "javascript:", "<iframe"]:
        assert bad not in html, bad
    assert "Farlig" in html  # the title stays, the link does not


def test_learner_text_is_escaped_in_the_staff_view_and_csv(wb, make_module):
    usage = make_module(completion_rule="task")
    wb.post(usage, "submit_task", {"text": LONG_TEXT})
    from kkn_xblocks.records.models import Participation
    Participation.objects.update(name='=HYPERLINK("https://x")<img src=x onerror="alert(1)">')
    html = wb.render(usage, user="staff")
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    csv_text = wb.get(usage, "report_csv", user="staff").content.decode("utf-8-sig")
    assert "\"'=HYPERLINK(" in csv_text  # formulas neutralised for spreadsheets
    assert ModuleSubmission.objects.count() == 1


def test_staff_see_who_submitted_and_completed(wb, make_module):
    usage = make_module(completion_rule="task")
    wb.post(usage, "submit_task", {"text": LONG_TEXT}, user="student_1")
    wb.post(usage, "save_draft", {"text": "bara utkast"}, user="student_2")
    html = wb.render(usage, user="staff")
    assert "Personal: deltagare i modulen" in html and "Anna Lindqvist" in html and "Erik" not in html
    status, body = wb.post(usage, "staff_report", {}, user="staff")
    assert status == 200 and [r["name"] for r in body["rows"]] == ["Anna Lindqvist"]
    assert body["rows"][0]["words"] == 48
    response = wb.get(usage, "report_csv", user="staff")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Deltagare,Deltagarnyckel,Inlämnad,Ord,Klar"
    assert lines[1].startswith("Anna Lindqvist,local:student_1,")


def test_learners_do_not_see_the_staff_view(wb, make_module):
    assert "Personal: deltagare" not in wb.render(make_module())


def test_the_studio_editor_shows_every_field_with_label_and_help(wb, make_module):
    block = wb.block(make_module(), user="staff")
    html = block.render("studio_view", {}).body_html()
    for spec in block.author_fields:
        assert f'data-name="{spec.name}"' in html
    assert "Modulens titel" in html and "Frågor i självtestet" in html
    assert "? Vad står R10 för?" in html and "* Tio samverkande inlandskommuner" in html


def form_values(block):
    from kkn_xblocks.studio import value_to_text
    return {spec.name: value_to_text(spec, getattr(block, spec.name)) for spec in block.author_fields}


def test_studio_submit_saves_parsed_values(wb, make_module):
    usage = make_module()
    values = form_values(wb.block(usage))
    values.update({"display_name": "Ny titel", "weeks": "4", "outcomes": "ett\n\n två \n",
                   "reading_list": "Bok ett | https://example.org/a\nBok två",
                   "self_check": "? Fråga?\n- nej\n* ja"})
    status, body = wb.post(usage, "studio_submit", {"values": values}, user="staff")
    assert (status, body) == (200, {"result": "success"})
    block = wb.block(usage)
    assert (block.display_name, block.weeks, block.outcomes) == ("Ny titel", 4, ["ett", "två"])
    assert block.reading_list == [{"title": "Bok ett", "url": "https://example.org/a"}, {"title": "Bok två", "url": ""}]
    assert block.self_check == [{"id": "q1", "text": "Fråga?", "options": ["nej", "ja"], "correct": 1}]


def test_studio_submit_explains_every_wrong_field_and_saves_nothing(wb, make_module):
    usage = make_module()
    values = form_values(wb.block(usage))
    values.update({"weeks": "tre", "number": "0", "display_name": " ", "self_check": "? Fråga\n- a\n- b",
                   "reading_list": "Bok | ftp://x"})
    status, body = wb.post(usage, "studio_submit", {"values": values}, user="staff")
    assert status == 400
    assert body["error"] == "Några fält behöver rättas innan blocket kan sparas."
    assert body["field_errors"] == {
        "weeks": "Skriv ett heltal, till exempel 3.",
        "number": "Skriv ett tal från 1 till 99.",
        "display_name": "Fältet måste fyllas i.",
        "self_check": "Frågan på rad 1 saknar rätt alternativ: markera det med ”*”.",
        "reading_list": "Rad 1: länken måste börja med https:// (eller http://) och får inte innehålla mellanslag.",
    }
    assert wb.block(usage).weeks == 3


def test_cross_field_rules_are_explained_in_the_editor_and_on_the_block(wb, make_module):
    usage = make_module()
    values = form_values(wb.block(usage))
    values.update({"self_check": "", "programme_modules": "modul-2\nmodul-3"})
    status, body = wb.post(usage, "studio_submit", {"values": values}, user="staff")
    assert status == 400
    assert set(body["field_errors"]) == {"completion_rule", "programme_modules"}
    block = wb.block(make_module(self_check=[], completion_rule="self_check"))
    messages = [m.text for m in block.validate().messages]
    assert messages == ["Villkor för att modulen ska vara klar: Villkoret kräver ett självtest: lägg till frågor "
                        "eller välj ”Lämna in utvecklingsuppgiften”."]


def test_olx_round_trip_keeps_every_field(wb, make_module):
    block = wb.block(make_module(module_version="3", task_min_words=99, self_check_pass_percent=70))
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert node.tag == "kkn_module"
    exported = {name: getattr(block, name) for name, field in block.fields.items()
                if field.scope in (Scope.content, Scope.settings)}
    assert {spec.name for spec in block.author_fields} <= set(exported)
    reparsed = wb.block(wb.load(etree.tostring(node, encoding="unicode")))
    for name, value in exported.items():
        assert getattr(reparsed, name) == value, name
    assert "Näringslivsutvecklarens" in node.get("display_name")


@pytest.mark.parametrize("text, message", [
    ("- utan fråga", "Rad 1: ett alternativ står före den första frågan. Börja en fråga med ”?”."),
    ("? a\n* x\n* y", "Rad 3: en fråga kan bara ha ett rätt alternativ (markerat med ”*”)."),
    ("? a\n* x", "Frågan på rad 1 behöver 2 till 8 alternativ."),
    ("hej", "Rad 1: börja raden med ”?” för en fråga, ”*” för det rätta alternativet eller ”-” för ett felaktigt."),
])
def test_self_check_text_errors_name_the_line(text, message, sv_gettext):
    with pytest.raises(rules.AuthorError) as error:
        rules.parse_self_check(text, sv_gettext)
    assert str(error.value) == message


def test_self_check_text_round_trips(sv_gettext):
    text = "? Första?\n* ja\n- nej\n\n? Andra?\n- a\n- b\n* c"
    assert rules.self_check_to_text(rules.parse_self_check(text, sv_gettext)) == text


def test_the_block_is_registered_and_its_view_works_on_phones():
    from importlib.metadata import entry_points  # pylint: disable=import-outside-toplevel
    from xblock.core import XBlock  # pylint: disable=import-outside-toplevel
    from kkn_xblocks.module import DistanceModuleBlock  # pylint: disable=import-outside-toplevel

    (entry,) = [ep for ep in entry_points(group="xblock.v1") if ep.name == "kkn_module"]
    assert entry.load() is DistanceModuleBlock is XBlock.load_class("kkn_module")
    # The mobile apps ask the view, as XBlock.has_support does, not the class.
    assert DistanceModuleBlock.has_support(None, DistanceModuleBlock.student_view, "multi_device")


def test_the_self_check_with_its_answers_for_the_author():
    questions = rules.parse_self_check("? Vad står KKN för?\n- Kommunala kulturnämnder\n* Kulturella och kreativa näringar",
                                       str)
    assert rules.self_check_with_answers(questions) == [{"text": "Vad står KKN för?", "options": [
        {"text": "Kommunala kulturnämnder", "correct": False},
        {"text": "Kulturella och kreativa näringar", "correct": True},
    ]}]
    # Imported OLX may hold anything: odd entries are left out, not a crash.
    assert rules.self_check_with_answers([None, {"text": "?"}, "x"]) == []
