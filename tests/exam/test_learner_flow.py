"""A learner's way through the exam, in the real workbench runtime: eligibility, attempts, grades,
review and the certificate."""
import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kkn_xblocks.records import api
from kkn_xblocks.records.models import Certificate, ExamAttempt, Participation

from .conftest import (BANK, MODULES, PROGRAMME, make_eligible, minutes, review_html, right_answers, start,
                       stored_attempt, take, wrong_answers)

pytestmark = pytest.mark.django_db


def grades(published):
    return [data for _user, kind, data in published if kind == "grade"]


def test_an_ineligible_learner_sees_exactly_what_is_missing(wb, make_exam):
    exam = make_exam(module_links={"modul-2": "https://example.org/kkn"})
    api.record_completion("local:student_1", PROGRAMME, "modul-1", "1")
    html = wb.render(exam)
    assert "Innan du kan göra provet" in html
    assert "Gör klart de här modulerna:" in html
    assert '<a href="https://example.org/kkn">KKN</a>' in html
    assert "<li>Företagsfrämjande system</li>" in html and "Näringslivsutvecklarens roll" not in html
    assert "Du har deltagit i 0 av 1 regional träff som krävs. Det behövs 1 till." in html
    assert 'data-action="start"' not in html
    api.check_in("local:student_1", PROGRAMME, "traff-1", "s", "late")
    html = wb.render(exam)
    assert "regional träff som krävs" in html and "Det behövs" not in html


def test_in_the_lms_missing_modules_link_by_their_id(wb, exam, monkeypatch):
    from kkn_xblocks.exam import CertificationExamBlock
    monkeypatch.setattr(CertificationExamBlock, "course_key_str", "course-v1:KKN+NLU+2026")
    html = wb.render(exam)
    assert '<a href="/courses/course-v1:KKN+NLU+2026/jump_to_id/modul-3">Företagsfrämjande system</a>' in html


def test_the_eligibility_check_takes_the_same_queries_for_any_number_of_modules(wb, make_exam):
    counts = []
    for modules in (MODULES, [f"modul-{i}" for i in range(1, 61)]):
        block = wb.block(make_exam(required_modules=modules, module_titles={}))
        make_eligible(modules=modules)
        person = block.person
        with CaptureQueriesContext(connection) as queries:
            eligibility = block._eligibility(person, api.accommodation_for(person.key, PROGRAMME, "slutprov"))
        assert eligibility.eligible
        # The workbench reads block fields from its own table; the record's queries are what count.
        counts.append(sum("kkn_records" in q["sql"] for q in queries.captured_queries))
    assert counts == [3, 3]  # her accommodation, her modules, her meetings


def test_starting_draws_stores_and_shows_the_questions(wb, exam, fake_clock):
    make_eligible()
    status, body = wb.post(exam, "start", {})
    assert status == 200 and body["resumed"] is False
    row = stored_attempt()
    assert (row.number, row.status, row.started_at) == (1, "open", fake_clock())
    assert row.deadline == fake_clock() + minutes(30)
    assert sorted(item["id"] for item in row.draw) == sorted(q["id"] for q in BANK)
    html = body["html"]
    assert "Försök 1" in html and "Tid kvar" in html and 'data-seconds-left="1800"' in html
    assert html.count('class="kkn-question"') == 5
    assert "Fråga <strong>q1</strong>?" in html and 'type="checkbox"' in html and 'type="radio"' in html
    assert "Provet stänger 2026-03-10 10:30." in html
    assert Participation.objects.filter(learner_key="local:student_1", name="Anna Lindqvist").exists()


def test_a_second_start_resumes_the_same_attempt(wb, exam):
    make_eligible()
    first = start(wb, exam)
    status, body = wb.post(exam, "start", {})
    assert status == 200 and body["resumed"] is True
    assert ExamAttempt.objects.count() == 1 and stored_attempt().draw == first.draw


def test_answers_are_saved_as_option_ids_and_shown_again(wb, exam, fake_clock):
    make_eligible()
    row = start(wb, exam)
    answers = right_answers(row)
    fake_clock.advance(minutes=3)
    status, body = wb.post(exam, "save_answers", {"attempt": 1, "answers": answers})
    assert status == 200
    assert body == {"saved_text": "Dina svar sparades 2026-03-10 10:03.", "answered": 5, "seconds_left": 27 * 60}
    row.refresh_from_db()
    assert row.answers == {item["id"]: [o for o in item["options"] if o.startswith("ratt-")] for item in row.draw}
    html = wb.render(exam)
    assert html.count(" checked") == 6  # five questions, one of them with two right options
    assert "Dina svar sparades 2026-03-10 10:03." in html


