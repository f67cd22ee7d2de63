"""The facilitator: the rotating code and its QR code, the roster by municipality and role, marking
anyone with who and when recorded, flags for municipalities missing a required role, CSV."""
import segno
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kkn_xblocks import checkin_rules as rules
from kkn_xblocks.records import api
from kkn_xblocks.records.models import Attendance, Participation

from .conftest import PROGRAMME, set_profile, staff_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(wb, meeting):
    """Lund: a culture manager (Anna, checked in) and a business manager (Erik, not yet).
    Malmö: Maria, tourism, checked in. Halland: Olle, Halmstad."""
    set_profile(wb, meeting, user="student_1", municipality="Lund", role="culture")
    set_profile(wb, meeting, user="student_2", municipality="Lund", role="business")
    set_profile(wb, meeting, user="student_3", municipality="Malmö", role="tourism")
    set_profile(wb, meeting, user="olle", region="Halland", municipality="Halmstad", role="culture")
    code = staff_code(wb, meeting)
    for user in ("student_1", "student_3"):
        assert wb.post(meeting, "check_in", {"code": code}, user=user)[0] == 200
    return meeting


def test_staff_see_the_code_and_the_roster_of_the_open_session(wb, crowd):
    html = wb.render(crowd, user="staff")
    for text in ["Kursledare: incheckning och deltagarlista", "Visa den här koden för deltagarna.", "Ny kod om 30 s.",
                 "Deltagarlista", "Ladda ner CSV", "Halland – Varberg, Campus Varberg"]:
        assert text in html, text
    assert staff_code(wb, crowd, "halland-2") in html
    assert "Din profil" not in html  # the facilitator's page is the panel, not the learner's forms


def test_the_roster_groups_by_municipality_and_role_and_flags_missing_roles(wb, crowd):
    status, body = wb.post(crowd, "panel", {"session_id": "skane-2"}, user="staff")
    assert status == 200 and body["phase"] == "open"
    html = body["html"]
    assert "3 deltagare. Närvarande: 2, sena: 0, förhinder: 0, frånvarande: 0, ej registrerade: 1." in html
    assert "Kommuner där en roll som krävs saknas:" in html
    assert "Malmö: Kultur saknas" in html  # only the tourism manager came
    assert "Lund: Näringsliv/Turism saknas" in html  # Erik has not checked in
    roster = html[html.index('data-role="roster"'):]
    assert roster.index("Lund") < roster.index("Malmö")
    assert "Olle" not in html and "olle" not in html  # Halland's participant is in the Halland session
    assert "Anna Lindqvist" in html and "Erik Johansson" in html and "Maria Nilsson" in html
    assert html.index("Anna Lindqvist") < html.index("Erik Johansson")  # culture before business
    assert "2026-03-10 10:00, med koden" in html


def test_marking_records_who_and_when_and_clears_the_flag(wb, crowd, fake_clock):
    fake_clock.advance(minutes=25)
    status, body = wb.post(crowd, "mark", {"session_id": "skane-2", "learner_key": "local:student_2", "status": "late"},
                           user="staff")
    assert status == 200
    assert body["message"] == "Erik Johansson: Sen."
    row = Attendance.objects.get(learner_key="local:student_2")
    assert (row.status, row.method, row.marked_by, row.marked_by_name) == (
        "late", "staff", "local:staff", "Karin Berg (kursledare)")
    assert row.recorded_at == fake_clock()
    assert "2026-03-10 10:25, registrerad av Karin Berg (kursledare)" in body["html"]
    assert "Lund: Näringsliv/Turism saknas" not in body["html"]
    assert "Malmö: Kultur saknas" in body["html"]
    # Staff may change anyone's status, including a code check-in; the latest mark wins, in one row.
    wb.post(crowd, "mark", {"session_id": "skane-2", "learner_key": "local:student_1", "status": "excused"}, user="staff")
    assert Attendance.objects.filter(learner_key="local:student_1").values_list("status", "method").get() == (
        "excused", "staff")
    assert api.attended_meeting_count("local:student_1", PROGRAMME) == 0


def test_staff_can_mark_a_visitor_from_another_region(wb, crowd):
    wb.post(crowd, "mark", {"session_id": "skane-2", "learner_key": "local:olle", "status": "present"}, user="staff")
    html = wb.post(crowd, "panel", {"session_id": "skane-2"}, user="staff")[1]["html"]
    assert "Halmstad (Halland)" in html and "4 deltagare" in html


def test_the_code_refreshes_with_a_qr_code_of_this_page(wb, crowd):
    page = "http://testserver/scenario/kkn_checkin.0/?student=staff"
    status, body = wb.post(crowd, "staff_code", {"session_id": "skane-2", "page_url": page}, user="staff")
    assert status == 200
    raw = body["code"].replace(" ", "")
    target = f"http://testserver/scenario/kkn_checkin.0/?kkn_code={raw}"
    expected = segno.make(target, error="m").svg_inline(border=2, omitsize=True,
                                                        title="QR-kod för incheckning till den här träffen")
    assert body["qr_svg"] == expected
    assert body["qr_svg"].startswith("<svg") and "viewBox" in body["qr_svg"] and "<script" not in body["qr_svg"]
    assert body["seconds_left"] == 30 and body["timer"] == "Ny kod om 30 s."


