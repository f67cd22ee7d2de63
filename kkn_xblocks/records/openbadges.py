"""Open Badges 3.0 credentials for programme certificates: build, sign, read back and check.

A certificate is also issued as an ``OpenBadgeCredential`` (1EdTech Open Badges 3.0, on the W3C
Verifiable Credentials Data Model 1.1 that OB 3.0 is written against) and secured as a VC-JWT:
a compact JWS whose payload carries the credential in the ``vc`` claim, signed with the issuer's
Ed25519 key (JOSE ``alg`` EdDSA, which OB 3.0 permits beside the required-to-support RS256). The
JWS is made by ``joserfc``; nothing here is hand-written cryptography.

Revocation uses a W3C Bitstring Status List: the credential's ``credentialStatus`` points at a bit
of a list credential the records app serves (``records.credentials``); bit set = revoked.

Everything here is a plain function over plain values: no database, no request.
"""
import base64
import gzip
import json
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone

VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
ALGORITHM = "EdDSA"
# The Bitstring Status List minimum: 16 KB of bits, so that one set bit says little about whom.
STATUS_LIST_BITS = 131_072
MAX_TOKEN_CHARS = 64 * 1024


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _utc(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jose():
    """joserfc's JWS, its key class and its error, imported when a token is made or checked: every
    process that imports the records app (the LMS's, the course builder) would otherwise load it
    and the cryptography library (~50 ms) for nothing."""
    # pylint: disable=import-outside-toplevel
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import OKPKey
    return jws, OKPKey, JoseError


def _jws_operation(call, *args, **kwargs):
    """joserfc marks plain "EdDSA" deprecated in favour of RFC 9864's "Ed25519"; wallets and
    verifiers of today (and OB 3.0's examples) still expect "EdDSA", so we keep it knowingly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


# --- Issuer keys and identifiers ---------------------------------------------------------------

_ED25519_MULTICODEC = b"\xed\x01"


def new_private_key():
    """A fresh Ed25519 key as a private JWK (dict)."""
    _jws, key_class, _error = _jose()
    return key_class.generate_key("Ed25519", private=True).as_dict(private=True)


def public_jwk(private_jwk):
    return {name: private_jwk[name] for name in ("kty", "crv", "x")}


def did_key(jwk):
    """``did:key`` of an Ed25519 public key: multibase base58btc of the multicodec key."""
    import base58  # pylint: disable=import-outside-toplevel

    raw = _b64url_decode(jwk["x"])
    return "did:key:z" + base58.b58encode(_ED25519_MULTICODEC + raw).decode("ascii")


def did_web(base_url, path=("kkn", "issuer")):
    """``did:web`` for a base URL (https only; a port is percent-encoded as the method requires)."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].replace(":", "%3A")
    return ":".join(["did:web", host, *path])


def did_web_document(did, keys):
    """The DID document for ``did:web``: every issuing key, current and retired, so credentials
    signed before a rotation stay verifiable. ``keys`` is ``[(key id, public jwk)]``."""
    methods = [{
        "id": f"{did}#{kid}", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk,
    } for kid, jwk in keys]
    refs = [method["id"] for method in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": refs,
        "authentication": refs,
    }


# --- The credential ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Issuer:
    """Who issues: the DID, the organisation's name, web address and e-mail."""

    did: str
    name: str
    url: str = ""
    email: str = ""

    def profile(self):
        profile = {"id": self.did, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        if self.email:
            profile["email"] = self.email
        return profile


@dataclass(frozen=True)
class Achievement:
    """The programme as an achievement; texts in Swedish, then English."""

    id: str
    name: str
    description: str
    criteria: str
    image: str = ""


@dataclass(frozen=True)
class CredentialFacts:
    """What a credential says: nothing about the holder beyond her name and the certificate facts."""

    credential_id: str  # the certificate's verification address: the certificate id as a URI
    holder_name: str
    issued_at: datetime
    expires_at: datetime | None
    status_list_url: str
    status_index: int


def build_credential(issuer, achievement, facts):
    """The ``OpenBadgeCredential`` document (a dict), unsigned."""
    badge = {
        "id": achievement.id, "type": ["Achievement"], "achievementType": "Certificate",
        "name": achievement.name, "description": achievement.description,
        "criteria": {"narrative": achievement.criteria}, "inLanguage": "sv",
    }
    if achievement.image:
        badge["image"] = {"id": achievement.image, "type": "Image"}
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT, STATUS_CONTEXT],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.profile(),
        "issuanceDate": _utc(facts.issued_at),
        "name": achievement.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # OB 3.0 identifies a holder without an account id by an IdentityObject; the name is
            # the only identifier we put in (no e-mail, no user id).
            "identifier": [{
                "type": "IdentityObject", "identityType": "name", "hashed": False,
                "identityHash": facts.holder_name,
            }],
            "achievement": badge,
        },
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
    }
    if facts.expires_at is not None:
        credential["expirationDate"] = _utc(facts.expires_at)
    return credential


