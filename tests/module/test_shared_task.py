"""The shared development task of a municipality: one text, every save in the history, a version
check so that no save overwrites another unseen, approval by every required role, completion
credited to each participant, and nothing visible to or writable by another municipality."""
import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import ModuleCompletion, ModuleSubmission, SharedTask, SharedTaskRevision
from kkn_xblocks.scenarios.module import PROGRAMME

from .conftest import LONG_TEXT, RIGHT

pytestmark = pytest.mark.django_db

TEXT_A = "Anna: " + LONG_TEXT
TEXT_B = "Erik: " + LONG_TEXT


@pytest.fixture
def shared(make_module):
    """Module 1 with a shared task; Ystad: Anna (culture), Erik (business); Malmö: Maria (culture)."""
    api.save_profile("local:student_1", PROGRAMME, "Anna Lindqvist", "Ystad", "culture", "Skåne")
    api.save_profile("local:student_2", PROGRAMME, "Erik Johansson", "Ystad", "business", "Skåne")
    api.save_profile("local:student_3", PROGRAMME, "Maria Nilsson", "Malmö", "culture", "Skåne")
    return make_module(task_mode="municipality", completion_rule="task")


def save(wb, usage, user, text, version):
    return wb.post(usage, "shared_save", {"text": text, "version": version}, user=user)


def test_individual_tasks_stay_the_default(wb, make_module):
    usage = make_module()
    assert wb.block(usage).task_mode == "individual"
    html = wb.render(usage)
    assert 'data-role="task-form"' in html and 'data-role="shared-task"' not in html
    status, body = wb.post(usage, "shared_save", {"text": "x", "version": 0})
    assert status == 409 and body["error"] == "I den här modulen skriver varje deltagare sin uppgift själv."


def test_participants_of_a_municipality_see_and_edit_one_text(wb, shared):
    html = wb.render(shared, user="student_1")
    assert "alla från Ystad ser och redigerar samma text" in html and 'data-role="task-form"' not in html
    status, body = save(wb, shared, "student_1", TEXT_A, 0)
    assert status == 200 and body["version"] == 1 and body["message"] == "Sparad som version 1."
    assert TEXT_A in wb.render(shared, user="student_2")
    status, body = save(wb, shared, "student_2", TEXT_A + " Erik lade till.", 1)
    assert status == 200 and body["version"] == 2
    history = api.shared_task_history(PROGRAMME, "modul-1", "Ystad")
    assert [(r.version, r.name, r.text) for r in history] == [
        (1, "Anna Lindqvist", TEXT_A), (2, "Erik Johansson", TEXT_A + " Erik lade till.")]
    status, body = wb.post(shared, "shared_history", {}, user="student_1")
    assert status == 200
    assert "Version 2: Erik Johansson" in body["html"] and "Version 1: Anna Lindqvist" in body["html"]
    assert body["html"].index("Version 2") < body["html"].index("Version 1")  # newest first
    # The individual door is closed for a shared task.
    assert wb.post(shared, "submit_task", {"text": TEXT_A}, user="student_1")[0] == 409


def test_a_stale_save_is_refused_with_both_texts_and_writes_nothing(wb, shared):
    assert save(wb, shared, "student_1", TEXT_A, 0)[0] == 200
    status, body = save(wb, shared, "student_2", TEXT_B, 0)  # Erik started from the empty version
    assert status == 409 and body["conflict"] is True
    assert body["error"].startswith("Anna Lindqvist sparade en ny version medan du skrev")
    assert (body["your_text"], body["current_text"], body["version"]) == (TEXT_B, TEXT_A, 1)
    assert SharedTask.objects.get().text == TEXT_A
    assert SharedTaskRevision.objects.count() == 1
    merged = TEXT_A + "\n\n" + TEXT_B
    assert save(wb, shared, "student_2", merged, body["version"])[0] == 200
    assert SharedTask.objects.get().text == merged


def test_another_municipality_can_neither_read_nor_write(wb, shared):
    assert save(wb, shared, "student_1", TEXT_A, 0)[0] == 200
    html = wb.render(shared, user="student_3")
    assert "Anna:" not in html and "alla från Malmö" in html
    status, body = wb.post(shared, "shared_history", {"municipality": "Ystad"}, user="student_3")
    assert status == 200 and "Anna" not in body["html"] and "Malmö" in body["html"]
    # Maria's save, even naming Ystad's version, goes to Malmö's own task.
    status, body = save(wb, shared, "student_3", "Malmö: " + LONG_TEXT, 0)
    assert status == 200 and "Anna:" not in body["html"]
    assert dict(SharedTask.objects.values_list("municipality", "text")) == {
        "Ystad": TEXT_A, "Malmö": "Malmö: " + LONG_TEXT}
    assert wb.post(shared, "shared_approve", {"version": 1}, user="student_3")[0] == 200
    assert api.shared_task(PROGRAMME, "modul-1", "Ystad").approvals == ()


def test_a_participant_without_a_profile_is_told_what_to_do(wb, shared):
    html = wb.render(shared, user="olle")
    assert "Fyll först i din kommun, roll och region" in html
    status, body = save(wb, shared, "olle", TEXT_A, 0)
    assert status == 409 and "regionala träffar" in body["error"]
    assert not SharedTask.objects.exists()