def test_panels_of_upcoming_and_closed_sessions(wb, crowd):
    html = wb.post(crowd, "panel", {"session_id": "kronoberg-2"}, user="staff")[1]["html"]
    assert "Incheckningen öppnar 2026-03-11 09:30. Koden visas här då." in html
    assert 'data-role="code"' not in html
    html = wb.post(crowd, "panel", {"session_id": "blekinge-2"}, user="staff")[1]["html"]
    assert "Sessionen är slut, så deltagarnas egen incheckning är stängd." in html
    assert "Ingen i den här sessionens region har fyllt i sin profil än." in html


def test_the_roster_csv(wb, crowd):
    Participation.objects.filter(learner_key="local:student_3").update(name='=HYPERLINK("https://x")')
    response = wb.get(crowd, "roster_csv", user="staff", suffix="skane-2")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="traff-2-skane-2-narvaro.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines()
    assert lines[0] == ("Kommun,Roll,Region,Deltagare,Deltagarnyckel,Status,Sätt,Registrerad,Registrerad av,"
                        "Kommunen komplett")
    assert lines[1] == "Lund,Kultur,Skåne,Anna Lindqvist,local:student_1,Närvarande,Incheckningskod,2026-03-10 10:00,,Nej"
    assert lines[2] == "Lund,Näringsliv,Skåne,Erik Johansson,local:student_2,,,,,Nej"
    assert lines[3].startswith("Malmö,Turism,Skåne,\"'=HYPERLINK(") and lines[3].endswith(",Nej")


def test_learner_names_are_escaped_on_the_roster(wb, crowd):
    Participation.objects.filter(learner_key="local:student_2").update(name='<img src=x onerror="alert(1)">')
    html = wb.post(crowd, "panel", {"session_id": "skane-2"}, user="staff")[1]["html"]
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html


def test_municipalities_and_staff_names_are_escaped_on_the_roster(wb, crowd):
    """The group titles (the template) and the "marked by" sentence of a row (built in Python, its
    translation escaped once per request) escape what learners and staff typed."""
    from lxml import html as lxml_html
    Participation.objects.filter(learner_key="local:student_3").update(municipality='<b onclick="x">Malmö</b>')
    api.mark_attendance("local:student_2", PROGRAMME, "traff-2", "skane-2", "excused", marked_by="staff",
                        marked_by_name='<script>alert("x")</script> & Co')
    html = wb.post(crowd, "panel", {"session_id": "skane-2"}, user="staff")[1]["html"]
    assert "<b onclick" not in html and "&lt;b onclick=&quot;x&quot;&gt;Malmö&lt;/b&gt;" in html
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    erik = next(row for row in lxml_html.fromstring(html).iter("tr") if row.get("data-learner") == "local:student_2")
    assert erik.findall("td")[3].text_content() == '2026-03-10 10:00, registrerad av <script>alert("x")</script> & Co'


def test_each_roster_row_has_its_own_labelled_status_control(wb, crowd):
    """The rows are built without the template engine: names are escaped in text and in attributes,
    labels are Swedish, the recorded status is selected and "Välj" offered only while none is."""
    from lxml import html as lxml_html
    Participation.objects.filter(learner_key="local:student_2").update(name='Erik "E" <Johansson>')
    html = wb.post(crowd, "panel", {"session_id": "skane-2"}, user="staff")[1]["html"]
    rows = {row.get("data-learner"): row for row in lxml_html.fromstring(html).iter("tr") if row.get("data-learner")}
    assert set(rows) == {"local:student_1", "local:student_2", "local:student_3"}
    erik = rows["local:student_2"]
    assert [cell.text_content() for cell in erik.findall("td")[:4]] == [
        'Erik "E" <Johansson>', "Näringsliv", "Ej registrerad", "\u2013"]
    select = erik.find(".//select")
    assert select.get("aria-label") == 'Status för Erik "E" <Johansson>'
    assert erik.find(".//button").get("aria-label") == 'Spara status för Erik "E" <Johansson>'
    assert [(o.get("value"), o.text, o.get("selected") is not None) for o in select.iter("option")] == [
        ("", "Välj", True), ("present", "Närvarande", False), ("late", "Sen", False), ("excused", "Anmält förhinder", False),
        ("absent", "Frånvarande", False)]
    anna = rows["local:student_1"].find(".//select")
    assert [(o.get("value"), o.get("selected") is not None) for o in anna.iter("option")] == [
        ("present", True), ("late", False), ("excused", False), ("absent", False)]
    ids = [row.find(".//select").get("id") for row in rows.values()]
    assert len(set(ids)) == 3


def _roster_queries(wb, usage, participants):
    for i in range(participants):
        api.save_profile(f"bulk-{participants}-{i}", PROGRAMME, f"Deltagare {i}", "Ystad", "culture", "Skåne")
        if i % 2:
            api.check_in(f"bulk-{participants}-{i}", PROGRAMME, "traff-2", "skane-2", "present")
    block = wb.block(usage, user="staff")
    session = rules.find_session(block._sessions(), "skane-2")  # pylint: disable=protected-access
    block._roster_html(session)  # pylint: disable=protected-access  # reads the block's fields once
    with CaptureQueriesContext(connection) as captured:
        html = block._roster_html(session)  # pylint: disable=protected-access
    return len(captured.captured_queries), html


def test_the_roster_takes_the_same_number_of_queries_for_any_number_of_participants(wb, make_meeting):
    few, html_few = _roster_queries(wb, make_meeting(), 5)
    many, html_many = _roster_queries(wb, make_meeting(meeting_id="traff-3"), 60)
    assert few == many == 2
    assert "5 deltagare" in html_few and "65 deltagare" in html_many
