"""Municipalities as the unit, in real browsers on the seminar series in the local preview.

Anna (culture) and Erik (business) of Ystad write their first module's development task together
in two browser sessions: Erik's save collides with Anna's and he is shown both texts, merges them
and saves; both approve and the task is submitted. Anna joins the contact list. Karin (staff)
opens the programme overview by municipality and its printable page. Every step is audited
(axe-core, English left in the Swedish UI, 375 px phone width): see conftest.
"""
from datetime import datetime, timezone

import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import SharedTaskRevision
from tests.conftest import Workbench
from tests.course_export.conftest import EXAMPLES

from .test_journey_in_preview import blocks, unit_of, usage_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOURCE = EXAMPLES / "kkn-seminarieserie"
DURING_SEMINAR_1 = datetime(2027, 5, 29, 9, 0, tzinfo=timezone.utc)
ANNA = ("Kulturförvaltningen i Ystad känner till ett fyrtiotal företag och föreningar inom musik, konst, "
        "film och hantverk. Många är små och drivs av en eller två personer. ") * 12
ERIK = ("Näringslivskontoret har kontakt med designföretag, två filmbolag och flera evenemangsarrangörer "
        "som inte finns på kulturens lista. ") * 10


def wait_text(browser, css, text):
    """``Browser.wait_text``, where the part holding ``css`` is re-rendered by the server's answer
    (an element found just before the swap goes stale: look again)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(driver):
        return text in driver.find_element("css selector", css).text

    WebDriverWait(browser.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(shown)


@pytest.fixture
def course(monkeypatch):
    from course_export.preview import views  # pylint: disable=import-outside-toplevel
    from course_export.source import read_course  # pylint: disable=import-outside-toplevel
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(SOURCE))
    monkeypatch.setitem(views._state, "loaded", None)  # pylint: disable=protected-access
    return read_course(SOURCE)


def test_two_managers_write_together_and_the_council_sees_the_programme(browsers, course, fake_clock):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    fake_clock.set(DURING_SEMINAR_1)
    module = blocks(course, "kkn_module")[0]
    meeting = blocks(course, "kkn_checkin")[0]
    module_page = f"/kurs/{unit_of(course, module.url_name)}/"
    meeting_page = f"/kurs/{unit_of(course, meeting.url_name)}/"
    anna, erik = browsers("anna"), browsers("erik")
    anna.open(module_page + "?student=student_1")  # loads the views (and the usages) of the course

    # Profiles, as the meeting's profile form saves them (the check-in tests drive that form).
    wb = Workbench()
    for user, role in (("student_1", "culture"), ("student_2", "business")):
        status, body = wb.post(usage_of(meeting.url_name), "save_profile",
                               {"region": "Skåne", "municipality": "Ystad", "role": role}, user=user)
        assert status == 200, body

    # 1. Both open the module; Anna saves first.
    anna.open(module_page + "?student=student_1")
    erik.open(module_page + "?student=student_2")
    assert "alla från Ystad ser och redigerar samma text" in anna.body_text()
    anna.step("shared task empty")
    anna.find("[data-role=shared-text]").send_keys(ANNA)
    anna.find("[data-role=shared-form] button[type=submit]").send_keys(Keys.ENTER)
    wait_text(anna, "[data-role=shared-status]", "Sparad som version 1.")
    anna.step("anna saved")

    # 2. Erik, still on the empty version, saves: refused, both texts shown, nothing lost.
    erik.find("[data-role=shared-text]").send_keys(ERIK)
    erik.find("[data-role=shared-form] button[type=submit]").send_keys(Keys.ENTER)
    wait_text(erik, "[data-role=shared-status]", "Anna Lindqvist sparade en ny version medan du skrev")
    assert erik.find("[data-role=shared-theirs]").get_attribute("value").strip() == ANNA.strip()
    assert erik.find("[data-role=shared-text]").get_attribute("value") == ERIK
    erik.step("conflict shows both texts")
    merged = ANNA.strip() + "\n\n" + ERIK.strip()
    erik.driver.execute_script("arguments[0].value = arguments[1];", erik.find("[data-role=shared-text]"), merged)
    erik.find("[data-role=shared-form] button[type=submit]").send_keys(Keys.ENTER)
    wait_text(erik, "[data-role=shared-status]", "Sparad som version 2.")
    erik.find("[data-action=shared-approve]").send_keys(Keys.ENTER)
    wait_text(erik, "[data-role=shared-status]", "Du har godkänt version 2.")
    erik.step("erik approved")

    # 3. Anna reloads, reads the history, approves: the task is submitted for both.
    anna.open(module_page + "?student=student_1")
    assert anna.find("[data-role=shared-text]").get_attribute("value") == merged
    anna.find("[data-action=shared-history]").send_keys(Keys.ENTER)
    anna.wait_text("[data-role=shared-history]", "Version 2: Erik Johansson")
    anna.find("[data-action=shared-approve]").send_keys(Keys.ENTER)
    wait_text(anna, "[data-role=shared-status]", "Alla roller som krävs har godkänt")
    anna.step("submitted together")
    assert [r for r in SharedTaskRevision.objects.values_list("version", "learner_key").order_by("version")] == [
        (1, "local:student_1"), (2, "local:student_2")]
    assert api.submitted_task("local:student_2", "kkn-kommunens-roll", module.fields["module_id"])[0] == merged

    # 4. Anna joins the contact list at the meeting, with her e-mail address.
    anna.open(meeting_page + "?student=student_1")
    anna.find("[data-role=contact-listed]").send_keys(Keys.SPACE)
    anna.find("[data-role=contact-email]").send_keys("anna.lindqvist@ystad.se")
    anna.find("[data-role=contact-form] button[type=submit]").send_keys(Keys.ENTER)
    wait_text(anna, "[data-role=contact-status]", "Du finns i kontaktytorna.")
    anna.find("[data-action=show-contacts]").send_keys(Keys.ENTER)
    wait_text(anna, "[data-role=contact-list]", "anna.lindqvist@ystad.se")
    anna.step("contact list")

    # 5. Karin opens the overview by municipality, filters by region, and its printable page.
    karin = browsers("karin")
    karin.open(meeting_page + "?student=staff")
    karin.find("[data-action=show-overview]").send_keys(Keys.ENTER)
    karin.wait_text("[data-role=overview-body]", "Ystad")
    body = karin.find("[data-role=overview-body]").text
    # Anna has not passed module 1's self-check yet, so the submitted task alone does not complete it.
    assert "Seminarium 1: Vad är KKN?" in body and "Anna Lindqvist (Kultur): 0 av 5 moduler" in body
    assert "Simrishamn (Skåne)" in body  # nobody registered there
    karin.step("overview")
    Select(karin.find("[data-role=overview-region]")).select_by_visible_text("Halland")
    karin.find("[data-action=show-overview]").send_keys(Keys.ENTER)
    karin.wait_text("[data-role=overview-body]", "Region: Halland.")
    assert "Ystad" not in karin.find("[data-role=overview-body]").text
    page = next(a for a in karin.find_all("a") if a.text == "Öppna som utskriftsvänlig sida").get_attribute("href")
    karin.open(page.replace(karin.base_url, ""))
    assert karin.find("h1").text == "Programöversikt per kommun" and "Ystad" in karin.body_text()
    Select(karin.find("select[name=region]")).select_by_visible_text("Skåne")
    karin.find("form.kkn-overview__filter button[type=submit]").send_keys(Keys.ENTER)
    wait_text(karin, "main", "Region: Skåne.")
    assert "Ystad" in karin.body_text() and "Varberg" not in karin.body_text()
    karin.step("printable overview")
