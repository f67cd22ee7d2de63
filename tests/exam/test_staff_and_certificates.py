"""Staff: the overview, accommodations, revocation, CSV. Everyone: the certificate and its
verification, which needs no login and shows only name, programme, date and status."""
import csv
import io
import json

import pytest

from kkn_xblocks.records import api, verification
from kkn_xblocks.records.models import Certificate, Participation

from .conftest import PROGRAMME, make_eligible, start, take, wrong_answers

pytestmark = pytest.mark.django_db


def test_staff_see_everyone_with_eligibility_attempts_and_certificates(wb, exam):
    make_eligible("student_1")
    make_eligible("student_2", modules=["modul-1"], meetings=0)
    take(wb, exam, user="student_1")
    code = Certificate.objects.get().code
    html = wb.render(exam, user="staff")
    assert "Personal: översikt över provet" in html and "2 deltagare i programmet." in html
    rows = html.split("<tr>")
    anna = next(r for r in rows if "Anna Lindqvist" in r)
    erik = next(r for r in rows if "Erik Johansson" in r)
    assert "<td>3/3</td>" in anna and "<td>1/1</td>" in anna and "<td>Ja</td>" in anna
    assert "100 % (godkänt)" in anna and code in anna and "(Giltigt)" in anna
    assert "<td>1/3</td>" in erik and "<td>0/1</td>" in erik and "<td>Nej</td>" in erik
    assert 'data-role="accommodate-form"' in html and 'data-role="revoke-form"' in html
    assert "Personal: översikt" not in wb.render(exam, user="student_1")


def test_an_exemption_and_extra_time_are_recorded_with_who_when_and_why(wb, exam, fake_clock):
    make_eligible("student_2", modules=[], meetings=0)
    status, body = wb.post(exam, "accommodate", {"learner_key": "local:student_2", "extra_minutes": 20,
                                                  "exempt": True, "reason": "Validerad tidigare utbildning"},
                           user="staff")
    assert status == 200
    assert body["message"] == "Sparat för Erik Johansson: 20 minuter extra, undantagen från kraven."
    assert "Karin Berg (kursledare), 2026-03-10 10:00: Validerad tidigare utbildning" in body["html"]
    assert "Undantagen" in body["html"]
    found = api.accommodation_for("local:student_2", PROGRAMME, "slutprov")
    assert (found.exemption_by_name, found.extra_time_by_name, found.exemption_at) == (
        "Karin Berg (kursledare)", "Karin Berg (kursledare)", fake_clock())
    fake_clock.advance(days=1)
    status, body = wb.post(exam, "accommodate", {"learner_key": "local:student_2", "extra_minutes": 20,
                                                  "exempt": False, "reason": "Undantaget drogs tillbaka"},
                           user="staff")
    assert status == 200 and body["message"].endswith("inte undantagen.")
    found = api.accommodation_for("local:student_2", PROGRAMME, "slutprov")
    assert (found.eligibility_exempt, found.exemption_reason, found.extra_time_reason) == (
        False, "Undantaget drogs tillbaka", "Validerad tidigare utbildning")


def test_revoking_shows_everywhere(wb, exam, fake_clock):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    status, body = wb.post(exam, "revoke", {"code": code.lower().replace("-", " "), "reason": "Fusk vid provet"},
                           user="staff")
    assert status == 200
    assert body["message"] == f"Certifikatet {code} för Anna Lindqvist har återkallats."
    assert "Karin Berg (kursledare), 2026-03-10 10:00: Fusk vid provet" in body["html"]
    assert "(Återkallat)" in body["html"]
    assert "Återkallat" in wb.render(exam)
    verified = json.loads(wb.verify(code, json=True).content)
    assert verified["status"] == "revoked"
    page = wb.verify(code).content.decode()
    assert "Certifikatet är äkta men har återkallats." in page and "Fusk" not in page
    certificate = wb.get(exam, "certificate").content.decode()
    assert "Det här certifikatet har återkallats och gäller inte längre." in certificate


def test_overdue_attempts_are_graded_when_staff_look(wb, exam, fake_clock):
    make_eligible()
    row = start(wb, exam)
    wb.post(exam, "save_answers", {"attempt": 1, "answers": wrong_answers(row)})
    fake_clock.advance(hours=2)
    html = wb.render(exam, user="staff")
    row.refresh_from_db()
    assert (row.status, row.submitted_by, row.earned) == ("submitted", "deadline", 0)
    assert "0 %" in html


