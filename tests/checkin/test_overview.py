"""The programme council's overview by municipality (a staff view of the meeting block): the
matrix of municipalities x meetings with the required roles that attended, totals, municipalities
nobody registered for, the region filter, module progress, CSV and the printable page."""
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kkn_xblocks import overview_rules
from kkn_xblocks.records import api
from kkn_xblocks.records.models import Attendance, ModuleCompletion, Participation
from kkn_xblocks.studio import AuthorError

from .conftest import PROGRAMME, T0

pytestmark = pytest.mark.django_db

REGIONS = ["Skåne", "Blekinge", "Kronoberg", "Kalmar län", "Halland"]
MUNICIPALITIES = {
    "Skåne": ["Malmö", "Simrishamn", "Ystad", "Östra Göinge"],
    "Blekinge": ["Karlshamn", "Karlskrona", "Ronneby", "Sölvesborg"],
    "Kronoberg": ["Lessebo", "Ljungby", "Växjö", "Älmhult"],
    "Kalmar län": ["Borgholm", "Kalmar", "Nybro", "Vimmerby"],
    "Halland": ["Falkenberg", "Halmstad", "Laholm", "Varberg"],
}
MEETINGS = [{"id": f"seminarium-{n}", "title": f"Seminarium {n}"} for n in range(1, 6)]
MODULES = [{"id": f"modul-{n}", "title": f"Modul {n}"} for n in range(1, 6)]
PLACES = [(region, name) for region in REGIONS for name in MUNICIPALITIES[region]]


@pytest.fixture
def council_meeting(make_meeting):
    return make_meeting(regions=REGIONS, municipalities=MUNICIPALITIES, overview_meetings=MEETINGS,
                        overview_modules=MODULES, meeting_id="seminarium-1")


def populate(municipalities, per_municipality):
    """``per_municipality`` participants in each of the first ``municipalities`` places, alternately
    culture and business; everyone attended every meeting and completed two modules."""
    people, attendance, completions = [], [], []
    for index, (region, municipality) in enumerate(PLACES[:municipalities]):
        for number in range(per_municipality):
            key = f"local:m{index}-{number}"
            people.append(Participation(learner_key=key, programme_id=PROGRAMME, name=f"Person {index}-{number}",
                                        municipality=municipality, role="culture" if number % 2 == 0 else "business",
                                        region=region))
            attendance += [Attendance(learner_key=key, programme_id=PROGRAMME, meeting_id=m["id"], session_id="s",
                                      status="present", method="code", recorded_at=T0) for m in MEETINGS]
            completions += [ModuleCompletion(learner_key=key, programme_id=PROGRAMME, module_id=m["id"],
                                             module_version="1", completed_at=T0) for m in MODULES[:2]]
    Participation.objects.bulk_create(people)
    Attendance.objects.bulk_create(attendance)
    ModuleCompletion.objects.bulk_create(completions)


def person(key, name, municipality, role, region):
    api.save_profile(key, PROGRAMME, name, municipality, role, region)


def attend(key, meeting_id, status="present"):
    api.mark_attendance(key, PROGRAMME, meeting_id, "s", status, marked_by="local:staff")


def overview_html(wb, usage, region=""):
    status, body = wb.post(usage, "overview", {"region": region} if region else {}, user="staff")
    assert status == 200, body
    return body["html"]


def test_the_record_answers_in_three_queries_whatever_the_size():
    populate(20, 10)  # 20 municipalities x 5 meetings x 200 participants
    with CaptureQueriesContext(connection) as queries:
        facts = api.overview_facts(PROGRAMME, [m["id"] for m in MEETINGS], [m["id"] for m in MODULES])
    assert len(queries) == 3
    assert len(facts.members) == 200 and len(facts.attended) == 1000


def test_the_overview_costs_the_same_queries_for_2_and_for_20_municipalities(wb, council_meeting):
    def count():
        with CaptureQueriesContext(connection) as queries:
            html = overview_html(wb, council_meeting)
        return len(queries), html

    populate(2, 10)
    small, html = count()
    matrix, unregistered = html.split("Kommuner där ingen är anmäld")
    assert "Malmö" in matrix and "Simrishamn" in matrix and "Ystad" not in matrix and "Ystad (Skåne)" in unregistered
    Participation.objects.all().delete()
    Attendance.objects.all().delete()
    ModuleCompletion.objects.all().delete()
    populate(20, 10)
    large, html = count()
    assert html.count("Person ") == 200
    assert small == large


