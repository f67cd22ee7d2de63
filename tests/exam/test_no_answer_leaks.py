"""Must hold: nothing a learner's browser receives gives away the answer key before the review
policy allows it. Every view is rendered and every handler called as a learner, in every phase of
the exam, and everything received is scanned for:

* option ids (the bank's ids say ``ratt-``/``fel-``; the browser must only ever see letters),
* explanations (``FÖRKLARING-``), right/wrong marks and "right answer" labels,
* the option order of a later attempt (it must not exist anywhere before that attempt starts).
"""
import json

import pytest
from django.core.exceptions import PermissionDenied

from kkn_xblocks.exam import CertificationExamBlock
from kkn_xblocks.records.models import Certificate

from .conftest import make_eligible, stored_attempt, wrong_answers

pytestmark = pytest.mark.django_db

HANDLERS = {"start", "save_answers", "submit", "review", "staff_panel", "accommodate", "revoke", "report_csv", "certificate",
            "verify", "verify_json", "studio_submit", "register_extract", "open_badge"}
KEY_MARKERS = ["ratt-", "fel-", "FÖRKLARING", "(rätt svar)", 'class="kkn-exam__right"', 'class="kkn-feedback--right"',
               'class="kkn-feedback--wrong"', 'class="kkn-exam__explanation"', '"correct"', "correct_ids",
               '"explanation"', "explanation_html"]


def as_text(value):
    """A JSON answer as scanned: its encoding (keys such as "correct") and every string in it
    decoded (HTML inside JSON has its quotes escaped in the encoding)."""
    strings = []

    def walk(node):
        if isinstance(node, dict):
            for key, item in node.items():
                strings.append(str(key))
                walk(item)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            strings.append(node)

    walk(value)
    return json.dumps(value, ensure_ascii=False) + "\n" + "\n".join(strings)


def everything_a_learner_gets(wb, usage, user="student_1"):
    """Every view and every handler's answer, as text, for ``user`` (no handler that would start,
    save or submit: those are called by the test at the right moment and scanned too)."""
    block = wb.block(usage, user)
    texts = {
        "student_view": wb.render(usage, user),
        "studio_view": refused_view(wb, usage, user, "studio_view"),
        "author_view": refused_view(wb, usage, user, "author_view"),
        "student_view_data": as_text(block.student_view_data()),
        "index_dictionary": as_text(block.index_dictionary()),
    }
    for handler, data in [
        ("staff_panel", {}),
        ("accommodate", {"learner_key": f"local:{user}", "extra_minutes": 9, "exempt": True, "reason": "x"}),
        ("revoke", {"code": "KKN-7Q4M-2HXD-9RTA-K3PB-M", "reason": "x"}),
        ("studio_submit", {"values": {}}),
    ]:
        texts[handler] = as_text(wb.post(usage, handler, data, user=user))
    for number in (1, 2):  # her answers to each attempt, asked for whether or not the page offers them
        texts[f"review/{number}"] = as_text(wb.post(usage, "review", {"attempt": number}, user=user))
    for handler in ("report_csv", "certificate"):
        texts[handler] = wb.get(usage, handler, user=user).content.decode()
    for form in ("json", "svg"):  # the Open Badges credential: her name and the certificate, no answer
        texts[f"open_badge/{form}"] = wb.get(usage, "open_badge", user=user, suffix=form).content.decode()
    texts["register_extract"] = wb.get(usage, "register_extract", user=user,
                                       query=f"learner_key=local:{user}&format=json").content.decode()
    code = Certificate.objects.values_list("code", flat=True).first() or "KKN-7Q4M-2HXD-9RTA-K3PB-M"
    texts["verify"] = wb.verify(code).content.decode()
    texts["verify_json"] = wb.verify(code, json=True).content.decode()
    for resource in ("js/kkn-exam.js", "js/kkn-common.js"):
        texts[resource] = wb.client.get(f"/resource/kkn_exam/public/{resource}").content.decode()
    return texts


def refused_view(wb, usage, user, view):
    """Views for authors refuse a learner with Django's PermissionDenied (a 403); its message is scanned."""
    with pytest.raises(PermissionDenied) as refusal:
        wb.render(usage, user, view=view)
    return str(refusal.value)


def assert_no_key(texts, phase):
    for name, text in texts.items():
        for marker in KEY_MARKERS:
            assert marker not in text, f"{phase}: {marker!r} in {name}"


