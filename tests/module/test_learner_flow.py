"""A learner takes a distance module: draft, task, self-check, completion, programme progress."""
import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import ModuleCompletion, ModuleSubmission

from .conftest import LONG_TEXT, RIGHT

pytestmark = pytest.mark.django_db


def test_the_module_shows_its_parts_in_swedish(wb, make_module):
    html = wb.render(make_module())
    for text in ["Modul 1 · 3 veckor", "Näringslivsutvecklarens roll och uppdrag", "Lärandemål",
                 "Kunskap från forskningen", "Inspiration från praktiken", "Din utvecklingsuppgift",
                 "Litteraturlista", "Självtest", "0 av 6 moduler klara", "Spara utkast"]:
        assert text in html, text
    assert "<strong>små kommuner</strong>" in html  # author Markdown rendered


def test_a_draft_is_kept_for_the_learner_only(wb, make_module):
    usage = make_module()
    status, body = wb.post(usage, "save_draft", {"text": "Mitt utkast om <kommunen>"})
    assert status == 200 and body["words"] == 4
    assert "Mitt utkast om &lt;kommunen&gt;" in wb.render(usage)
    assert "Mitt utkast" not in wb.render(usage, user="student_2")
    assert not ModuleSubmission.objects.exists()


def test_a_short_task_is_refused_and_nothing_is_stored(wb, make_module):
    usage = make_module()
    status, body = wb.post(usage, "submit_task", {"text": "för kort text"})
    assert status == 400
    assert body["error"] == "Skriv minst 30 ord innan du lämnar in (hittills 3)."
    assert not ModuleSubmission.objects.exists()


def test_task_and_self_check_complete_the_module_once(wb, make_module, published):
    usage = make_module()
    status, body = wb.post(usage, "submit_task", {"text": LONG_TEXT})
    assert status == 200 and body["complete"] is False  # rule needs the self-check too
    status, body = wb.post(usage, "check_answers", {"answers": {"q1": 0, "q2": 1}})
    assert status == 200 and body == {**body, "percent": 0, "passed": False, "complete": False}
    status, body = wb.post(usage, "check_answers", {"answers": RIGHT})
    assert status == 200 and body["passed"] and body["complete"]
    assert body["progress"]["text"] == "1 av 6 moduler klara"
    assert body["progress"]["completed"] == ["Näringslivsutvecklarens roll och uppdrag"]
    # Checking again neither adds a completion nor publishes it twice.
    wb.post(usage, "check_answers", {"answers": RIGHT})
    assert ModuleCompletion.objects.count() == 1
    assert [e for e in published if e[1] == "completion"] == [("student_1", "completion", {"completion": 1.0})]
    html = wb.render(usage)
    assert "Modulen är klar." in html and "1 av 6 moduler klara" in html


def test_the_best_self_check_result_counts(wb, make_module):
    usage = make_module(completion_rule="self_check")
    wb.post(usage, "check_answers", {"answers": RIGHT})
    status, body = wb.post(usage, "check_answers", {"answers": {"q1": 0, "q2": 1}})
    assert status == 200 and body["percent"] == 0
    assert wb.block(usage).self_check_best == 100
    assert ModuleCompletion.objects.count() == 1


def test_progress_spans_modules_and_course_runs(wb, make_module, published):
    first = make_module(completion_rule="task")
    second = make_module(module_id="modul-2", display_name="Modul två", completion_rule="task")
    wb.post(first, "submit_task", {"text": LONG_TEXT})
    status, body = wb.post(second, "submit_task", {"text": LONG_TEXT})
    assert body["progress"]["text"] == "2 av 6 moduler klara"
    # The same module placed in another course run: already complete there, and published there too.
    rerun = make_module(completion_rule="task")
    published.clear()
    html = wb.render(rerun)
    assert "Modulen är klar." in html
    assert published == [("student_1", "completion", {"completion": 1.0})]
    assert api.programme_progress("local:student_1", "kkn-naringslivsutvecklare", ["modul-1", "modul-2"]).done == 2


def test_anonymous_users_see_the_module_but_cannot_save(wb, make_module):
    usage = make_module()
    block = wb.block(usage, user=None)
    html = block.render("student_view", {}).body_html()
    assert "Logga in för att skriva och lämna in din uppgift." in html
    assert "Dina framsteg" not in html


def test_student_view_data_has_no_answer_key(wb, make_module):
    data = wb.block(make_module()).student_view_data()
    assert data["self_check"][0] == {"id": "q1", "text": "Vad står R10 för?",
                                     "options": ["En riksväg i Norrland", "Tio samverkande inlandskommuner", "En regional fond"]}
    assert "correct" not in str(data)
    assert data["task_min_words"] == 30 and data["weeks"] == 3


def test_rendered_page_has_no_answer_key(wb, make_module):
    html = wb.render(make_module())
    assert '"correct"' not in html and "correct:" not in html


def test_generate_report_data_reads_each_learners_state(wb, make_module):
    usage = make_module()
    wb.post(usage, "save_draft", {"text": "ett två tre"})
    wb.post(usage, "check_answers", {"answers": RIGHT}, user="student_2")
    block = wb.block(usage)

    class State:
        def __init__(self, username, state):
            self.username, self.state = username, state

    states = [State("anna", {"draft": "ett två tre"}), State("erik", {"self_check_best": 100.0, "self_check_tries": 1}),
              State("tom", {})]
    rows = list(block.generate_report_data(iter(states)))
    assert rows == [
        ("anna", {"Draft words": 3, "Self-check best (%)": None, "Self-check tries": 0}),
        ("erik", {"Draft words": 0, "Self-check best (%)": 100.0, "Self-check tries": 1}),
    ]
    assert len(list(block.generate_report_data(iter(states), limit_responses=1))) == 1


def test_index_dictionary_holds_the_searchable_text(wb, make_module):
    index = wb.block(make_module()).index_dictionary()
    assert index["content_type"] == "Distance module"
    assert "R10" in index["content"]["text"]
