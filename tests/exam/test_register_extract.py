"""The staff-only register extract in the exam's staff view (GDPR art. 15): one participant, this
programme, JSON or a Swedish document; learners and unknown keys get a translated refusal."""
import json

import pytest

from kkn_xblocks.records import api, privacy

from kkn_xblocks.records.models import Certificate

from .conftest import PROGRAMME, make_eligible, take

pytestmark = pytest.mark.django_db


def test_staff_download_a_participants_extract_as_json_and_as_a_document(wb, exam):
    make_eligible()
    api.submit_task("local:student_1", PROGRAMME, "modul-1", "Min utvecklingsuppgift om Testby.", 4)
    api.submit_task("local:student_1", "annat-program", "modul-1", "Hör inte hit.", 3)
    html = wb.render(exam, user="staff")
    assert "Registerutdrag" in html and "register_extract" in html

    response = wb.get(exam, "register_extract", user="staff", query="learner_key=local:student_1&format=json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert 'filename="registerutdrag-local_student_1.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["programme_id"] == PROGRAMME
    texts = [row["text"] for t in data["tables"] for row in t["rows"] if "text" in row]
    assert texts == ["Min utvecklingsuppgift om Testby."]

    response = wb.get(exam, "register_extract", user="staff", query="learner_key=local:student_1&format=document")
    document = response.content.decode("utf-8")
    assert response.status_code == 200 and document.startswith("# Registerutdrag ur programregistret")
    assert "Min utvecklingsuppgift om Testby." in document and "Hör inte hit." not in document


@pytest.mark.parametrize("user,query,status,message", [
    ("student_1", "learner_key=local:student_1&format=json", 403, "Bara kursens personal kan göra detta."),
    ("staff", "learner_key=local:nobody&format=json", 404, "Personen deltar inte i programmet"),
    ("staff", "learner_key=&format=json", 404, "Personen deltar inte i programmet"),
    ("staff", "learner_key=local:student_1&format=pdf", 400, "Välj utdraget som dokument eller som JSON."),
])
def test_everyone_else_gets_a_clear_refusal_and_no_data(wb, exam, user, query, status, message):
    make_eligible()
    api.submit_task("local:student_1", PROGRAMME, "modul-1", "Hemlig text.", 2)
    response = wb.get(exam, "register_extract", user=user, query=query)
    body = json.loads(response.content)
    assert (response.status_code, body) == (status, {"error": body["error"]}) and message in body["error"]


def test_after_retirement_the_public_verification_still_says_genuine_without_her_name(wb, exam):
    make_eligible()
    take(wb, exam)
    code = Certificate.objects.get().code
    api.retire_learner("local:student_1")
    verified = json.loads(wb.verify(code, json=True).content)
    assert verified == {"id": code, "status": "valid", "name": privacy.HOLDER_NAME_REMOVED,
                        "programme": "Certifierad näringslivsutvecklare", "issued": "2026-03-10"}
    html = wb.verify(code).content.decode()
    assert "Certifikatet är äkta och giltigt." in html and "Anna Lindqvist" not in html
    # The staff overview still counts her attempt and certificate, under no name of hers.
    staff = wb.render(exam, user="staff")
    assert code in staff and "Anna Lindqvist" not in staff and "1 deltagare i programmet." in staff
