"""A regional meeting in real browsers: the facilitator shows the code, participants scan or type it."""
import pytest
from workbench.scenarios import init_scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/scenario/kkn_checkin.0/"


@pytest.fixture
def scenarios():
    init_scenarios()  # the scenario's sessions are placed around "now"


def test_participants_check_in_with_the_facilitators_code(browsers, scenarios):
    from selenium.webdriver.support.ui import Select

    karin = browsers("staff")
    karin.open(PAGE + "?student=staff")
    Select(karin.find("[data-role=session-select]")).select_by_value("skane-2")
    karin.wait_text("[data-role=panel]", "Skåne – Malmö, Moriskan")
    karin.wait_text("[data-role=code-timer]", "Ny kod om")
    code = karin.find("[data-role=code]").text
    assert len(code.replace(" ", "")) == 6
    assert karin.find("[data-role=qr] svg").is_displayed()
    karin.step("facilitator shows the code")

    # Anna scans the QR code: the page opens with the code filled in; she answers the profile first.
    anna = browsers("anna")
    anna.open(PAGE + "?student=student_1&kkn_code=" + code.replace(" ", ""))
    assert anna.find("[data-role=code]").get_attribute("value") == code.replace(" ", "")
    anna.wait_text("[data-role=learner]", "Koden från QR-koden är ifylld.")
    Select(anna.find("[data-role=region]")).select_by_visible_text("Skåne")
    Select(anna.find("[data-role=municipality]")).select_by_visible_text("Lund")
    anna.find("input[value=culture]").click()
    anna.step("profile filled in")
    anna.find("[data-role=profile-form] button[type=submit]").click()
    anna.wait_text("[data-role=learner]", "Din profil har sparats.")  # the part is re-rendered by the server
    assert "Lund (Skåne), Kultur" in anna.find("[data-role=profile-summary]").text
    assert anna.find("[data-role=code]").get_attribute("value") == code.replace(" ", "")  # the scanned code stays
    anna.find("[data-role=checkin-form] button[type=submit]").click()
    anna.wait_text("[data-role=learner]", "Du är incheckad på Malmö, Moriskan. Välkommen!")
    assert "Närvarande" in anna.find("[data-role=records]").text
    assert not anna.find("[data-role=checkin-form]").is_displayed()
    anna.step("checked in")

    # Erik meets in Halland and types the Skåne code: refused, with the reason.
    erik = browsers("erik")
    erik.open(PAGE + "?student=student_2")
    Select(erik.find("[data-role=region]")).select_by_visible_text("Halland")
    Select(erik.find("[data-role=municipality]")).select_by_visible_text("Varberg")
    erik.find("input[value=business]").click()
    erik.find("[data-role=profile-form] button[type=submit]").click()
    erik.wait_text("[data-role=learner]", "Din profil har sparats.")
    erik.find("[data-role=code]").send_keys(code)
    erik.find("[data-role=checkin-form] button[type=submit]").click()
    erik.wait_text("[data-role=learner]", "Den koden gäller sessionen i Skåne")
    erik.step("other region refused")

    # The facilitator sees Anna on the Skåne roster, Lund flagged for its missing business manager.
    Select(karin.find("[data-role=session-select]")).select_by_value("halland-2")
    karin.wait_text("[data-role=panel]", "Halland – Varberg")
    Select(karin.find("[data-role=session-select]")).select_by_value("skane-2")
    karin.wait_text("[data-role=panel]", "Anna Lindqvist")
    assert "Lund: Näringsliv/Turism saknas" in karin.find("[data-role=roster]").text
    karin.step("roster with a flag")