def test_submitting_grades_on_the_server_and_publishes_the_raw_share(wb, exam, published):
    make_eligible()
    status, body, row = take(wb, exam)
    assert status == 200 and body["passed"] is True
    assert body["message"] == "Ditt försök är inlämnat. Du är godkänd."
    assert (row.status, row.earned, row.possible, row.passed, row.submitted_by) == ("submitted", 6, 6, True, "learner")
    assert grades(published) == [{"value": 1.0, "max_value": 1.0, "only_if_higher": True}]
    block = wb.block(exam)
    assert block.max_score() == 1.0 and block.get_score() == (1.0, 1.0) and block.weight == 2.0
    assert "6 av 6 poäng (100 %)" in body["html"] and "Försök 1: godkänt" in body["html"]


def test_the_best_attempt_counts_and_a_worse_one_never_lowers_the_grade(wb, make_exam, published):
    exam = make_exam(attempts_allowed=3, pass_percent=100)
    make_eligible()

    def most_right(row):
        answers = right_answers(row)
        answers["q1"] = wrong_answers(row)["q1"]
        return answers

    take(wb, exam, most_right)  # 5 of 6
    take(wb, exam, wrong_answers)  # 0 of 6
    assert [g["value"] for g in grades(published)] == [pytest.approx(5 / 6)]
    block = wb.block(exam)
    assert block.raw_earned == pytest.approx(5 / 6)
    assert block.calculate_score().raw_earned == pytest.approx(5 / 6)
    html = wb.render(exam)
    assert "Försök 2: inte godkänt" in html and "Försök 1: inte godkänt" in html
    assert grades(published) == [{"value": pytest.approx(5 / 6), "max_value": 1.0, "only_if_higher": True}]
    block.set_score(type(block.get_score())(0.1, 1.0))  # a rescore can never lower it either
    assert block.raw_earned == pytest.approx(5 / 6)


def test_passing_while_eligible_issues_one_certificate(wb, exam, fake_clock):
    make_eligible()
    take(wb, exam)
    certificate = Certificate.objects.get()
    assert (certificate.learner_key, certificate.name, certificate.programme_title) == (
        "local:student_1", "Anna Lindqvist", "Certifierad näringslivsutvecklare")
    assert certificate.issued_at == fake_clock() and certificate.expires_at == fake_clock().replace(year=2028)
    assert certificate.attempt_id == stored_attempt().pk
    html = wb.render(exam)
    assert certificate.code in html and "Ditt certifikat" in html and "Giltigt" in html
    assert "Du är godkänd på provet. Det finns inget mer att göra." in html
    assert Certificate.objects.count() == 1


def test_a_pass_without_eligibility_waits_for_it(wb, exam):
    make_eligible()
    take(wb, exam)
    Certificate.objects.all().delete()
    from kkn_xblocks.records.models import Attendance
    Attendance.objects.update(status="absent")  # staff corrected her attendance after the exam
    html = wb.render(exam)
    assert "Ditt certifikat utfärdas så snart du uppfyller kraven nedan." in html
    assert not Certificate.objects.exists()
    Attendance.objects.update(status="present")
    assert "Ditt certifikat" in wb.render(exam) and Certificate.objects.count() == 1


def test_a_failed_attempt_leaves_the_next_one_open(wb, exam):
    make_eligible()
    status, body, row = take(wb, exam, wrong_answers)
    assert body["passed"] is False
    assert body["message"] == "Ditt försök är inlämnat. Du nådde inte gränsen för godkänt den här gången."
    assert "1 försök kvar av 2." in body["html"] and 'data-action="start"' in body["html"]
    assert not Certificate.objects.exists()


def test_time_up_while_away_grades_the_saved_answers_on_the_next_view(wb, exam, fake_clock, published):
    make_eligible()
    row = start(wb, exam)
    wb.post(exam, "save_answers", {"attempt": 1, "answers": right_answers(row)})
    fake_clock.advance(minutes=45)
    html = wb.render(exam)
    row.refresh_from_db()
    assert (row.status, row.submitted_by, row.earned, row.submitted_at) == ("submitted", "deadline", 6, fake_clock())
    assert "Tiden tog slut; dina sparade svar rättades." in html
    assert grades(published) == [{"value": 1.0, "max_value": 1.0, "only_if_higher": True}]
    assert Certificate.objects.count() == 1


def test_extra_time_moves_the_deadline_of_the_attempt_in_progress(wb, exam, fake_clock):
    make_eligible()
    start(wb, exam)
    status, _body = wb.post(exam, "accommodate", {"learner_key": "local:student_1", "extra_minutes": 15,
                                                  "exempt": False, "reason": "Intyg om dyslexi"}, user="staff")
    assert status == 200
    assert stored_attempt().deadline == fake_clock() + minutes(45)
    fake_clock.advance(minutes=40)
    status, body = wb.post(exam, "save_answers", {"attempt": 1, "answers": {}})
    assert status == 200 and body["seconds_left"] == 5 * 60
    html = wb.render(exam)
    assert "Kursledningen har gett dig 15 minuter extra." in html