def test_each_cell_says_which_required_roles_attended_in_text_and_symbols(wb, council_meeting):
    person("local:anna", "Anna Lindqvist", "Ystad", "culture", "Skåne")
    person("local:erik", "Erik Johansson", "Ystad", "tourism", "Skåne")
    person("local:maria", "Maria Nilsson", "Växjö", "culture", "Kronoberg")
    attend("local:anna", "seminarium-1")
    attend("local:erik", "seminarium-1", status="late")
    attend("local:maria", "seminarium-1")
    attend("local:anna", "seminarium-2")
    Attendance.objects.create(learner_key="local:erik", programme_id=PROGRAMME, meeting_id="seminarium-2",
                              session_id="s", status="absent", method="staff", recorded_at=T0)
    api.record_completion("local:anna", PROGRAMME, "modul-1", "1")
    facts = api.overview_facts(PROGRAMME, [m["id"] for m in MEETINGS], [m["id"] for m in MODULES])
    overview = overview_rules.build_overview(
        facts, REGIONS, MUNICIPALITIES, [("culture",), ("business", "tourism")],
        overview_rules.plan_items(MEETINGS), overview_rules.plan_items(MODULES))
    ystad, vaxjo = overview.rows
    assert (ystad.municipality, vaxjo.municipality) == ("Ystad", "Växjö")
    assert ystad.cells[0].complete and ystad.cells[0].roles == ("culture", "tourism")
    assert not ystad.cells[1].complete and ystad.cells[1].missing == (("business", "tourism"),)
    assert vaxjo.cells[0].missing == (("business", "tourism"),)
    assert ystad.complete_meetings == 1
    assert overview.totals[0] == overview_rules.MeetingTotal(complete=1, people=3)
    assert [(p.name, p.done) for p in ystad.participants] == [("Anna Lindqvist", 1), ("Erik Johansson", 0)]
    assert len(overview.unregistered) == 18

    html = overview_html(wb, council_meeting)
    assert "✓</span> Kultur<span class=\"kkn-sr-only\"> deltog</span>" in html
    assert "✗</span> Näringsliv/Turism<span class=\"kkn-sr-only\"> saknas</span>" in html
    assert "1 av 2 kommuner kompletta, 3 deltog" in html
    assert "Anna Lindqvist (Kultur): 1 av 5 moduler" in html
    assert "Kommuner där ingen är anmäld" in html and "Simrishamn (Skåne)" in html


def test_the_region_filter_shows_one_region(wb, council_meeting):
    person("local:anna", "Anna Lindqvist", "Ystad", "culture", "Skåne")
    person("local:olle", "Olle Berg", "Varberg", "culture", "Halland")
    html = overview_html(wb, council_meeting, region="Halland")
    assert "Olle Berg" in html and "Anna Lindqvist" not in html
    assert "Halmstad (Halland)" in html and "Simrishamn" not in html
    status, body = wb.post(council_meeting, "overview", {"region": "Gotland"}, user="staff")
    assert status == 400 and "Gotland" in body["error"]


def test_a_learner_gets_403_from_every_overview_door(wb, council_meeting):
    person("local:student_1", "Anna Lindqvist", "Ystad", "culture", "Skåne")
    assert wb.post(council_meeting, "overview", {}, user="student_1")[0] == 403
    for handler in ("overview_page", "overview_csv"):
        response = wb.get(council_meeting, handler, user="student_1")
        assert response.status_code == 403
        assert "Anna" not in response.content.decode("utf-8")
    assert "Programöversikt per kommun" not in wb.render(council_meeting, user="student_1")


