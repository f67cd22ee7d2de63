"""The final exam in a real browser, with the keyboard alone: start, answer, autosave, a timer that
speaks at thresholds, confirmation before submitting, the result, the certificate and its check."""
import pytest
from workbench.scenarios import init_scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/scenario/kkn_exam.0/"  # "Slutprov, kort övning": everyone is eligible, 15 minutes, 6 questions


@pytest.fixture
def scenarios():
    init_scenarios()


def test_a_learner_takes_the_exam_with_the_keyboard(browsers, scenarios, fake_clock):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    anna = browsers("anna")
    anna.open(PAGE + "?student=student_1")
    assert "6 frågor, som dras när du startar." in anna.body_text()
    anna.step("exam before starting")

    anna.find("[data-action=start]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=learner]", "Försök 1")
    WebDriverWait(anna.driver, 5).until(
        lambda d: d.execute_script("return document.activeElement.matches('[data-focus]')"))
    assert anna.find("[data-role=status]").text == "Provet har startat. Frågorna följer."
    assert anna.find("[data-role=timer]").text in ("15:00", "14:59")

    # Choose an answer in every question with the keyboard: Space on the first option.
    for fieldset in anna.find_all("[data-role=attempt-form] fieldset"):
        fieldset.find_element("css selector", "input").send_keys(Keys.SPACE)
    anna.wait_text("[data-role=save-status]", "Dina svar sparades 2026-03-10 10:00.")
    anna.step("answers saved")

    # Later, with a little over ten minutes left: the timer says so to screen readers, once.
    fake_clock.advance(minutes=15, seconds=-602)
    anna.open(PAGE + "?student=student_1")
    assert anna.find("[data-role=attempt-form] input:checked")  # the saved answers are back
    anna.wait_text("[data-role=timer-announce]", "10 minuter kvar.", timeout=8)
    assert anna.find("[data-role=timer]").get_attribute("role") == "timer"

    # Submitting asks first; Escape goes back to the exam, then she confirms.
    anna.find("[data-role=attempt-form] button[type=submit]").send_keys(Keys.ENTER)
    dialog = anna.find("[data-role=confirm]")
    WebDriverWait(anna.driver, 5).until(lambda d: dialog.get_attribute("open") is not None)
    assert "Du har besvarat 6 av 6 frågor." in dialog.text
    assert anna.driver.execute_script("return document.activeElement.dataset.action") == "cancel-submit"
    anna.step("confirm before submitting")
    anna.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(anna.driver, 5).until(lambda d: dialog.get_attribute("open") is None)
    assert anna.find("[data-role=learner]").text.count("Försök 1") == 1

    anna.find("[data-role=attempt-form] button[type=submit]").send_keys(Keys.ENTER)
    WebDriverWait(anna.driver, 5).until(lambda d: dialog.get_attribute("open") is not None)
    anna.find("[data-action=confirm-submit]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=learner]", "Dina resultat")
    WebDriverWait(anna.driver, 5).until(
        lambda d: d.execute_script("return document.activeElement.matches('[data-results]')"))
    assert "Ditt försök är inlämnat." in anna.find("[data-role=status]").text
    assert "Försök 1:" in anna.find("[data-role=learner]").text
    anna.step("result")

    staff = browsers("staff")
    staff.open(PAGE + "?student=staff")
    assert "Anna Lindqvist" in staff.find(".kkn-exam__staff").text
    staff.step("staff overview")


def test_a_passing_learner_prints_and_anyone_verifies_the_certificate(browsers, scenarios, fake_clock):
    from kkn_xblocks.records import api
    from kkn_xblocks.records.models import Certificate
    from kkn_xblocks.scenarios.exam import QUESTIONS
    from tests.conftest import Workbench
    from tests.exam.conftest import stored_attempt

    from workbench.scenarios import get_scenarios
    wb = Workbench()
    usage = wb.child_ids(get_scenarios()["kkn_exam.0"].usage_id)[0]
    status, _body = wb.post(usage, "start", {})
    assert status == 200
    right = {(q["id"], o["id"]) for q in QUESTIONS for o in q["options"] if o["correct"]}
    row = stored_attempt()
    answers = {item["id"]: ["ABCDEFGHIJ"[i] for i, oid in enumerate(item["options"]) if (item["id"], oid) in right]
               for item in row.draw}
    status, body = wb.post(usage, "submit", {"attempt": 1, "answers": answers})
    assert body["passed"], body
    code = Certificate.objects.get().code
    assert api.certificate_of("local:student_1", "kkn-slutprov-demo").code == code

    anna = browsers("anna")
    anna.open(PAGE + "?student=student_1")
    assert code in anna.find("[data-role=learner]").text
    anna.step("certificate card")
    # Her answers are loaded when she opens them, with the keyboard: Enter on "Visa dina svar".
    assert not anna.find_all(".kkn-exam__review-item")
    anna.find("[data-role=review] summary").send_keys("\n")
    anna.wait_text("[data-role=review-list]", "(rätt svar)")
    assert len(anna.find_all(".kkn-exam__review-item")) == 6 and "Förklaring" in anna.find("[data-role=review]").text
    assert not anna.find("[data-role=review-status]").is_displayed()
    assert not anna.axe_violations()
    anna.step("her answers opened")
    anna.find(".kkn-exam__certificate a.kkn-button").send_keys("\n")
    anna.wait_text("h1", "Certifikat")
    assert "This certifies that" in anna.body_text() and "Anna Lindqvist" in anna.body_text()
    assert not anna.axe_violations()  # the page is bilingual on purpose: no "English left" check here

    visitor = browsers("visitor")
    visitor.open("/kkn/intyg/")
    field = visitor.find("#kkn-verify-id")
    field.send_keys(code.lower().replace("-", " "))
    field.submit()
    visitor.wait_text("main", "Certifikatet är äkta och giltigt.")
    assert "Anna Lindqvist" in visitor.body_text()
    assert not visitor.axe_violations()
    field = visitor.find("#kkn-verify-id")
    field.clear()
    field.send_keys(code[:-1] + ("0" if code[-1] != "0" else "1"))
    field.submit()
    visitor.wait_text("main", "Id:t har ett skrivfel")
    assert visitor.find("#kkn-verify-id").get_attribute("aria-invalid") == "true"
    assert not visitor.axe_violations()
