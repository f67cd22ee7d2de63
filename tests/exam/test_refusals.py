"""Every refusal is a clear Swedish message with the right status, and nothing changes."""
import json

import pytest
from django.core.exceptions import PermissionDenied

from kkn_xblocks.records import api
from kkn_xblocks.records.models import Certificate, ExamAccommodation, ExamAttempt

from .conftest import PROGRAMME, make_eligible, right_answers, start, stored_attempt, take, wrong_answers

pytestmark = pytest.mark.django_db


def snapshot():
    return (list(ExamAttempt.objects.order_by("pk").values()), list(Certificate.objects.values()),
            list(ExamAccommodation.objects.values()))


def test_a_submit_after_the_deadline_is_refused_and_the_saved_answers_count(wb, exam, fake_clock, published):
    make_eligible()
    row = start(wb, exam)
    saved = wrong_answers(row)
    wb.post(exam, "save_answers", {"attempt": 1, "answers": saved})
    fake_clock.advance(minutes=30, seconds=6)  # past the deadline and the 5-second grace
    status, body = wb.post(exam, "submit", {"attempt": 1, "answers": right_answers(row)})
    assert status == 409
    assert body["error"] == ("Tiden tog slut 2026-03-10 10:30. De svar som var sparade då har lämnats in; "
                             "senare ändringar togs inte emot.")
    assert "Försök 1: inte godkänt" in body["html"]
    row.refresh_from_db()
    assert (row.status, row.submitted_by, row.earned, row.passed) == ("submitted", "deadline", 0, False)
    assert row.answers == {qid: [row.draw[[i["id"] for i in row.draw].index(qid)]["options"]["ABCDEFGHIJ".index(
        letters[0])]] for qid, letters in saved.items()}
    assert not Certificate.objects.exists()
    assert [d["value"] for _u, kind, d in published if kind == "grade"] == [0.0]


def test_a_save_after_the_deadline_is_refused_the_same_way(wb, exam, fake_clock):
    make_eligible()
    row = start(wb, exam)
    fake_clock.advance(minutes=31)
    status, body = wb.post(exam, "save_answers", {"attempt": 1, "answers": right_answers(row)})
    assert status == 409 and body["error"].startswith("Tiden tog slut 2026-03-10 10:30.")
    row.refresh_from_db()
    assert (row.status, row.answers, row.earned) == ("submitted", {}, 0)


def test_within_the_grace_seconds_a_last_save_still_counts(wb, exam, fake_clock):
    make_eligible()
    row = start(wb, exam)
    fake_clock.advance(minutes=30, seconds=4)
    status, body = wb.post(exam, "submit", {"attempt": 1, "answers": right_answers(row)})
    assert status == 200 and body["passed"] is True


def test_a_replayed_submit_changes_nothing(wb, exam, published):
    make_eligible()
    status, _body, row = take(wb, exam, wrong_answers, user="student_1")
    before = snapshot()
    status, body = wb.post(exam, "submit", {"attempt": 1, "answers": right_answers(row)})
    assert status == 409
    assert body["error"] == "Det här försöket är redan inlämnat. Inget har ändrats."
    status, body = wb.post(exam, "save_answers", {"attempt": 1, "answers": right_answers(row)})
    assert (status, body["error"]) == (409, "Det här försöket är redan inlämnat. Inget har ändrats.")
    assert snapshot() == before
    assert len([1 for _u, kind, _d in published if kind == "grade"]) == 1


def test_answers_to_questions_outside_the_draw_are_refused(wb, make_exam):
    exam = make_exam(draw_count=2)
    make_eligible()
    row = start(wb, exam)
    outside = sorted({"q1", "q2", "q3", "q4", "q5"} - {item["id"] for item in row.draw})[0]
    for handler in ("save_answers", "submit"):
        status, body = wb.post(exam, handler, {"attempt": 1, "answers": {**right_answers(row), outside: ["A"]}})
        assert status == 400
        assert body["error"] == f"Dessa frågor ingår inte i ditt försök: {outside}. Ladda om sidan."
    row.refresh_from_db()
    assert (row.status, row.answers) == ("open", {})


