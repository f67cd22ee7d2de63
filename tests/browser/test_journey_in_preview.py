"""The learner journey through the example programme, in the local preview, in real browsers.

Anna completes a module (task and self-check), is shown what is missing before the exam, checks in
at the regional meeting with the code read from the facilitator's screen in a second browser, takes
the exam with the keyboard, passes, opens her certificate and a visitor verifies it without logging
in. Erik fails and retries after the wait; staff revoke Anna's certificate and the public page says
so. Every step is audited (axe-core, English left in the Swedish UI, phone width): see conftest.

The programme has six modules: Anna does the first in the browser; the other five are completed
through the same handlers the browser calls, to keep the journey's length in check.
"""
from datetime import datetime, timezone

import pytest

from course_export.preview import views
from course_export.source import read_course
from course_export.spec import CustomBlock
from tests.conftest import Workbench
from tests.course_export.conftest import EXAMPLES
from tests.exam.conftest import stored_attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOURCE = EXAMPLES / "naringslivsutvecklare"
# The Skåne session of the first meeting: 2027-01-28 10:00-16:00 Swedish time.
DURING_THE_MEETING = datetime(2027, 1, 28, 9, 30, tzinfo=timezone.utc)
TASK = ("Kristianstads kommun har ett näringslivskontor med fyra medarbetare och en näringslivsstrategi från 2022. "
        "Strategin saknar mätbara mål och kopplingen till översiktsplanen är svag. Företagen efterfrågar en "
        "tydligare väg in när de vill etablera sig eller växa. Mitt förslag är att kommunen inför en gemensam "
        "företagslots, att strategin får tre mätbara mål som följs upp varje år och att näringslivskontoret "
        "samordnar sitt arbete med samhällsbyggnad och kultur. Ett första steg är ett arbetsmöte med berörda "
        "förvaltningar under våren, där vi går igenom hur ett företagsärende hanteras i dag och var det fastnar. "
        "Resultatet redovisas för kommunstyrelsen i juni tillsammans med ett förslag på uppföljning. ") * 4


@pytest.fixture
def course(monkeypatch):
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(SOURCE))
    monkeypatch.setitem(views._state, "loaded", None)  # pylint: disable=protected-access
    return read_course(SOURCE)


def blocks(course, tag):
    return [c for c in course.components() if isinstance(c, CustomBlock) and c.tag == tag]


def usage_of(url_name):
    return views.current().usages[url_name]


def unit_of(course, url_name):
    return next(u.url_name for u in course.units() if any(c.url_name == url_name for c in u.components))


def complete_module(wb, module, user):
    """What the browser sends for a module: the task, then (if any) the right self-check answers."""
    usage = usage_of(module.url_name)
    status, body = wb.post(usage, "submit_task", {"text": TASK}, user=user)
    assert status == 200, body
    if module.fields.get("self_check"):
        answers = {q["id"]: q["correct"] for q in module.fields["self_check"]}
        status, body = wb.post(usage, "check_answers", {"answers": answers}, user=user)
        assert status == 200, body


def right_letters(exam, row):
    right = {(q["id"], o["id"]) for q in exam.fields["questions"] for o in q["options"] if o["correct"]}
    return {item["id"]: {"ABCDEFGHIJ"[i] for i, oid in enumerate(item["options"]) if (item["id"], oid) in right}
            for item in row.draw}


