"""The browser checks themselves fail when they should (so a green journey means something)."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_PAGE = ("data:text/html;charset=utf-8,<html><body><div class='kkn'><img src='x.png'>"
            "<button style='height:20px'>Save draft</button><p>This module is complete.</p>"
            "<div style='width:900px'>bred</div></div></body></html>")


def test_each_check_reports_its_problem(browsers):
    page = browsers("bad")
    page.driver.get(BAD_PAGE)
    with pytest.raises(AssertionError) as failure:
        page.step("bad page")
    message = str(failure.value)
    for expected in ["image-alt", "html-has-lang", "This module is complete", "Save draft",
                     "phone overflow px", "phone small targets"]:
        assert expected in message, expected