@pytest.mark.parametrize("answers, message", [
    ({"q1": "A"}, "måste vara en lista med bokstäverna för alternativen"),
    ({"q1": ["Z"]}, "är inte ett av dess alternativ"),
    ({"q1": ["A", "B"]}, "har bara ett svar"),
])
def test_malformed_answers_are_refused(wb, exam, answers, message):
    make_eligible()
    start(wb, exam)
    status, body = wb.post(exam, "submit", {"attempt": 1, "answers": answers})
    assert status == 400 and message in body["error"]
    assert stored_attempt().status == "open"


def test_a_start_while_ineligible_is_refused_with_what_is_missing(wb, exam):
    api.record_completion("local:student_1", PROGRAMME, "modul-2", "1")
    status, body = wb.post(exam, "start", {})
    assert status == 403
    assert body["error"] == ("Du kan inte starta provet ännu. Gör först klart de här modulerna: "
                             "Näringslivsutvecklarens roll, Företagsfrämjande system. Delta i 1 regional träff till.")
    assert not ExamAttempt.objects.exists()


def test_a_start_beyond_the_attempts_allowed_is_refused(wb, exam):
    make_eligible()
    take(wb, exam, wrong_answers)
    take(wb, exam, wrong_answers)
    before = snapshot()
    status, body = wb.post(exam, "start", {})
    assert status == 409 and body["reason"] == "no_attempts_left"
    assert body["error"] == "Du har använt alla 2 försök."
    assert snapshot() == before


def test_a_start_after_passing_or_during_the_wait_is_refused(wb, make_exam, fake_clock):
    exam = make_exam(wait_minutes_between_attempts=10, attempts_allowed=5)
    make_eligible()
    take(wb, exam, wrong_answers)
    status, body = wb.post(exam, "start", {})
    assert (status, body["reason"]) == (409, "wait")
    assert body["error"] == "Du kan starta ditt nästa försök 2026-03-10 10:10."
    fake_clock.advance(minutes=10)
    take(wb, exam)
    fake_clock.advance(minutes=10)
    status, body = wb.post(exam, "start", {})
    assert (status, body["error"]) == (409, "Du är godkänd på provet. Det finns inget mer att göra.")
    assert ExamAttempt.objects.count() == 2


def test_an_attempt_that_is_not_hers_is_not_found(wb, exam):
    make_eligible()
    make_eligible("student_2")
    start(wb, exam, user="student_2")
    status, body = wb.post(exam, "save_answers", {"attempt": 1, "answers": {}})
    assert (status, body["error"]) == (404, "Du har inget sådant försök. Ladda om sidan.")
    status, body = wb.post(exam, "submit", {"attempt": "1", "answers": {}})
    assert (status, body["error"]) == (400, "Fältet ”attempt” måste vara ett heltal.")


def test_learners_cannot_use_staff_handlers(wb, exam):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    before = snapshot()
    for handler, data in [
        ("staff_panel", {}),
        ("accommodate", {"learner_key": "local:student_1", "extra_minutes": 600, "exempt": True, "reason": "x"}),
        ("revoke", {"code": code, "reason": "x"}),
    ]:
        status, body = wb.post(exam, handler, data)
        assert (status, body["error"]) == (403, "Bara kursens personal kan göra detta."), handler
    response = wb.get(exam, "report_csv")
    assert response.status_code == 403 and code not in response.content.decode()
    assert snapshot() == before


def test_learners_cannot_see_or_change_the_bank(wb, exam):
    message = "Bara kursteamet, med rätt att redigera kursen i Studio, kan se eller ändra blockets inställningar."
    for view in ("studio_view", "author_view"):
        with pytest.raises(PermissionDenied) as refusal:
            wb.render(exam, view=view)
        assert str(refusal.value) == message
    status, body = wb.post(exam, "studio_submit", {"values": {"questions": "? q1\nA?\n* x\n- y"}})
    assert (status, body["error"]) == (403, message)
    assert len(wb.block(exam).questions) == 5


def test_anonymous_users_cannot_start(wb, exam):
    status, body = wb.post(exam, "start", {}, user="")
    assert status == 403
    assert not ExamAttempt.objects.exists()


def test_malformed_requests_get_a_translated_400_and_gets_a_405(wb, exam):
    status, body = wb.post(exam, "submit", raw="{nej")
    assert (status, body["error"]) == (400, "Anropet kunde inte läsas. Ladda om sidan och försök igen.")
    status, body = wb.post(exam, "submit", raw=json.dumps([1, 2]))
    assert status == 400
    assert wb.get(exam, "start").status_code == 405