def test_the_programme_from_first_module_to_verified_certificate(browsers, course, fake_clock):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    fake_clock.set(DURING_THE_MEETING)
    modules = blocks(course, "kkn_module")
    (exam,) = blocks(course, "kkn_exam")
    meeting = blocks(course, "kkn_checkin")[0]
    wb = Workbench()

    # 1. Anna opens the course and its first module, writes her development task and passes the self-check.
    anna = browsers("anna")
    anna.open("/kurs/?student=student_1")
    assert "Certifierad näringslivsutvecklare" in anna.find("h1").text
    assert "58 000 kr" in anna.body_text()
    anna.step("course home")
    first = modules[0]
    anna.open(f"/kurs/{unit_of(course, first.url_name)}/?student=student_1")
    assert "0 av 6 moduler klara" in anna.body_text()
    anna.step("first module")
    anna.find("textarea[data-role=task-text]").send_keys(TASK)
    anna.find("form[data-role=task-form] button[type=submit]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=task-status]", "Din uppgift är inlämnad.")
    for question in first.fields["self_check"]:
        anna.find(f"input[name$=-{question['id']}][value='{question['correct']}']").send_keys(Keys.SPACE)
    anna.find("form[data-role=check-form] button[type=submit]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=check-status]", "Du klarade självtestet")
    anna.wait_text("[data-role=progress-text]", "1 av 6 moduler klara")
    anna.step("module complete")

    # 2. The other modules, through the same handlers; the exam then says only the meeting is missing.
    for module in modules[1:]:
        complete_module(wb, module, "student_1")
    exam_page = f"/kurs/{unit_of(course, exam.url_name)}/"
    anna.open(exam_page + "?student=student_1")
    missing = anna.find(".kkn-exam__missing").text
    assert "Innan du kan göra provet" in missing and "1 till" in missing
    assert not anna.find_all("[data-action=start]")
    anna.step("exam shows what is missing")

    # 3. At the meeting: Karin shows the code on her screen, Anna types it on her phone.
    meeting_page = f"/kurs/{unit_of(course, meeting.url_name)}/"
    karin = browsers("karin")
    karin.open(meeting_page + "?student=staff")
    Select(karin.find("[data-role=session-select]")).select_by_value("skane-start")
    karin.wait_text("[data-role=panel]", "Kristianstad, Rådhus Skåne")
    karin.wait_text("[data-role=code-timer]", "Ny kod om")
    code = karin.find("[data-role=code]").text
    karin.step("facilitator shows the code")

    anna.open(meeting_page + "?student=student_1")
    Select(anna.find("[data-role=region]")).select_by_visible_text("Skåne")
    Select(anna.find("[data-role=municipality]")).select_by_visible_text("Kristianstad")
    anna.find("input[value=business]").send_keys(Keys.SPACE)
    anna.find("[data-role=profile-form] button[type=submit]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=learner]", "Din profil har sparats.")
    anna.find("[data-role=code]").send_keys(code)
    anna.find("[data-role=checkin-form] button[type=submit]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=learner]", "Du är incheckad på Kristianstad, Rådhus Skåne")
    anna.step("checked in")

    # 4. The exam, with the keyboard alone: start, answer every question right, confirm, pass.
    anna.open(exam_page + "?student=student_1")
    anna.find("[data-action=start]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=learner]", "Försök 1")
    assert anna.find("[data-role=timer-announce]").get_attribute("aria-live") == "polite"
    right = right_letters(exam, stored_attempt("student_1"))
    assert len(right) == 30
    for fieldset in anna.find_all("[data-role=attempt-form] fieldset"):
        options = fieldset.find_elements("css selector", "input")
        qid = fieldset.get_attribute("data-question")
        for option in options:
            if option.get_attribute("value") in right[qid]:
                option.send_keys(Keys.SPACE)
    anna.step("exam answered")
    anna.find("[data-role=attempt-form] button[type=submit]").send_keys(Keys.ENTER)
    dialog = anna.find("[data-role=confirm]")
    WebDriverWait(anna.driver, 5).until(lambda d: dialog.get_attribute("open") is not None)
    assert "Du har besvarat 30 av 30 frågor." in dialog.text
    anna.find("[data-action=confirm-submit]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=learner]", "Försök 1: godkänt")
    anna.step("exam passed")
    certificate_link = anna.find(".kkn-exam__certificate a.kkn-button")
    certificate_code = anna.find(".kkn-exam__certificate .kkn-exam__code").text
    certificate_link.send_keys(Keys.ENTER)
    anna.wait_text("h1", "Certifikat")
    assert "Anna Lindqvist" in anna.body_text() and "Certifierad näringslivsutvecklare" in anna.body_text()
    assert not anna.axe_violations()

    # 5. Anyone can check the certificate on the public page, without logging in.
    visitor = browsers("visitor")
    visitor.open("/kkn/intyg/")
    visitor.find("#kkn-verify-id").send_keys(certificate_code)
    visitor.find("#kkn-verify-id").submit()
    visitor.wait_text("main", "Certifikatet är äkta och giltigt.")
    assert not visitor.axe_violations()

    # 6. Erik fails, must wait an hour, then may try again.
    for module in modules:
        complete_module(wb, module, "student_2")
    status, body = wb.post(usage_of(meeting.url_name), "save_profile",
                           {"municipality": "Lund", "role": "business", "region": "Skåne"}, user="student_2")
    assert status == 200, body
    status, body = wb.post(usage_of(meeting.url_name), "staff_code", {"session_id": "skane-start"}, user="staff")
    assert status == 200, body
    status, body = wb.post(usage_of(meeting.url_name), "check_in", {"code": body["code"]}, user="student_2")
    assert status == 200, body
    erik = browsers("erik")
    erik.open(exam_page + "?student=student_2")
    erik.find("[data-action=start]").send_keys(Keys.ENTER)
    erik.wait_text("[data-role=learner]", "Försök 1")
    wrong = right_letters(exam, stored_attempt("student_2"))
    for fieldset in erik.find_all("[data-role=attempt-form] fieldset"):
        qid = fieldset.get_attribute("data-question")
        for option in fieldset.find_elements("css selector", "input"):
            if option.get_attribute("value") not in wrong[qid]:
                option.send_keys(Keys.SPACE)
                break
    erik.find("[data-role=attempt-form] button[type=submit]").send_keys(Keys.ENTER)
    WebDriverWait(erik.driver, 5).until(lambda d: erik.find("[data-role=confirm]").get_attribute("open") is not None)
    erik.find("[data-action=confirm-submit]").send_keys(Keys.ENTER)
    erik.wait_text("[data-role=learner]", "Försök 1: inte godkänt")
    erik.open(exam_page + "?student=student_2")
    assert not erik.find_all("[data-action=start]") and "Du kan starta ditt nästa försök" in erik.body_text()
    erik.step("failed and waiting")
    fake_clock.advance(minutes=61)
    erik.open(exam_page + "?student=student_2")
    erik.find("[data-action=start]").send_keys(Keys.ENTER)
    erik.wait_text("[data-role=learner]", "Försök 2")
    erik.step("second attempt")

    # 7. Staff revoke Anna's certificate; the public page now says so.
    karin.open(exam_page + "?student=staff")
    karin.find("[data-role=revoke-form] input[name=code]").send_keys(certificate_code)
    karin.find("[data-role=revoke-form] textarea[name=reason]").send_keys("Utfärdat av misstag vid test.")
    karin.find("[data-role=revoke-form] button[type=submit]").send_keys(Keys.ENTER)
    karin.wait_text("[data-role=staff-status]", "har återkallats")
    karin.step("certificate revoked")
    visitor.open("/kkn/intyg/")
    visitor.find("#kkn-verify-id").send_keys(certificate_code)
    visitor.find("#kkn-verify-id").submit()
    visitor.wait_text("main", "Certifikatet är äkta men har återkallats.")
    assert not visitor.axe_violations()
