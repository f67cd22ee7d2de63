"""Open Badges credentials in the programme record: the issuer, its keys, issuing and checking.

The operator configures the issuing organisation and where its signing keys live in the Django
setting ``KKN_OPEN_BADGES`` (see docs/operator-guide.md)::

    KKN_OPEN_BADGES = {
        "ISSUER_NAME": "Region Exempel, Kulturförvaltningen",
        "ISSUER_URL": "https://www.example.se",
        "ISSUER_EMAIL": "kkn@example.se",
        "KEY_DIR": "/openedx/data/kkn-issuer-keys",  # outside the database and the repository
        "BASE_URL": "https://lms.example.se",  # default: the LMS's LMS_ROOT_URL
        "DID_METHOD": "web",  # "web" in the LMS; "key" for the local runtime
    }

Keys are Ed25519 private JWKs, one file each in ``KEY_DIR`` (mode 0600), made by the management
command ``kkn_issuer_key``. The newest signs; older ones stay so credentials signed before a
rotation still verify (they are listed in the ``did:web`` document). With ``did:key`` the key *is*
the identifier, so an old credential carries its own public key.

The status list index of a credential is its certificate's primary key, so revoking a certificate
(``Certificate.revoked_at``) is all it takes to mark its credential revoked: the list is computed
from the certificates on each request, never kept in a second place that could disagree.
"""
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from kkn_xblocks import clock

from . import openbadges as ob
from .models import BadgeCredential, Certificate
from .privacy import HOLDER_NAME_REMOVED
from .rows import insert
from .verification import NAMESPACE

KEY_SUFFIX = ".jwk.json"
LIST_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


class NotConfigured(RuntimeError):
    """The operator has not set up an issuer (no setting, or no key yet)."""


# --- Issuer ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuerConfig:
    name: str
    url: str
    email: str
    key_dir: Path
    base_url: str
    did_method: str
    create_key: bool = False  # the local runtime makes its key on first use; the LMS never does

    @property
    def web_did(self):
        return ob.did_web(self.base_url)


def issuer_config():
    """The issuer from settings, or NotConfigured."""
    options = getattr(settings, "KKN_OPEN_BADGES", None) or {}
    name = str(options.get("ISSUER_NAME", "")).strip()
    key_dir = options.get("KEY_DIR")
    base_url = str(options.get("BASE_URL") or getattr(settings, "LMS_ROOT_URL", "") or "").rstrip("/")
    if not name or not key_dir or not base_url:
        raise NotConfigured("KKN_OPEN_BADGES needs ISSUER_NAME, KEY_DIR and BASE_URL (or LMS_ROOT_URL)")
    method = options.get("DID_METHOD", "web")
    if method not in ("web", "key"):
        raise NotConfigured("KKN_OPEN_BADGES DID_METHOD must be 'web' or 'key'")
    return IssuerConfig(name=name, url=str(options.get("ISSUER_URL", "")), email=str(options.get("ISSUER_EMAIL", "")),
                        key_dir=Path(key_dir), base_url=base_url, did_method=method,
                        create_key=bool(options.get("CREATE_KEY", False)))


def is_configured():
    try:
        current_key(issuer_config())
    except NotConfigured:
        return False
    return True


def signing_keys(config):
    """``[(key id, private jwk)]``, oldest first; the last one signs."""
    if not config.key_dir.is_dir():
        return []
    keys = []
    for path in sorted(config.key_dir.glob(f"*{KEY_SUFFIX}")):
        try:
            jwk = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(jwk, dict) and jwk.get("crv") == "Ed25519" and "d" in jwk:
            keys.append((path.name[: -len(KEY_SUFFIX)], jwk))
    return keys


def current_key(config):
    """``(key id, private jwk)`` of the key that signs now; NotConfigured when there is none."""
    keys = signing_keys(config)
    if not keys and config.create_key:
        create_key(config)
        keys = signing_keys(config)
    if not keys:
        raise NotConfigured("no signing key: run manage.py lms kkn_issuer_key")
    return keys[-1]