def test_the_csv_has_the_matrix_and_escapes_formula_prefixes(wb, council_meeting):
    person("local:evil", "=HYPERLINK(\"http://x\")", "Ystad", "culture", "Skåne")
    person("local:plus", "+46 Bengt", "Ystad", "business", "Skåne")
    attend("local:evil", "seminarium-1")
    attend("local:plus", "seminarium-1")
    response = wb.get(council_meeting, "overview_csv", user="staff")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Region", "Kommun", "Seminarium 1", "Seminarium 2", "Seminarium 3", "Seminarium 4",
                       "Seminarium 5", "Träffar där alla roller som krävs deltog", "Slutförda moduler"]
    ystad = rows[1]
    assert ystad[:3] == ["Skåne", "Ystad", "Kultur: deltog; Näringsliv/Turism: deltog"]
    assert ystad[3] == "Kultur: saknas; Näringsliv/Turism: saknas"
    assert ystad[7] == "1"
    assert ystad[8].startswith("'=HYPERLINK") and "'+46" not in ystad[8]  # only a cell's first character counts
    assert ["Skåne", "Malmö", "", "", "", "", "", "0", "Ingen anmäld"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_printable_page_is_a_whole_page_for_a4(wb, council_meeting):
    person("local:anna", "Anna <b>Lindqvist</b>", "Ystad", "culture", "Skåne")
    response = wb.get(council_meeting, "overview_page", user="staff", query="region=Sk%C3%A5ne")
    html = response.content.decode("utf-8")
    assert response.status_code == 200 and html.startswith("<!DOCTYPE html>")
    assert "<h1>Programöversikt per kommun</h1>" in html and "A4" in html
    assert "Anna &lt;b&gt;Lindqvist&lt;/b&gt;" in html
    assert '<option value="Skåne" selected>' in html
    assert response["Cache-Control"] == "no-store"


def test_the_plan_fields_parse_and_refuse_with_the_line():
    def gettext(text):
        return text
    assert overview_rules.parse_plan("seminarium-1 | Seminarium 1\n\nseminarium-2", gettext) == [
        {"id": "seminarium-1", "title": "Seminarium 1"}, {"id": "seminarium-2", "title": ""}]
    with pytest.raises(AuthorError, match="Line 2"):
        overview_rules.parse_plan("a | A\nÅsa | B", gettext)
    with pytest.raises(AuthorError, match="twice"):
        overview_rules.parse_plan("a\na", gettext)
    assert overview_rules.plan_to_text([{"id": "a", "title": "A"}, {"id": "b"}, "junk"]) == "a | A\nb"


def test_the_plan_fields_round_trip_and_are_edited_in_studio(wb, council_meeting):
    from lxml import etree
    from kkn_xblocks.studio import value_to_text

    block = wb.block(council_meeting)
    node = etree.Element("root")
    block.add_xml_to_node(node)
    reparsed = wb.block(wb.load(etree.tostring(node, encoding="unicode")))
    assert (reparsed.overview_meetings, reparsed.overview_modules) == (MEETINGS, MODULES)
    editor = wb.block(council_meeting, user="staff")
    values = {spec.name: value_to_text(spec, getattr(editor, spec.name)) for spec in editor.author_fields}
    assert values["overview_meetings"].splitlines()[0] == "seminarium-1 | Seminarium 1"
    values["overview_meetings"] = "seminarium-1 | Malmö\nseminarium-2 | Karlskrona"
    assert wb.post(council_meeting, "studio_submit", {"values": values}, user="staff") == (200, {"result": "success"})
    assert wb.block(council_meeting).overview_meetings == [{"id": "seminarium-1", "title": "Malmö"},
                                                           {"id": "seminarium-2", "title": "Karlskrona"}]
    values["overview_meetings"] = "Seminarium 1"
    status, body = wb.post(council_meeting, "studio_submit", {"values": values}, user="staff")
    assert status == 400 and "Rad 1" in body["field_errors"]["overview_meetings"]


def test_the_overview_handler_reads_the_record_in_three_queries(wb, council_meeting):
    """The handler's other queries are the workbench's: it keeps content and settings fields in a
    table (``workbench_xblockstate``) and reads them on access, where the LMS reads the modulestore."""
    populate(20, 10)
    with CaptureQueriesContext(connection) as answered:
        overview_html(wb, council_meeting)
    # The handler's one transaction (handlers.json_handler) adds its savepoint statements.
    sql = [query["sql"] for query in answered.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len([q for q in sql if "kkn_records_" in q]) == 3
    assert all("kkn_records_" in q or "workbench_xblockstate" in q for q in sql)


def test_the_csv_of_one_region_is_named_for_it(wb, council_meeting):
    person("local:anna", "Anna Lindqvist", "Ystad", "culture", "Skåne")
    person("local:olle", "Olle Berg", "Varberg", "culture", "Halland")
    response = wb.get(council_meeting, "overview_csv", user="staff", query="region=Kalmar%20l%C3%A4n")
    assert response["Content-Disposition"] == f'attachment; filename="{PROGRAMME}-kommunoversikt-Kalmar-lan.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == {"Kalmar län"} and all(row[-1] == "Ingen anmäld" for row in rows[1:])
    assert wb.get(council_meeting, "overview_csv", user="staff", query="region=Gotland").status_code == 400