def test_the_csv_lists_everyone_and_cannot_inject_formulas(wb, exam):
    make_eligible()
    take(wb, exam)
    Participation.objects.filter(learner_key="local:student_1").update(name='=HYPERLINK("https://x")')
    response = wb.get(exam, "report_csv", user="staff")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="slutprov-rapport.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Deltagare", "Deltagarnyckel", "Klara moduler", "Träffar med närvaro", "Behörig", "Extra minuter",
                       "Försök", "Bästa resultat (%)", "Godkänd", "Certifikat", "Certifikatets status"]
    code = Certificate.objects.get().code
    assert rows[1] == ["'=HYPERLINK(\"https://x\")", "local:student_1", "3", "1", "Ja", "0", "1", "100", "Ja", code,
                       "Giltigt"]


def test_the_certificate_page_is_printable_in_swedish_and_english(wb, exam):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    response = wb.get(exam, "certificate")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="sv">' in html and "<title>Certifikat – Anna Lindqvist</title>" in html
    assert '<section class="kkn-certificate" lang="sv"' in html and '<section class="kkn-certificate" lang="en"' in html
    for text in ("Härmed intygas att", "Utfärdat</dt><dd>10 mars 2026", "Giltigt till och med</dt><dd>10 mars 2028",
                 "This certifies that", "Issued</dt><dd>10 March 2026", "Valid until</dt><dd>10 March 2028",
                 "har certifierats inom programmet Certifierad näringslivsutvecklare efter godkänt slutprov.",
                 "has been certified in the programme Certifierad näringslivsutvecklare after passing its final exam.",
                 f"http://testserver/kkn/intyg/{code}/", "<svg", "Skriv ut certifikatet",
                 "<h1 "):
        assert text in html, text
    assert html.count(code) >= 4


def test_names_are_escaped_on_the_certificate(wb, exam):
    make_eligible()
    Participation.objects.update(name="x")
    take(wb, exam)
    Certificate.objects.update(name='<img src=x onerror="alert(1)">')
    html = wb.get(exam, "certificate").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    code = Certificate.objects.get().code
    page = wb.verify(code).content.decode()
    assert "<img src=x" not in page and "&lt;img" in page


def test_without_a_certificate_the_page_says_so(wb, exam):
    response = wb.get(exam, "certificate")
    assert response.status_code == 404
    assert "Du har inget certifikat för det här programmet ännu." in response.content.decode()


def test_verification_shows_only_name_programme_date_and_status(wb, exam, fake_clock):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    response = wb.verify(code.lower(), json=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == {"id": code, "status": "valid", "name": "Anna Lindqvist",
                                            "programme": "Certifierad näringslivsutvecklare", "issued": "2026-03-10"}
    page = wb.verify(code)
    html = page.content.decode()
    assert page.status_code == 200 and "Certifikatet är äkta och giltigt." in html
    assert "The certificate is genuine and valid." in html
    assert "local:student_1" not in html and "2028" not in html and "100 %" not in html
    fake_clock.advance(days=3 * 366)
    assert json.loads(wb.verify(code, json=True).content)["status"] == "expired"
    assert "Certifikatet är äkta men har gått ut." in wb.verify(code).content.decode()


def test_the_verification_page_without_an_id_is_a_form(wb):
    html = wb.verify().content.decode()
    assert "<h1>Kontrollera ett certifikat</h1>" in html and 'action="/kkn/intyg/"' in html
    assert '<label for="kkn-verify-id">Certifikat-id <span lang="en">(Certificate id)</span></label>' in html


def test_links_of_certificates_printed_before_lead_to_the_verification_page(wb, exam):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    old = wb.unauth_get(exam, "verify", query=f"id={code}")
    assert old.status_code == 301 and old["Location"] == f"/kkn/intyg/{code}/"
    old = wb.unauth_get(exam, "verify_json", query=f"id={code}")
    assert old.status_code == 301 and old["Location"] == f"/kkn/intyg/{code}/json/"
    assert wb.unauth_get(exam, "verify")["Location"] == "/kkn/intyg/"
    assert f'href="/kkn/intyg/{code}/"' in wb.render(exam)  # the exam's own link


def test_a_lookup_is_one_indexed_query_and_a_malformed_id_none(wb, exam, django_assert_num_queries):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    def gettext(text):
        return text
    with django_assert_num_queries(1):
        assert verification.look_up(code, gettext)["found"]
    with django_assert_num_queries(1):
        assert not verification.look_up("KKN-7Q4M-2HXD-9RTA-K3PB-M", gettext)["found"]
    with django_assert_num_queries(0):
        assert verification.look_up(code[:-1] + ("0" if code[-1] != "0" else "1"), gettext)["malformed"]
