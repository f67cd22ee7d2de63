"""A learner completes a distance module in a real browser: task, self-check, progress."""
import pytest
from workbench.scenarios import init_scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = ("I min kommun finns ett näringslivskontor med två personer. Kulturförvaltningen och turistbyrån "
        "arbetar var för sig, och företagen vet inte vart de ska vända sig. Den största luckan är en gemensam "
        "ingång för företag inom kulturella och kreativa näringar.")


@pytest.fixture
def scenarios():
    init_scenarios()


def test_a_learner_completes_a_module_with_the_keyboard(browsers, scenarios):
    from selenium.webdriver.common.keys import Keys

    anna = browsers("anna")
    anna.open("/scenario/kkn_module.0/?student=student_1")
    assert "0 av 6 moduler klara" in anna.body_text()
    anna.step("module opened")

    textarea = anna.find("textarea[data-role=task-text]")
    textarea.send_keys("för kort")
    anna.find("form[data-role=task-form] button[type=submit]").click()
    anna.wait_text("[data-role=task-status]", "Skriv minst 30 ord")
    anna.step("too short")

    textarea.clear()
    textarea.send_keys(TEXT)
    anna.find("[data-action=save-draft]").click()
    anna.wait_text("[data-role=task-status]", "Utkastet är sparat.")
    anna.find("form[data-role=task-form] button[type=submit]").click()
    anna.wait_text("[data-role=task-status]", "Din uppgift är inlämnad.")
    anna.step("task submitted")

    # The self-check, with the keyboard alone: arrows choose a radio option, Enter submits.
    first = anna.find("input[name$=-q1]")
    first.send_keys(Keys.SPACE)
    first.send_keys(Keys.ARROW_DOWN)
    second = anna.find("input[name$=-q2]")
    second.send_keys(Keys.SPACE)
    second.send_keys(Keys.ENTER)
    anna.wait_text("[data-role=check-status]", "Du klarade självtestet")
    anna.wait_text("[data-role=progress-text]", "1 av 6 moduler klara")
    assert anna.find("[data-role=complete]").is_displayed()
    # The programme's list marks this module done at once; the others stay listed, not done.
    anna.wait_text("li[data-module=modul-1] [data-role=module-state]", "klar")
    assert anna.find("li[data-module=modul-2] [data-role=module-state]").text == "inte klar"
    anna.step("self-check passed")

    # Reload: the record, not the page, says the module is complete.
    anna.open("/scenario/kkn_module.0/?student=student_1")
    assert "Modulen är klar." in anna.body_text() and "1 av 6 moduler klara" in anna.body_text()

    staff = browsers("staff")
    staff.open("/scenario/kkn_module.0/?student=staff")
    assert "Anna Lindqvist" in staff.find(".kkn-staff").text
    staff.step("staff report")