def jwt_claims(credential):
    """VC-JWT claims for a VCDM 1.1 credential (the VC Data Model 1.1 JWT encoding)."""
    claims = {
        "iss": credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"],
        "jti": credential["id"],
        "nbf": int(_parse_utc(credential["issuanceDate"]).timestamp()),
        "vc": credential,
    }
    if "expirationDate" in credential:
        claims["exp"] = int(_parse_utc(credential["expirationDate"]).timestamp())
    return claims


def sign(credential, private_jwk, verification_method):
    """The credential as a compact JWS (VC-JWT). Ed25519 signatures are deterministic, so the same
    credential and key always give the same token."""
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": verification_method}
    payload = json.dumps(jwt_claims(credential), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    jws, key_class, _error = _jose()
    key = key_class.import_key(private_jwk)
    return _jws_operation(jws.serialize_compact, header, payload.encode("utf-8"), key, algorithms=[ALGORITHM])


def with_jwt_proof(credential, token):
    """The credential as a JSON document a wallet can store: the credential with its VC-JWT as an
    enveloping ``JwtProof2020`` proof (the shape wallets such as Veramo's use for JWT credentials)."""
    return {**credential, "proof": {"type": "JwtProof2020", "jwt": token}}


# --- Reading a credential back -----------------------------------------------------------------

class Unreadable(ValueError):
    """Text that is not a credential in a form we accept; ``str()`` says which part failed."""


def extract_token(text):
    """The compact JWS in what a person pasted or uploaded: the token itself, the JSON document
    ``with_jwt_proof`` gives, or a baked SVG (see ``badge_image``)."""
    if not isinstance(text, str):
        raise Unreadable("not text")
    text = text.strip().lstrip("\ufeff")
    if len(text) > MAX_TOKEN_CHARS * 4:
        raise Unreadable("too long")
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise Unreadable("json") from None
        proof = document.get("proof") if isinstance(document, dict) else None
        token = proof.get("jwt") if isinstance(proof, dict) else None
        if not isinstance(token, str):
            raise Unreadable("no proof")
        text = token.strip()
    elif text.startswith("<"):
        text = token_from_svg(text)
    if len(text) > MAX_TOKEN_CHARS or text.count(".") != 2:
        raise Unreadable("token")
    return text


@dataclass(frozen=True)
class Reading:
    """A token taken apart (not yet trusted): its header, claims and credential."""

    kid: str
    claims: dict
    credential: dict = field(default_factory=dict)


def read_token(token):
    """Decode a compact JWS without trusting it. Raises Unreadable."""
    try:
        header_part, payload_part, _signature = token.split(".")
        header = json.loads(_b64url_decode(header_part))
        claims = json.loads(_b64url_decode(payload_part))
    except (ValueError, TypeError, UnicodeDecodeError):
        raise Unreadable("token") from None
    if not isinstance(header, dict) or not isinstance(claims, dict) or not isinstance(claims.get("vc"), dict):
        raise Unreadable("token")
    kid = header.get("kid")
    if header.get("alg") != ALGORITHM or not isinstance(kid, str):
        raise Unreadable("algorithm")
    return Reading(kid=kid, claims=claims, credential=claims["vc"])


def signature_holds(token, public_key):
    """True when ``token`` is signed by ``public_key`` (a public JWK) and unchanged since."""
    jws, key_class, jose_error = _jose()
    try:
        _jws_operation(jws.deserialize_compact, token, key_class.import_key(public_key), algorithms=[ALGORITHM])
    except (jose_error, ValueError, TypeError):
        return False
    return True


def _parse_utc(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def holder_name(credential):
    for identifier in credential.get("credentialSubject", {}).get("identifier", []):
        if isinstance(identifier, dict) and identifier.get("identityType") == "name":
            return str(identifier.get("identityHash", ""))
    return ""


# --- Status list -------------------------------------------------------------------------------

def encode_status_list(revoked_indexes, size=STATUS_LIST_BITS):
    """``encodedList`` of a Bitstring Status List: multibase base64url (``u``) of the GZIP of the
    bits, index 0 the left-most bit of the first byte. Deterministic (gzip mtime 0)."""
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        if 0 <= index < size:
            bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + _b64url(gzip.compress(bytes(bits), mtime=0))


def status_bit(encoded_list, index):
    """The bit at ``index`` of an ``encodedList``; raises Unreadable for a malformed list."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise Unreadable("status list")
    try:
        bits = gzip.decompress(_b64url_decode(encoded_list[1:]))
    except (OSError, ValueError, EOFError):
        raise Unreadable("status list") from None
    if not 0 <= index < len(bits) * 8:
        raise Unreadable("status index")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(issuer, list_url, encoded_list, issued_at):
    """The ``BitstringStatusListCredential`` a credential's ``credentialStatus`` points at."""
    return {
        "@context": [VC_CONTEXT, STATUS_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile(),
        "issuanceDate": _utc(issued_at),
        "credentialSubject": {
            "id": f"{list_url}#list", "type": "BitstringStatusList",
            "statusPurpose": "revocation", "encodedList": encoded_list,
        },
    }


# --- Baked badge image -------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
OB_NS = "https://purl.imsglobal.org/ob/v3p0"


def badge_image(title, token):
    """An SVG badge with the credential baked in as OB 3.0 describes for SVG: an
    ``openbadges:credential`` element holding the compact JWS."""
    from lxml import etree  # pylint: disable=import-outside-toplevel

    nsmap = {None: SVG_NS, "openbadges": OB_NS}
    root = etree.Element(f"{{{SVG_NS}}}svg", nsmap=nsmap, width="300", height="300", viewBox="0 0 300 300",
                         role="img")
    etree.SubElement(root, f"{{{SVG_NS}}}title").text = title
    credential = etree.SubElement(root, f"{{{OB_NS}}}credential")
    credential.text = etree.CDATA(token)
    etree.SubElement(root, f"{{{SVG_NS}}}circle", cx="150", cy="150", r="140", fill="#1f4e79")
    etree.SubElement(root, f"{{{SVG_NS}}}circle", cx="150", cy="150", r="118", fill="none", stroke="#ffffff",
                     **{"stroke-width": "6"})
    label = etree.SubElement(root, f"{{{SVG_NS}}}text", x="150", y="140", fill="#ffffff",
                             **{"text-anchor": "middle", "font-family": "sans-serif", "font-size": "34",
                                "font-weight": "bold"})
    label.text = "KKN"
    words = etree.SubElement(root, f"{{{SVG_NS}}}text", x="150", y="185", fill="#ffffff",
                             **{"text-anchor": "middle", "font-family": "sans-serif", "font-size": "18"})
    words.text = "Certifierad"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def token_from_svg(svg_text):
    """The compact JWS baked into an SVG badge; raises Unreadable when there is none."""
    from lxml import etree  # pylint: disable=import-outside-toplevel

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(svg_text.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        raise Unreadable("svg") from None
    found = root.find(f".//{{{OB_NS}}}credential")
    if found is None or not (found.text or "").strip():
        raise Unreadable("svg")
    return found.text.strip()