def test_extra_time_is_added_when_an_attempt_starts(wb, exam, fake_clock):
    make_eligible()
    api.grant_extra_time("local:student_1", PROGRAMME, "slutprov", 10, "Intyg", "local:staff", "Karin")
    start(wb, exam)
    assert stored_attempt().deadline == fake_clock() + minutes(40)


def test_an_exemption_lets_an_ineligible_learner_start(wb, exam):
    api.join_programme("local:student_2", PROGRAMME, "Erik Johansson")
    status, body = wb.post(exam, "accommodate", {"learner_key": "local:student_2", "extra_minutes": 0,
                                                  "exempt": True, "reason": "Validerad tidigare utbildning"},
                           user="staff")
    assert status == 200
    html = wb.render(exam, user="student_2")
    assert "Kursledningen har gett dig undantag från kraven för provet." in html and 'data-action="start"' in html
    status, body, _row = take(wb, exam, user="student_2")
    assert status == 200 and Certificate.objects.get().learner_key == "local:student_2"


def test_a_wait_between_attempts_is_shown_and_kept(wb, make_exam, fake_clock):
    exam = make_exam(wait_minutes_between_attempts=60)
    make_eligible()
    take(wb, exam, wrong_answers)
    html = wb.render(exam)
    assert "Du kan starta ditt nästa försök 2026-03-10 11:00." in html and 'data-action="start"' not in html
    fake_clock.advance(minutes=60)
    assert 'data-action="start"' in wb.render(exam)


def test_no_time_limit_means_no_timer(wb, make_exam):
    exam = make_exam(time_limit_minutes=0)
    make_eligible()
    row = start(wb, exam)
    assert row.deadline is None
    html = wb.render(exam)
    assert "Det finns ingen tidsgräns." in html and 'data-role="timer"' not in html and 'data-seconds-left=""' in html


@pytest.mark.parametrize("policy, after_first, after_last", [
    ("score_only", set(), set()),
    ("right_after_attempt", {"right"}, {"right"}),
    ("right_after_final", set(), {"right"}),
    ("answers_after_attempt", {"right", "answers"}, {"right", "answers"}),
    ("answers_after_final", set(), {"right", "answers"}),
])
def test_the_review_policy_decides_what_is_shown_and_when(wb, make_exam, policy, after_first, after_last):
    exam = make_exam(review_policy=policy, attempts_allowed=2)
    make_eligible()

    def shown(html):
        """What the page shows and its reviews show once opened: none of it is in the page itself."""
        assert "Rätt." not in html and "Inte rätt." not in html and "FÖRKLARING-" not in html
        answers = review_html(wb, exam, html)
        found = set()
        if "Visa dina svar" in html and ("Rätt." in answers or "Inte rätt." in answers):
            found.add("right")
        if "(rätt svar)" in answers or "FÖRKLARING-" in answers:
            found.add("answers")
        return found

    _status, body, _row = take(wb, exam, wrong_answers)
    assert shown(body["html"]) == after_first
    assert shown(wb.render(exam)) == after_first
    if after_first != after_last:
        assert "när du är godkänd eller har använt alla försök" in body["html"]
    _status, body, _row = take(wb, exam, wrong_answers)
    assert shown(body["html"]) == after_last
    assert "6 av 6" not in body["html"] and "0 av 6 poäng (0 %)" in body["html"]


def test_anonymous_visitors_see_the_rules_only(wb, exam):
    html = wb.render(exam, user="")
    assert "Om provet" in html and "Logga in för att göra provet." in html
    assert 'data-action="start"' not in html and "Innan du kan" not in html


def test_a_broken_bank_is_not_offered(wb, make_exam):
    exam = make_exam(questions=[{"id": "q1", "type": "single", "text": "?", "options": []}])
    make_eligible()
    html = wb.render(exam)
    assert "Provet är inte färdigt ännu. Meddela kursledningen." in html and 'data-action="start"' not in html
    staff_html = wb.render(exam, user="staff")
    assert "Frågebanken kan inte användas: Fråga q1: en fråga behöver 2 till 10 alternativ." in staff_html


def test_report_data_comes_from_each_learners_mirror(wb, exam):
    make_eligible()
    take(wb, exam)
    block = wb.block(exam)
    code = Certificate.objects.get().code

    class State:
        def __init__(self, username, state):
            self.username, self.state = username, state

    states = [State("anna", {"summary": {"attempts": 1, "best_percent": 100, "passed": True, "certificate": code}}),
              State("erik", {}), State("maria", {"summary": {"attempts": 2, "best_percent": 40, "passed": False}})]
    rows = list(block.generate_report_data(iter(states)))
    assert rows == [
        ("anna", {"Attempts": 1, "Best score (%)": 100, "Passed": True, "Certificate": code}),
        ("maria", {"Attempts": 2, "Best score (%)": 40, "Passed": False, "Certificate": ""}),
    ]
    assert list(block.generate_report_data(iter(states), limit_responses=1)) == rows[:1]
    assert wb.block(exam).summary == {"attempts": 1, "best_percent": 100, "passed": True, "certificate": code}