def test_a_broken_bank_refuses_a_start(wb, make_exam):
    exam = make_exam(questions=[{"id": "q1", "text": "Saknar alternativ"}])
    make_eligible()
    status, body = wb.post(exam, "start", {})
    assert (status, body["error"]) == (409, "Provet är inte färdigt ännu. Meddela kursledningen.")


@pytest.mark.parametrize("typed, status, message", [
    ("KKN-7Q4M-2HXD-9RTA-K3PB-N", 400, "Id:t har ett skrivfel: det sista tecknet stämmer inte. Jämför varje tecken "
                                       "med certifikatet."),
    ("KKN-7Q4M-2HXD", 400, "Ett certifikat-id består av KKN och 17 bokstäver och siffror, till exempel "
                           "KKN-7Q4M-2HXD-9RTA-K3PB-M. Kontrollera att du har skrivit hela id:t."),
    ("KKN-7Q4M-2HXD-9RTA-K3PU-M", 400, "Ett certifikat-id har bara bokstäver och siffror (inget U). Ta bort dessa: U."),
    ("", 400, "Skriv certifikatets id, till exempel KKN-7Q4M-2HXD-9RTA-K3PB-M."),
    ("KKN-7Q4M-2HXD-9RTA-K3PB-M", 404, "Det finns inget certifikat med id KKN-7Q4M-2HXD-9RTA-K3PB-M. Jämför med "
                                       "certifikatet; stämmer id:t är certifikatet inte äkta."),
])
def test_forged_or_mistyped_certificate_ids_get_a_clear_answer(wb, exam, typed, status, message):
    make_eligible()
    take(wb, exam)
    if typed:
        response = wb.verify(typed, json=True)
        assert response.status_code == status
        assert json.loads(response.content) == {"status": "malformed" if status == 400 else "unknown",
                                                "message": message}
        page = wb.verify(typed)
        assert page.status_code == status and message in page.content.decode()
    else:  # the page itself, with its empty form
        page = wb.verify(typed)
        assert page.status_code == 200 and 'name="id" value=""' in page.content.decode()
    assert "Anna" not in page.content.decode()
    status_code, body = wb.post(exam, "revoke", {"code": typed, "reason": "Test"}, user="staff")
    assert (status_code, body["error"]) == (status, message if status == 400 else
                                            "Programmet har inget certifikat med id KKN-7Q4M-2HXD-9RTA-K3PB-M.")
    assert Certificate.objects.get().revoked_at is None


def test_staff_refusals_explain_and_change_nothing(wb, exam):
    make_eligible()
    before = snapshot()
    cases = [
        ({"learner_key": "local:nobody", "extra_minutes": 5, "exempt": False, "reason": "x"}, 400,
         "Personen deltar inte i programmet. Ladda om sidan."),
        ({"learner_key": "local:student_1", "extra_minutes": 5, "exempt": False, "reason": "  "}, 400,
         "Skriv skälet. Det sparas med beslutet."),
        ({"learner_key": "local:student_1", "extra_minutes": 0, "exempt": False, "reason": "x"}, 409,
         "Inget att ändra: deltagaren har redan exakt detta."),
        ({"learner_key": "local:student_1", "extra_minutes": 5000, "exempt": False, "reason": "x"}, 400,
         "Fältet ”extra_minutes” måste vara mellan 0 och 1440."),
        ({"learner_key": "local:student_1", "extra_minutes": "5", "exempt": False, "reason": "x"}, 400,
         "Fältet ”extra_minutes” måste vara ett heltal."),
    ]
    for data, status, message in cases:
        got_status, body = wb.post(exam, "accommodate", data, user="staff")
        assert (got_status, body["error"]) == (status, message)
    assert snapshot() == before


def test_revoking_twice_keeps_the_first_reason(wb, exam):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    assert wb.post(exam, "revoke", {"code": code.lower(), "reason": "Fusk"}, user="staff")[0] == 200
    status, body = wb.post(exam, "revoke", {"code": code, "reason": "Annat"}, user="staff")
    assert (status, body["error"]) == (409, f"Certifikatet {code} är redan återkallat. Inget har ändrats.")
    assert Certificate.objects.get().revoked_reason == "Fusk"


def test_verification_only_answers_get(wb):
    response = wb.client.post("/kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-M/json/", data="{}",
                              content_type="application/json")
    assert response.status_code == 405