def new_key_id(now=None):
    return "key-" + (now or clock.now()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def create_key(config, now=None):
    """Write a new signing key (0600, in a 0700 folder); it signs from now on. Returns its id."""
    config.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    kid = new_key_id(now)
    path = config.key_dir / f"{kid}{KEY_SUFFIX}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(ob.new_private_key(), out)
    return kid


def issuer_did(config, jwk):
    return ob.did_key(ob.public_jwk(jwk)) if config.did_method == "key" else config.web_did


def verification_method(config, kid, jwk):
    did = issuer_did(config, jwk)
    fragment = did.split(":")[-1] if config.did_method == "key" else kid
    return f"{did}#{fragment}"


def did_document(config):
    """The ``did:web`` document the LMS serves at ``/kkn/issuer/did.json``."""
    return ob.did_web_document(config.web_did, [(kid, ob.public_jwk(jwk)) for kid, jwk in signing_keys(config)])


def _issuer(config, jwk):
    return ob.Issuer(did=issuer_did(config, jwk), name=config.name, url=config.url, email=config.email)


# --- Addresses ---------------------------------------------------------------------------------

def verify_url(config, code):
    """The certificate's public page (``records/urls.py``): the credential's id."""
    return config.base_url + reverse(f"{NAMESPACE}:verify", kwargs={"typed": code})


def status_list_url(config, number):
    return config.base_url + reverse(f"{NAMESPACE}:status_list", kwargs={"number": number})


def status_position(certificate_pk):
    """``(list number, index in that list)`` of a certificate's revocation bit."""
    return certificate_pk // ob.STATUS_LIST_BITS + 1, certificate_pk % ob.STATUS_LIST_BITS


# --- Issuing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AchievementTexts:
    """The programme's achievement in the learner's record: Swedish first, then English."""

    name: str
    description: str
    criteria: str


def _credential_for(config, row, texts, jwk):
    number, index = status_position(row.pk)
    achievement = ob.Achievement(
        id=config.base_url + reverse(f"{NAMESPACE}:achievement", kwargs={"programme_id": row.programme_id}),
        name=texts.name,
        description=texts.description, criteria=texts.criteria,
    )
    facts = ob.CredentialFacts(
        credential_id=verify_url(config, row.code), holder_name=row.name, issued_at=row.issued_at,
        expires_at=row.expires_at, status_list_url=status_list_url(config, number), status_index=index,
    )
    return ob.build_credential(_issuer(config, jwk), achievement, facts)


def may_carry_credential_record(certificate):
    """A revoked certificate, or one whose holder's account was retired (name removed), gets no
    new credential. (``certificate``: a Certificate row or a CertificateRecord.)"""
    return certificate.revoked_at is None and bool(certificate.name) and certificate.name != HOLDER_NAME_REMOVED


def credential_of(code, texts):
    """``(credential dict, compact JWS)`` for a certificate: the stored one, or a new one issued and
    stored now. None when the certificate may not carry one. Raises NotConfigured."""
    config = issuer_config()
    row = Certificate.objects.filter(code=code).select_related("badge").first()
    if row is None:
        return None
    stored = getattr(row, "badge", None)  # the reverse one-to-one raises an AttributeError when absent
    if stored is not None:
        return ob.read_token(stored.token).credential, stored.token
    return _issue(config, row, texts)


def issue_credential(row, texts):
    """The credential of a certificate row the caller has just created in its open transaction,
    issued and stored now, without reading the row again: ``(credential dict, compact JWS)``, or
    None where the operator has set up no issuer or the certificate may not carry one.

    No savepoint of its own and no race to lose: a row not yet committed has no credential, and no
    other transaction can give it one (it cannot see the row until the caller commits)."""
    try:
        return _issue(issuer_config(), row, texts, fresh=True)
    except NotConfigured:
        return None


def _issue(config, row, texts, fresh=False):
    if not may_carry_credential_record(row):
        return None
    kid, jwk = current_key(config)
    credential = _credential_for(config, row, texts, jwk)
    token = ob.sign(credential, jwk, verification_method(config, kid, jwk))
    values = {"certificate": row, "learner_key": row.learner_key, "programme_id": row.programme_id, "key_id": kid,
              "token": token, "created_at": clock.now()}
    if fresh:
        insert(BadgeCredential, values)
        return credential, token
    try:
        with transaction.atomic():
            BadgeCredential.objects.create(**values)
    except IntegrityError:  # a concurrent request issued it first: hers is the stored one
        stored = BadgeCredential.objects.get(certificate=row)
        return ob.read_token(stored.token).credential, stored.token
    return credential, token


def achievement_of(programme_id):
    """The programme's achievement as its newest credential states it (what the achievement's id
    resolves to), or None when no credential of the programme has been issued here."""
    stored = BadgeCredential.objects.filter(programme_id=programme_id).order_by("-created_at", "-pk").first()
    if stored is None:
        return None
    return ob.read_token(stored.token).credential["credentialSubject"]["achievement"]


# --- Status lists ------------------------------------------------------------------------------

def status_list_count():
    """How many status lists there are: enough for every certificate issued so far (at least one)."""
    newest = Certificate.objects.order_by("-pk").values_list("pk", flat=True).first()
    return status_position(newest or 0)[0]


def status_list(number):
    """``(list credential dict, compact JWS)`` for status list ``number`` (1-based)."""
    config = issuer_config()
    kid, jwk = current_key(config)
    low = (number - 1) * ob.STATUS_LIST_BITS
    revoked = dict(Certificate.objects.filter(
        pk__gte=low, pk__lt=low + ob.STATUS_LIST_BITS, revoked_at__isnull=False,
    ).values_list("pk", "revoked_at"))
    # Issued at the last revocation, so the same list state is always the same bytes.
    issued = max(revoked.values(), default=LIST_EPOCH)
    encoded = ob.encode_status_list([pk - low for pk in revoked])
    credential = ob.status_list_credential(_issuer(config, jwk), status_list_url(config, number), encoded, issued)
    return credential, ob.sign(credential, jwk, verification_method(config, kid, jwk))


# --- Checking a presented credential -----------------------------------------------------------

class Finding:
    UNREADABLE = "unreadable"
    OTHER_ISSUER = "other_issuer"
    TAMPERED = "tampered"
    REVOKED = "revoked"
    EXPIRED = "expired"
    VALID = "valid"


@dataclass(frozen=True)
class Check:
    """What checking a presented credential found; the facts are shown only when it is ours."""

    finding: str
    name: str = ""
    programme: str = ""
    issued: str = ""
    code: str = ""


def _our_public_key(config, kid):
    for key_id, jwk in signing_keys(config):
        if verification_method(config, key_id, jwk) == kid:
            return ob.public_jwk(jwk)
    return None


def check_presented(text, now=None):
    """Is this credential genuine (signed by one of our keys), unchanged, unrevoked and from this
    issuer? Accepts the JWS, the JSON document or the baked SVG."""
    config = issuer_config()
    try:
        token = ob.extract_token(text)
        reading = ob.read_token(token)
    except ob.Unreadable:
        return Check(Finding.UNREADABLE)
    public = _our_public_key(config, reading.kid)
    if public is None:
        return Check(Finding.OTHER_ISSUER)
    if not ob.signature_holds(token, public):
        return Check(Finding.TAMPERED)
    credential = reading.credential
    issuer = credential.get("issuer", {})
    if not isinstance(issuer, dict) or not reading.kid.startswith(str(issuer.get("id", "")) + "#") \
            or reading.claims.get("iss") != issuer.get("id"):
        return Check(Finding.TAMPERED)
    facts = dict(name=ob.holder_name(credential), programme=str(credential.get("name", "")),
                 issued=str(credential.get("issuanceDate", ""))[:10],
                 code=str(credential.get("id", "")).rstrip("/").rsplit("/", 1)[-1])
    if _is_revoked(config, credential):
        return Check(Finding.REVOKED, **facts)
    expiry = reading.claims.get("exp")
    if isinstance(expiry, int) and expiry <= (now or clock.now()).timestamp():
        return Check(Finding.EXPIRED, **facts)
    return Check(Finding.VALID, **facts)


def _is_revoked(config, credential):
    """The revocation bit the credential's status entry points at. The list we serve is computed from
    the certificates (``status_list``), so the bit is read at its source: the certificate at that
    position, revoked or not (one indexed lookup, nothing signed)."""
    status = credential.get("credentialStatus")
    if not isinstance(status, dict):
        return False
    list_url = str(status.get("statusListCredential", ""))
    found = re.search(r"/(\d{1,9})/$", list_url)
    try:
        number = int(found.group(1)) if found else 0
        index = int(status.get("statusListIndex", ""))
    except ValueError:
        return True  # a status entry we cannot read is not taken as "not revoked"
    if number < 1 or not 0 <= index < ob.STATUS_LIST_BITS or list_url != status_list_url(config, number):
        return True
    position = (number - 1) * ob.STATUS_LIST_BITS + index  # the inverse of status_position
    return Certificate.objects.filter(pk=position, revoked_at__isnull=False).exists()