def test_start_reads_her_record_once(wb, exam):
    """The start handler reads her attempts, accommodation and certificate once and reuses them for
    the page it answers with (starting changes only her attempts)."""
    make_eligible()
    with CaptureQueriesContext(connection) as captured:
        assert wb.post(exam, "start", {}, user="student_1")[0] == 200
    assert stored_attempt("student_1").number == 1
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("kkn_records_examaccommodation", "kkn_records_certificate"):
        assert sum(f'FROM "{table}"' in sql or f"FROM `{table}`" in sql for sql in reads) == 1, table
    # start_attempt inserts without a read of its own: the number is free in what was read above.
    assert sum('FROM "kkn_records_examattempt"' in sql for sql in reads) == 1


def test_submit_reads_her_record_once(wb, exam):
    """The submit handler reads her attempts, accommodation and certificate once: the page it answers
    with shows the attempt as the submit closed it (graded, in the list of her results)."""
    make_eligible()
    row = start(wb, exam)
    with CaptureQueriesContext(connection) as captured:
        status, body = wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})
    assert status == 200 and body["passed"]
    assert stored_attempt("student_1").status == "submitted"
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("kkn_records_examattempt", "kkn_records_examaccommodation"):
        assert sum(f'FROM "{table}"' in sql for sql in reads) == 1, table
    page = wb.render(exam)  # read afresh from the record
    assert body["html"].count('class="kkn-exam__result"') == page.count('class="kkn-exam__result"') == 1
    assert "100 %" in body["html"] and "100 %" in page


def test_author_text_is_escaped_in_the_questions_and_the_review(wb, make_exam):
    """The questions and the review are built without the template engine: option texts are shown as
    written (escaped), question texts as sanitised Markdown, labels in Swedish."""
    from kkn_xblocks.exam_rules import usable_bank
    bank = copy.deepcopy(BANK)
    bank[0]["options"][0]["text"] = 'Tio <img src=x onerror="alert(1)"> & "tre"'
    bank[0]["text"] = "Fråga <script>alert(1)</script> om **kommuner**"
    exam = make_exam(questions=bank, review_policy="answers_after_attempt", shuffle=False)
    assert usable_bank(bank) is not None
    make_eligible()
    row = start(wb, exam)
    html = wb.render(exam)
    submitted = wb.post(exam, "submit", {"attempt": row.number, "answers": right_answers(row)})[1]["html"]
    for page in (html, submitted):
        assert "<img src=x" not in page and "<script>" not in page
    assert "Tio &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;tre&quot;" in html
    assert "<strong>kommuner</strong>" in html
    assert "Fråga 1" in html and "(1 poäng; " in html
    review = review_html(wb, exam, wb.render(exam))
    assert "Tio &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;tre&quot;" in review
    assert "<script>" not in review and "<strong>kommuner</strong>" in review
    assert "(ditt svar)" in review and "(rätt svar)" in review and "Förklaring" in review and "Rätt." in review


def test_the_review_marks_the_right_options_after_the_author_deleted_one(wb, make_exam):
    """q1 is drawn as right, wrong, wrong (no shuffle); the author then deletes the first wrong option.
    The review shows the two options left with their letters from her attempt, and marks her
    answer and the right one on the options they belong to."""
    exam = make_exam(review_policy="answers_after_attempt", attempts_allowed=1, shuffle=False)
    make_eligible()
    row = start(wb, exam)
    answers = right_answers(row)
    answers["q1"] = ["C"]  # "En fond": wrong
    assert wb.post(exam, "submit", {"attempt": row.number, "answers": answers})[0] == 200
    block = wb.block(exam)
    edited = copy.deepcopy(BANK)
    edited[0]["options"] = [o for o in edited[0]["options"] if o["id"] != "fel-q1-0"]  # "En riksväg"
    block.questions = edited
    block.save()
    review = review_html(wb, exam, wb.render(exam))
    q1 = review[review.index("Fråga <strong>q1</strong>?"):]
    q1 = q1[:q1.index("</ul>")]
    assert "Inte rätt." in q1
    assert '<li>A. Tio inlandskommuner <strong class="kkn-exam__right">(rätt svar)</strong></li>' in q1
    assert "<li>C. En fond <strong>(ditt svar)</strong></li>" in q1
    assert "En riksväg" not in q1 and q1.count("<li>") == 2