def test_every_handler_is_scanned():
    handlers = {name for name in dir(CertificationExamBlock)
                if getattr(getattr(CertificationExamBlock, name), "_is_xblock_handler", False)}
    assert handlers == HANDLERS


def test_nothing_reveals_the_answer_key_before_the_review_policy_allows(wb, make_exam, monkeypatch):
    import random  # pylint: disable=import-outside-toplevel

    from kkn_xblocks import exam as exam_module  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(exam_module, "_RANDOM", random.Random(4))  # two attempts with surely different orders
    exam = make_exam(review_policy="answers_after_final", attempts_allowed=2)
    received = {}

    def scan(phase, **extra):
        texts = {**everything_a_learner_gets(wb, exam), **extra}
        assert_no_key(texts, phase)
        received.update({f"{phase}:{name}": text for name, text in texts.items()})

    scan("ineligible", start=as_text(wb.post(exam, "start", {})))
    make_eligible()
    scan("eligible")

    status, body = wb.post(exam, "start", {})
    assert status == 200
    first = stored_attempt()
    saved = wb.post(exam, "save_answers", {"attempt": 1, "answers": wrong_answers(first)})
    scan("first attempt open", start=as_text(body), save=as_text(saved))

    submitted = wb.post(exam, "submit", {"attempt": 1, "answers": wrong_answers(first)})
    assert submitted[0] == 200 and submitted[1]["passed"] is False
    scan("first attempt graded, one left", submit=as_text(submitted),
         replay=as_text(wb.post(exam, "submit", {"attempt": 1, "answers": {}})))

    status, body = wb.post(exam, "start", {})
    second = stored_attempt()
    assert second.number == 2
    scan("last attempt open", start=as_text(body))

    # The second attempt's order existed nowhere before it started: its letter-and-text pairs that
    # differ from the first attempt's appear in no earlier output.
    bank = {q["id"]: {o["id"]: o["text"] for o in q["options"]} for q in make_exam_bank()}
    first_order = {item["id"]: item["options"] for item in first.draw}
    before_second = "\n".join(text for name, text in received.items() if not name.startswith("last attempt"))
    differing = 0
    for item in second.draw:
        for index, (new, old) in enumerate(zip(item["options"], first_order[item["id"]])):
            if new != old:
                differing += 1
                pair = f'<span class="kkn-exam__letter">{"ABCDEFGHIJ"[index]}.</span> {bank[item["id"]][new]}'
                assert pair in received["last attempt open:start"]
                assert pair not in before_second.replace(received.get("last attempt open:start", ""), "")

    # Once she has used both attempts the policy allows the right answers: the scan would see them.
    status, body = wb.post(exam, "submit", {"attempt": 2, "answers": wrong_answers(second)})
    assert status == 200
    for number in (1, 2):
        status, review = wb.post(exam, "review", {"attempt": number})
        assert status == 200 and "FÖRKLARING-q1" in review["html"] and "(rätt svar)" in review["html"]
        for marker in ("ratt-", "fel-", '"correct"'):
            assert marker not in as_text(review) and marker not in as_text(body)  # ids and flags never, even now
    assert differing >= 3


def make_exam_bank():
    from .conftest import BANK  # pylint: disable=import-outside-toplevel
    return BANK


def test_the_shuffled_order_of_a_later_attempt_is_drawn_only_when_it_starts(wb, make_exam, monkeypatch):
    """The draw comes from the operating system's CSPRNG at the moment of the start; nothing seeds
    it from what the page shows."""
    import secrets  # pylint: disable=import-outside-toplevel

    from kkn_xblocks import exam as exam_module  # pylint: disable=import-outside-toplevel
    assert isinstance(exam_module._RANDOM, secrets.SystemRandom)  # pylint: disable=protected-access
    calls = []

    class Recorder(secrets.SystemRandom):
        def shuffle(self, x):
            calls.append(len(x))
            return super().shuffle(x)

    monkeypatch.setattr(exam_module, "_RANDOM", Recorder())
    exam = make_exam(attempts_allowed=3)
    make_eligible()
    wb.render(exam)
    assert calls == []
    wb.post(exam, "start", {})
    assert calls  # drawn now, and only now
    orders = set()
    for attempt in range(1, 3):
        row = stored_attempt()
        orders.add(json.dumps(row.draw))
        wb.post(exam, "submit", {"attempt": attempt, "answers": wrong_answers(row)})
        wb.post(exam, "start", {})
    assert len(orders) == 2
