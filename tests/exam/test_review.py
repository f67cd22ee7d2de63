"""Her answers to a submitted attempt are loaded when she opens them (the ``review`` handler), not
sent with every page and every submit: only her own submitted attempts, only as far as the review
policy shows them now, and nothing written."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import make_eligible, reviews, start, take, wrong_answers

pytestmark = pytest.mark.django_db


def test_the_page_offers_her_answers_and_loads_them_when_opened(wb, make_exam):
    exam = make_exam(review_policy="answers_after_attempt", attempts_allowed=2)
    make_eligible()
    _status, body, _row = take(wb, exam, wrong_answers)
    page = wb.render(exam)
    for html in (body["html"], page):
        assert '<details class="kkn-exam__review" data-role="review" data-attempt="1">' in html
        assert "Visa dina svar" in html and "kkn-exam__review-item" not in html and "FÖRKLARING" not in html
    with CaptureQueriesContext(connection) as captured:
        (status, answer), = reviews(wb, exam, page).values()
    assert status == 200 and answer["html"].count('<li class="kkn-exam__review-item">') == 5
    assert "Inte rätt." in answer["html"] and "(ditt svar)" in answer["html"] and "FÖRKLARING-q1" in answer["html"]
    written = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
    assert written == []  # read-only: no transaction, nothing written


def test_only_her_own_submitted_attempts(wb, make_exam):
    exam = make_exam(review_policy="answers_after_attempt", attempts_allowed=2)
    make_eligible()
    take(wb, exam, wrong_answers)
    start(wb, exam)  # her second attempt is open
    assert wb.post(exam, "review", {"attempt": 1})[0] == 200
    for user, number in (("student_1", 2), ("student_1", 3), ("student_2", 1)):
        status, body = wb.post(exam, "review", {"attempt": number}, user=user)
        assert status == 404 and body == {"error": "Du har inget inlämnat försök med det numret. Ladda om sidan."}
    assert wb.post(exam, "review", {"attempt": 1}, user="")[0] == 403  # no one signed in
    status, body = wb.post(exam, "review", {"attempt": "1"})
    assert status == 400 and "attempt" in body["error"]


def test_the_policy_holds_her_answers_back_until_she_has_finished(wb, make_exam):
    exam = make_exam(review_policy="answers_after_final", attempts_allowed=2)
    make_eligible()
    _status, body, _row = take(wb, exam, wrong_answers)
    assert 'data-role="review"' not in body["html"]  # nothing offered yet
    status, refused = wb.post(exam, "review", {"attempt": 1})
    assert status == 403 and refused == {"error": "Dina svar på det här försöket visas inte ännu. Ladda om sidan."}
    _status, body, _row = take(wb, exam, wrong_answers)  # her last attempt: now both are shown
    assert set(reviews(wb, exam, body["html"])) == {1, 2}
    assert all(status == 200 and "(rätt svar)" in answer["html"]
               for status, answer in reviews(wb, exam, body["html"]).values())
