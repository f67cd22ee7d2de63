"""The authors' summaries (``author_view``, what Studio shows on the unit page) in a real browser:
Swedish, accessible (axe, WCAG 2.1 AA), readable on a phone; the self-check's answers open on demand."""
import pytest
from workbench.scenarios import init_scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scenarios():
    init_scenarios()


def test_the_three_author_views_pass_the_browser_checks(browsers, scenarios):
    karin = browsers("karin")
    for block in ("kkn_module", "kkn_checkin", "kkn_exam"):
        karin.open(f"/scenario/{block}.0/author_view/?student=staff")
        assert "Ingenting sparas i Studio." in karin.body_text()
        karin.step(f"{block} author view")

    karin.open("/scenario/kkn_module.0/author_view/?student=staff")
    part = karin.find(".kkn-author__part summary")
    part.click()
    karin.step("a part opened")
    assert "(rätt svar)" in karin.body_text()
