"""The certificate as an Open Badges credential, as the learner and an employer meet it: the
learner downloads it from her certificate page (JSON and a baked SVG badge), an independent
verifier (didkit) accepts it, the public check page says whether it is genuine, unchanged and
unrevoked, and a retired learner's certificate gets no new credential."""
import base64
import json

import pytest
from django.core.cache import cache
from django.test import Client

from kkn_xblocks.records import api, credentials
from kkn_xblocks.records import openbadges as ob
from kkn_xblocks.records.models import BadgeCredential, Certificate

from ..credentials_verifier import independent_errors
from .conftest import make_eligible, take

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def issuer(settings, tmp_path):
    settings.KKN_OPEN_BADGES = {
        "ISSUER_NAME": "Region Exempel", "KEY_DIR": str(tmp_path / "keys"), "BASE_URL": "http://testserver",
        "DID_METHOD": "key", "CREATE_KEY": True,
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certified(wb, exam):
    make_eligible()
    take(wb, exam)
    return Certificate.objects.get()


def download(wb, exam, suffix, user="student_1"):
    return wb.get(exam, "open_badge", user=user, suffix=suffix)


def test_the_credential_is_issued_with_the_certificate(certified):
    stored = BadgeCredential.objects.get(certificate=certified)
    assert stored.learner_key == certified.learner_key
    assert independent_errors(stored.token) == []


def test_the_learner_downloads_her_credential_and_a_verifier_accepts_it(wb, exam, certified):
    page = wb.get(exam, "certificate").content.decode()
    assert "Ditt certifikat som digitalt intyg" in page and "open_badge/json" in page

    response = download(wb, exam, "json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert ob.holder_name(document) == certified.name
    assert "Certifiering i utbildningen" in document["credentialSubject"]["achievement"]["description"]
    assert "Certification in the programme" in document["credentialSubject"]["achievement"]["description"]
    token = document["proof"]["jwt"]
    assert independent_errors(token) == []

    achievement = document["credentialSubject"]["achievement"]
    resolved = Client().get(achievement["id"].replace("http://testserver", ""))
    assert resolved.status_code == 200 and resolved.json() == achievement  # the id resolves

    svg = download(wb, exam, "svg")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert ob.token_from_svg(svg.content.decode()) == token


def test_only_her_own_credential(wb, exam, certified):  # pylint: disable=unused-argument
    assert download(wb, exam, "json", user="student_2").status_code == 404
    assert download(wb, exam, "nonsense").status_code == 404


def check(text=None, upload=None):
    data = {"credential": text or ""}
    if upload is not None:
        data["file"] = upload
    return Client().post("/kkn/intyg/kontrollera/", data)


def test_the_check_page_answers_genuine_tampered_and_revoked(wb, exam, certified):
    assert Client().get("/kkn/intyg/kontrollera/").status_code == 200
    document = json.loads(download(wb, exam, "json").content)
    token = document["proof"]["jwt"]

    answer = check(json.dumps(document))
    assert answer.status_code == 200
    assert "Intyget är äkta, oförändrat och giltigt" in answer.content.decode()
    assert certified.name in answer.content.decode()

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Någon Annan"
    forged = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode(), signature])
    answer = check(forged).content.decode()
    assert "Intyget är inte äkta" in answer and "Någon Annan" not in answer

    from django.core.files.uploadedfile import SimpleUploadedFile  # pylint: disable=import-outside-toplevel
    baked = SimpleUploadedFile("intyg.svg", download(wb, exam, "svg").content, content_type="image/svg+xml")
    assert "Intyget är äkta, oförändrat och giltigt" in check(upload=baked).content.decode()

    assert api.revoke_certificate(certified.code, certified.programme_id, "staff", "Karin Berg", "Fel")
    assert "men det har återkallats" in check(token).content.decode()
    number = int(document["credentialStatus"]["statusListCredential"].rstrip("/").rsplit("/", 1)[-1])
    served = Client().get(f"/kkn/intyg/status/{number}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/vc+jwt"
    assert independent_errors(served.content.decode()) == []
    listed = ob.read_token(served.content.decode()).credential["credentialSubject"]["encodedList"]
    assert ob.status_bit(listed, int(document["credentialStatus"]["statusListIndex"])) is True


def test_a_status_list_no_certificate_sits_in_is_a_404(certified):  # pylint: disable=unused-argument
    assert Client().get("/kkn/intyg/status/1/").status_code == 200
    for number in (0, 2, 10**20):
        assert Client().get(f"/kkn/intyg/status/{number}/").status_code == 404


def test_bad_input_on_the_check_page_is_a_clear_400():
    for text in ["", "inte ett intyg", "{\"proof\": 1}", "a.b.c"]:
        answer = check(text)
        assert answer.status_code == 400
        assert "intyg" in answer.content.decode()


def test_the_did_web_document_lists_the_keys(settings):
    settings.KKN_OPEN_BADGES = {**settings.KKN_OPEN_BADGES, "DID_METHOD": "web"}
    credentials.current_key(credentials.issuer_config())
    document = Client().get("/kkn/issuer/did.json").json()
    assert document["id"] == "did:web:testserver:kkn:issuer"
    assert len(document["verificationMethod"]) == 1 and "d" not in document["verificationMethod"][0]["publicKeyJwk"]


def test_after_retirement_no_new_credential_is_issued(wb, exam, certified):
    BadgeCredential.objects.all().delete()  # as if she had never downloaded one
    api.retire_learner(certified.learner_key)
    assert not BadgeCredential.objects.exists()
    assert credentials.credential_of(certified.code, api.AchievementTexts("x", "y", "z")) is None
    assert download(wb, exam, "json").status_code == 404


def test_retirement_removes_the_stored_credential(certified):
    assert BadgeCredential.objects.filter(certificate=certified).exists()
    api.retire_learner(certified.learner_key)
    assert not BadgeCredential.objects.exists()
    assert Certificate.objects.filter(pk=certified.pk).exists()