def test_every_required_role_approves_then_each_participant_is_credited(wb, shared, published):
    api.save_profile("local:olle", PROGRAMME, "Olle Berg", "Ystad", "other", "Skåne")  # a third from Ystad
    assert save(wb, shared, "student_1", TEXT_A, 0)[0] == 200
    status, body = wb.post(shared, "shared_approve", {"version": 1}, user="student_1")
    assert status == 200 and body["submitted"] is False
    assert "Kultur: godkänd av Anna Lindqvist" in body["html"]
    assert "Näringsliv/Turism: inte godkänd ännu" in body["html"]
    # Erik edits: Anna's approval was for version 1 and no longer counts.
    assert save(wb, shared, "student_2", TEXT_B, 1)[0] == 200
    status, body = wb.post(shared, "shared_approve", {"version": 1}, user="student_2")
    assert status == 409 and "Texten har ändrats" in body["error"]
    assert wb.post(shared, "shared_approve", {"version": 2}, user="student_2")[1]["submitted"] is False
    status, body = wb.post(shared, "shared_approve", {"version": 2}, user="student_1")
    assert status == 200 and body["submitted"] is True and body["complete"] is True
    assert body["message"] == "Alla roller som krävs har godkänt: er kommuns uppgift är inlämnad."
    assert set(ModuleSubmission.objects.values_list("learner_key", "text")) == {
        ("local:student_1", TEXT_B), ("local:student_2", TEXT_B), ("local:olle", TEXT_B)}
    assert set(ModuleCompletion.objects.values_list("learner_key", flat=True)) == {
        "local:student_1", "local:student_2", "local:olle"}
    # Erik's runtime completion is published when he next opens the module.
    assert 'data-role="complete" role="status">' in wb.render(shared, user="student_2")
    assert any(user == "student_2" and kind == "completion" for user, kind, _data in published)
    # Submitted: the text is locked.
    status, body = save(wb, shared, "student_2", "ändrat", 2)
    assert status == 409 and "redan inlämnad" in body["error"]


def test_with_a_self_check_each_participant_completes_when_she_has_passed_too(wb, make_module):
    usage = make_module(task_mode="municipality")  # task_and_self_check
    api.save_profile("local:student_1", PROGRAMME, "Anna Lindqvist", "Ystad", "culture", "Skåne")
    api.save_profile("local:student_2", PROGRAMME, "Erik Johansson", "Ystad", "tourism", "Skåne")
    assert wb.post(usage, "check_answers", {"answers": RIGHT}, user="student_2")[0] == 200
    assert save(wb, usage, "student_1", TEXT_A, 0)[0] == 200
    wb.post(usage, "shared_approve", {"version": 1}, user="student_2")
    status, body = wb.post(usage, "shared_approve", {"version": 1}, user="student_1")
    assert body["submitted"] is True and body["complete"] is False  # Anna has not passed the self-check
    assert 'data-role="complete" role="status">' in wb.render(usage, user="student_2")
    assert list(ModuleCompletion.objects.values_list("learner_key", flat=True)) == ["local:student_2"]


def test_approving_needs_the_minimum_words(wb, shared):
    assert save(wb, shared, "student_1", "För kort.", 0)[0] == 200
    status, body = wb.post(shared, "shared_approve", {"version": 1}, user="student_1")
    assert status == 400 and "Texten har 2 ord" in body["error"]


def test_staff_see_every_municipality_and_its_history(wb, shared):
    assert save(wb, shared, "student_1", TEXT_A, 0)[0] == 200
    html = wb.render(shared, user="staff")
    assert "Kursledare: gemensamma uppgifter per kommun" in html and "Visa historiken för Ystad" in html
    status, body = wb.post(shared, "shared_history", {"municipality": "Ystad"}, user="staff")
    assert status == 200 and "Version 1: Anna Lindqvist" in body["html"] and "Anna:" in body["html"]


def test_the_shared_task_fields_round_trip_and_are_edited_in_studio(wb, make_module):
    from lxml import etree
    from kkn_xblocks.studio import value_to_text

    block = wb.block(make_module(task_mode="municipality", task_roles=["culture", "tourism"]))
    node = etree.Element("root")
    block.add_xml_to_node(node)
    reparsed = wb.block(wb.load(etree.tostring(node, encoding="unicode")))
    assert (reparsed.task_mode, reparsed.task_roles) == ("municipality", ["culture", "tourism"])

    usage = make_module()
    editor = wb.block(usage, user="staff")
    assert "Vem som skriver utvecklingsuppgiften" in editor.render("studio_view", {}).body_html()
    values = {spec.name: value_to_text(spec, getattr(editor, spec.name)) for spec in editor.author_fields}
    values.update({"task_mode": "municipality", "task_roles": "Kultur\nbusiness/tourism"})
    assert wb.post(usage, "studio_submit", {"values": values}, user="staff") == (200, {"result": "success"})
    assert (wb.block(usage).task_mode, wb.block(usage).task_roles) == ("municipality", ["culture", "business/tourism"])
    values["task_roles"] = "chef"
    status, body = wb.post(usage, "studio_submit", {"values": values}, user="staff")
    assert status == 400 and "task_roles" in body["field_errors"]
