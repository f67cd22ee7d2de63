"""Bad input to the module's handlers: a clear, translated 4xx, never a 500, and nothing changed."""
import json

import pytest

from kkn_xblocks.records.models import ModuleCompletion, ModuleSubmission, Participation

from .conftest import LONG_TEXT

pytestmark = pytest.mark.django_db

LEARNER_HANDLERS = ["save_draft", "submit_task", "check_answers"]


def stored_state(wb, usage):
    block = wb.block(usage)
    return (
        block.draft, block.self_check_answers, block.self_check_best, block.self_check_tries,
        ModuleSubmission.objects.count(), ModuleCompletion.objects.count(), Participation.objects.count(),
    )


@pytest.fixture
def usage(wb, make_module):
    usage = make_module()
    wb.post(usage, "save_draft", {"text": "utkast som ska finnas kvar"})
    return usage


@pytest.mark.parametrize("handler", LEARNER_HANDLERS + ["staff_report", "studio_submit"])
@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "\"text\"", "", "\xff\xfe"])
def test_malformed_bodies_get_a_translated_400(wb, usage, handler, raw):
    before = stored_state(wb, usage)
    status, body = wb.post(usage, handler, raw=raw)
    assert status == 400
    assert body["error"] == "Anropet kunde inte läsas. Ladda om sidan och försök igen."
    assert stored_state(wb, usage) == before


@pytest.mark.parametrize("handler, data, message", [
    ("save_draft", {"text": 42}, "Fältet ”text” måste vara text."),
    ("save_draft", {}, "Fältet ”text” måste vara text."),
    ("submit_task", {"text": ["en", "lista"]}, "Fältet ”text” måste vara text."),
    ("check_answers", {"answers": [1, 0]}, "Fältet ”answers” måste vara ett objekt."),
    ("check_answers", {"answers": {"q1": 1}}, "Besvara alla frågor innan du rättar dina svar."),
    ("check_answers", {"answers": {"q1": 1, "q2": 0, "q9": 0}}, "De här frågorna finns inte i självtestet: q9."),
    ("check_answers", {"answers": {"q1": 7, "q2": 0}}, "Svaret på fråga q1 är inte ett av dess alternativ."),
    ("check_answers", {"answers": {"q1": "1", "q2": 0}}, "Svaret på fråga q1 är inte ett av dess alternativ."),
    ("check_answers", {"answers": {"q1": True, "q2": 0}}, "Svaret på fråga q1 är inte ett av dess alternativ."),
])
def test_wrong_types_and_values_get_a_translated_400(wb, usage, handler, data, message):
    before = stored_state(wb, usage)
    status, body = wb.post(usage, handler, data)
    assert (status, body["error"]) == (400, message)
    assert stored_state(wb, usage) == before


def test_oversized_text_is_refused(wb, usage):
    before = stored_state(wb, usage)
    status, body = wb.post(usage, "submit_task", {"text": "ord " * 25_000})  # 100 kB
    assert status == 400
    assert body["error"] == "Fältet ”text” är för långt: högst 50000 tecken, men det var 100000."
    status, body = wb.post(usage, "save_draft", raw=json.dumps({"text": "x" * 300_000}))
    assert status == 413 and body["error"] == "Anropet är för stort. Korta texten och försök igen."
    assert stored_state(wb, usage) == before


def test_a_get_is_refused_with_405(wb, usage):
    response = wb.get(usage, "submit_task")
    assert response.status_code == 405
    assert json.loads(response.content)["error"] == "Den här adressen tar bara emot POST-anrop."


def test_learners_cannot_use_staff_handlers(wb, usage):
    wb.post(usage, "submit_task", {"text": LONG_TEXT}, user="student_2")
    status, body = wb.post(usage, "staff_report", {})
    assert (status, body["error"]) == (403, "Bara kursens personal kan göra detta.")
    response = wb.get(usage, "report_csv")
    assert response.status_code == 403
    assert "student_2" not in response.content.decode()


def test_anonymous_users_cannot_save(wb, usage):
    status, body = wb.post(usage, "save_draft", {"text": "hej"}, user="")
    assert status in (400, 403)
    status, body = wb.post(usage, "submit_task", {"text": LONG_TEXT}, user="")
    assert status in (400, 403)
    assert not ModuleSubmission.objects.exists()


def test_a_module_without_self_check_refuses_answers(wb, make_module):
    usage = make_module(self_check=[], completion_rule="task")
    status, body = wb.post(usage, "check_answers", {"answers": {}})
    assert (status, body["error"]) == (409, "Modulen har inget självtest.")


def test_learners_cannot_edit_the_block(wb, usage):
    """The workbench lets anyone write fields, so the block checks who asks: a learner gets a 403
    before her values are even read."""
    before = wb.block(usage).display_name
    status, body = wb.post(usage, "studio_submit", {"values": {"display_name": 5}})
    assert (status, body["error"]) == (403, "Bara kursteamet, med rätt att redigera kursen i Studio, kan se eller "
                                            "ändra blockets inställningar.")
    assert "field_errors" not in body and wb.block(usage).display_name == before
