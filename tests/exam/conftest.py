import copy
import re
from datetime import timedelta

import pytest
from workbench.runtime import WorkbenchRuntime

from kkn_xblocks.records import api
from kkn_xblocks.records.models import ExamAttempt
from kkn_xblocks.scenarios import block_element, scenario

PROGRAMME = "kkn-prov"
MODULES = ["modul-1", "modul-2", "modul-3"]


def question(qid, topic, right, wrong, qtype="single", points=1, explanation=""):
    """A bank question whose option ids say which is right (``ratt-``/``fel-``): the leak test
    looks for those ids, which must never reach a learner's browser."""
    options = [{"id": f"ratt-{qid}-{i}", "text": text, "correct": True} for i, text in enumerate(right)]
    options += [{"id": f"fel-{qid}-{i}", "text": text, "correct": False} for i, text in enumerate(wrong)]
    return {"id": qid, "type": qtype, "text": f"Fråga **{qid}**?", "options": options, "points": points,
            "explanation": explanation or f"FÖRKLARING-{qid}: så här ligger det till.", "topic": topic}


BANK = [
    question("q1", "modul-1", ["Tio inlandskommuner"], ["En riksväg", "En fond"]),
    question("q2", "modul-1", ["Sant"], ["Falskt"], qtype="truefalse"),
    question("q3", "modul-2", ["Kulturchefen", "Turismchefen"], ["Skolchefen"], qtype="multiple", points=2),
    question("q4", "modul-2", ["Forskning, praktik och utvecklingsarbete"], ["Tentamen", "Uppsats"]),
    question("q5", "modul-3", ["16 veckor"], ["4 veckor", "Ett år"]),
]
# Answers as letters of each question's options in the drawn order: computed from the stored draw.

EXAM = {
    "display_name": "Slutprov",
    "programme_id": PROGRAMME,
    "programme_title": "Certifierad näringslivsutvecklare",
    "exam_id": "slutprov",
    "required_modules": MODULES,
    "module_titles": {"modul-1": "Näringslivsutvecklarens roll", "modul-2": "KKN", "modul-3": "Företagsfrämjande system"},
    "min_meetings": 1,
    "introduction": "Slutprovet **avslutar** utbildningen.",
    "questions": BANK,
    "draw_count": 0,
    "balance_topics": False,
    "shuffle": True,
    "time_limit_minutes": 30,
    "attempts_allowed": 2,
    "wait_minutes_between_attempts": 0,
    "pass_percent": 80,
    "review_policy": "answers_after_final",
    "certificate_valid_months": 24,
    "weight": 2.0,
}


@pytest.fixture
def make_exam(wb, fake_clock):  # pylint: disable=unused-argument
    """Load a kkn_exam with EXAM's fields, overridden by keyword; return its usage id."""

    def make(**overrides):
        root = wb.load(scenario(block_element("kkn_exam", {**copy.deepcopy(EXAM), **overrides})))
        return wb.child_ids(root)[0]

    return make


@pytest.fixture
def exam(make_exam):
    return make_exam()


@pytest.fixture
def published(monkeypatch):
    events = []

    def publish(_runtime, block, event_type, event_data):
        events.append((block.scope_ids.user_id, event_type, event_data))

    monkeypatch.setattr(WorkbenchRuntime, "publish", publish)
    return events


def make_eligible(user="student_1", modules=MODULES, meetings=1, programme=PROGRAMME):
    key = f"local:{user}"
    api.join_programme(key, programme, {"student_1": "Anna Lindqvist", "student_2": "Erik Johansson"}.get(user, user))
    for module_id in modules:
        api.record_completion(key, programme, module_id, "1", module_title=module_id)
    for i in range(meetings):
        api.check_in(key, programme, f"traff-{i}", f"s-{i}", "present")
    return key


def stored_attempt(user="student_1", number=None):
    rows = ExamAttempt.objects.filter(learner_key=f"local:{user}")
    if number is not None:
        rows = rows.filter(number=number)
    return rows.order_by("-number").first()


def letters_for(attempt_row, choose):
    """The letters that pick, in each drawn question, the options ``choose(option_id)`` likes."""
    return {
        item["id"]: ["ABCDEFGHIJ"[i] for i, oid in enumerate(item["options"]) if choose(oid)]
        for item in attempt_row.draw
    }


def right_answers(attempt_row):
    return letters_for(attempt_row, lambda oid: oid.startswith("ratt-"))


def wrong_answers(attempt_row):
    """One wrong option per question."""
    answers = {}
    for item in attempt_row.draw:
        index = next(i for i, oid in enumerate(item["options"]) if oid.startswith("fel-"))
        answers[item["id"]] = ["ABCDEFGHIJ"[index]]
    return answers


def start(wb, usage, user="student_1"):
    status, body = wb.post(usage, "start", {}, user=user)
    assert status == 200, body
    return stored_attempt(user)


def take(wb, usage, answers_of=right_answers, user="student_1"):
    """Start, answer and submit one attempt; return (status, body, the stored attempt)."""
    row = start(wb, usage, user)
    status, body = wb.post(usage, "submit", {"attempt": row.number, "answers": answers_of(row)}, user=user)
    row.refresh_from_db()
    return status, body, row


def minutes(n):
    return timedelta(minutes=n)


def reviews(wb, usage, html, user="student_1"):
    """Her answers to each attempt the page offers to open, as the ``review`` handler gives them
    when she opens them: ``{attempt number: (status, body)}``."""
    numbers = [int(n) for n in re.findall(r'data-role="review" data-attempt="(\d+)"', html)]
    return {number: wb.post(usage, "review", {"attempt": number}, user=user) for number in numbers}


def review_html(wb, usage, html, user="student_1"):
    """Everything the reviews the page offers show, as one text (what she sees opening them all)."""
    return "\n".join(body["html"] for status, body in reviews(wb, usage, html, user).values() if status == 200)
