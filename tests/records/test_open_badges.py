"""Open Badges 3.0 credentials, checked by a verifier this project did not write (didkit, the
SpruceID verifiable-credentials library): valid ones pass, tampered or foreign ones fail, and a
revocation shows in the status list the credential points at."""
import base64
import json
import re
import stat
from datetime import datetime, timezone

import pytest
from django.core.management import call_command

from kkn_xblocks.records import api, credentials
from kkn_xblocks.records import openbadges as ob
from kkn_xblocks.records.models import BadgeCredential

from ..credentials_verifier import independent_errors

WHEN = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
TEXTS = credentials.AchievementTexts(
    name="Certifierad näringslivsutvecklare",
    description="Certifiering i programmet Näringslivsutvecklare. / Certification in the programme.",
    criteria="Alla moduler och godkänd slutexamen. / Every module and a passed final exam.",
)


def reencode(token, change):
    """The token with its payload changed by ``change(claims)`` and the old signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    change(claims)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


@pytest.fixture
def issuer(settings, tmp_path):
    settings.KKN_OPEN_BADGES = {
        "ISSUER_NAME": "Region Exempel", "ISSUER_URL": "https://region.example.se",
        "ISSUER_EMAIL": "kkn@region.example.se", "KEY_DIR": str(tmp_path / "keys"),
        "BASE_URL": "https://lms.example.se", "DID_METHOD": "key",
    }
    call_command("kkn_issuer_key")
    return settings.KKN_OPEN_BADGES


def certificate(db, learner="1", name="Anna Lindqvist"):  # pylint: disable=unused-argument
    record, _created = api.issue_certificate(learner, "nlu", "Näringslivsutvecklare", name, when=WHEN)
    return record


def test_the_key_is_a_private_file_outside_the_database(issuer, db):  # pylint: disable=unused-argument
    files = list(credentials.issuer_config().key_dir.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert '"d"' in files[0].read_text()


def test_a_credential_verifies_with_an_independent_verifier(issuer, db):  # pylint: disable=unused-argument
    record = certificate(db)
    credential, token = credentials.credential_of(record.code, TEXTS)
    assert independent_errors(token) == []
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert ob.OB_CONTEXT in credential["@context"]
    assert credential["id"] == f"https://lms.example.se/kkn/intyg/{record.code}/"
    assert credential["issuanceDate"] == "2026-06-01T10:00:00Z"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == TEXTS.name and achievement["criteria"]["narrative"] == TEXTS.criteria
    assert credentials.check_presented(token).finding == credentials.Finding.VALID


def test_the_same_credential_every_time(issuer, db):  # pylint: disable=unused-argument
    record = certificate(db)
    first = credentials.credential_of(record.code, TEXTS)[1]
    assert credentials.credential_of(record.code, TEXTS)[1] == first
    assert BadgeCredential.objects.count() == 1


def test_a_certificate_issued_with_texts_gets_its_credential_at_once(issuer, db):  # pylint: disable=unused-argument
    """The exam issues the credential with the certificate, from the row in hand: the stored credential
    is the one ``credential_of`` gives, and it verifies; an existing certificate issues nothing."""
    record, created = api.issue_certificate("1", "nlu", "Näringslivsutvecklare", "Anna Lindqvist", when=WHEN,
                                            credential_texts=TEXTS)
    assert created and BadgeCredential.objects.filter(certificate__code=record.code).count() == 1
    credential, token = credentials.credential_of(record.code, TEXTS)
    assert independent_errors(token) == [] and credential["id"] == f"https://lms.example.se/kkn/intyg/{record.code}/"
    again, created = api.issue_certificate("1", "nlu", "Näringslivsutvecklare", "Anna Lindqvist", credential_texts=TEXTS)
    assert (again, created) == (record, False) and BadgeCredential.objects.count() == 1


def test_without_an_issuer_a_certificate_is_issued_without_a_credential(settings, db):  # pylint: disable=unused-argument
    settings.KKN_OPEN_BADGES = {}
    record, created = api.issue_certificate("1", "nlu", "Näringslivsutvecklare", "Anna Lindqvist", when=WHEN,
                                            credential_texts=TEXTS)
    assert created and record.code and BadgeCredential.objects.count() == 0


@pytest.mark.parametrize("change", [
    lambda claims: claims["vc"]["credentialSubject"]["identifier"][0].update(identityHash="Eva Svensson"),
    lambda claims: claims["vc"].update(issuanceDate="2020-01-01T00:00:00Z"),
    lambda claims: claims.update(nbf=1577836800),
], ids=["changed name", "changed date", "changed nbf"])
def test_a_tampered_credential_is_refused(issuer, db, change):  # pylint: disable=unused-argument
    token = credentials.credential_of(certificate(db).code, TEXTS)[1]
    forged = reencode(token, change)
    assert independent_errors(forged) != []
    assert credentials.check_presented(forged).finding == credentials.Finding.TAMPERED


def test_a_credential_signed_by_another_key_is_refused(issuer, db):  # pylint: disable=unused-argument
    credential, token = credentials.credential_of(certificate(db).code, TEXTS)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    stranger = ob.new_private_key()
    forged = ob.sign(credential, stranger, header["kid"])  # claims to be our key
    assert independent_errors(forged) != []
    assert credentials.check_presented(forged).finding == credentials.Finding.TAMPERED
    # Signed as itself by someone else: a genuine credential, but not from this issuer.
    own_did = ob.did_key(ob.public_jwk(stranger))
    theirs = ob.sign({**credential, "issuer": {**credential["issuer"], "id": own_did}}, stranger,
                     f"{own_did}#{own_did.split(':')[-1]}")
    assert independent_errors(theirs) == []
    assert credentials.check_presented(theirs).finding == credentials.Finding.OTHER_ISSUER


def test_revocation_shows_in_the_status_list(issuer, db):  # pylint: disable=unused-argument
    record = certificate(db)
    other = certificate(db, learner="2", name="Erik Johansson")
    credential, token = credentials.credential_of(record.code, TEXTS)
    status = credential["credentialStatus"]
    number = int(status["statusListCredential"].rstrip("/").rsplit("/", 1)[-1])
    index = int(status["statusListIndex"])

    list_credential, list_token = credentials.status_list(number)
    assert independent_errors(list_token) == []
    assert ob.status_bit(list_credential["credentialSubject"]["encodedList"], index) is False

    assert api.revoke_certificate(record.code, "nlu", "staff", "Karin Berg", "Fel person", when=WHEN)
    list_credential, list_token = credentials.status_list(number)
    assert independent_errors(list_token) == []
    assert ob.status_bit(list_credential["credentialSubject"]["encodedList"], index) is True
    assert credentials.check_presented(token).finding == credentials.Finding.REVOKED
    other_token = credentials.credential_of(other.code, TEXTS)[1]
    assert credentials.check_presented(other_token).finding == credentials.Finding.VALID


def test_a_revoked_certificate_gets_no_new_credential(issuer, db):  # pylint: disable=unused-argument
    record = certificate(db)
    api.revoke_certificate(record.code, "nlu", "staff", "Karin Berg", "Fel person", when=WHEN)
    assert credentials.credential_of(record.code, TEXTS) is None


def test_no_personal_data_beyond_the_name(issuer, db):  # pylint: disable=unused-argument
    record = certificate(db, learner="4711")
    credential, token = credentials.credential_of(record.code, TEXTS)
    claims = ob.read_token(token).claims
    text = json.dumps(claims, ensure_ascii=False)
    assert "4711" not in text  # the user id
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text) == ["kkn@region.example.se"]  # the issuer's only
    assert ob.holder_name(credential) == "Anna Lindqvist"
    subject = credential["credentialSubject"]
    assert set(subject) == {"type", "identifier", "achievement"}


def test_rotation_keeps_old_credentials_verifiable(issuer, settings, db):  # pylint: disable=unused-argument
    settings.KKN_OPEN_BADGES = {**issuer, "DID_METHOD": "web"}
    old_token = credentials.credential_of(certificate(db).code, TEXTS)[1]
    call_command("kkn_issuer_key", "--rotate")
    config = credentials.issuer_config()
    assert len(credentials.signing_keys(config)) == 2
    new_token = credentials.credential_of(certificate(db, learner="2", name="Erik").code, TEXTS)[1]
    old_kid = ob.read_token(old_token).kid
    new_kid = ob.read_token(new_token).kid
    assert old_kid != new_kid and old_kid.startswith("did:web:lms.example.se:kkn:issuer#")
    document = credentials.did_document(config)
    assert {method["id"] for method in document["verificationMethod"]} == {old_kid, new_kid}
    assert credentials.check_presented(old_token).finding == credentials.Finding.VALID
    assert credentials.check_presented(new_token).finding == credentials.Finding.VALID


def test_the_baked_badge_and_the_json_document_are_accepted(issuer, db):  # pylint: disable=unused-argument
    credential, token = credentials.credential_of(certificate(db).code, TEXTS)
    svg = ob.badge_image(TEXTS.name, token).decode("utf-8")
    assert ob.token_from_svg(svg) == token
    assert credentials.check_presented(svg).finding == credentials.Finding.VALID
    document = json.dumps(ob.with_jwt_proof(credential, token))
    assert credentials.check_presented(document).finding == credentials.Finding.VALID
    for junk in ["", "hej", "{}", "<svg/>", "a.b.c", "{" * 5000]:
        assert credentials.check_presented(junk).finding == credentials.Finding.UNREADABLE


def test_pure_status_list_round_trip():
    encoded = ob.encode_status_list([0, 7, 131_071])
    assert [ob.status_bit(encoded, i) for i in (0, 1, 7, 8, 131_071)] == [True, False, True, False, True]
    assert encoded == ob.encode_status_list([131_071, 7, 0])  # deterministic
    with pytest.raises(ob.Unreadable):
        ob.status_bit(encoded, 131_072)
