"""Certificates in the programme record: issue once, revoke with a reason, look up by id.

Re-exported by ``api.py``. One certificate per learner and programme (a unique constraint), so a
double submit cannot issue two. The id is unique too; a clash with another learner's id (odds
about one in 2^80 per pair) is met by drawing a new id, and only that is retried.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from kkn_xblocks import certificates as ids
from kkn_xblocks import clock

from .models import Certificate
from .rows import insert, select

MAX_CODE_TRIES = 5


@dataclass(frozen=True)
class CertificateRecord:
    code: str
    learner_key: str
    programme_id: str
    programme_title: str
    name: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by_name: str
    revoked_reason: str

    def status(self, now=None):
        return ids.status(self.expires_at, self.revoked_at, now or clock.now())


_FIELDS = ("code", "learner_key", "programme_id", "programme_title", "name", "issued_at", "expires_at",
           "revoked_at", "revoked_by_name", "revoked_reason")


def _record(row):
    return CertificateRecord(**{name: getattr(row, name) for name in _FIELDS})


def issue_certificate(learner_key, programme_id, programme_title, name, attempt_pk=None, valid_months=0,
                      when=None, new_code=ids.new_code, credential_texts=None):
    """Her certificate for the programme: ``(record, created)``. Issued once; later calls (or a
    concurrent one) get the certificate that exists. With ``credential_texts`` (AchievementTexts) a
    new certificate gets its Open Badges credential at once, as the same fact, where the operator
    has set up an issuer."""
    when = when or clock.now()
    expires = ids.add_months(when, valid_months) if valid_months else None
    for _try in range(MAX_CODE_TRIES):
        try:
            with transaction.atomic():
                row = insert(Certificate, {
                    "code": new_code(), "learner_key": learner_key, "programme_id": programme_id,
                    "programme_title": programme_title[:255], "name": name[:255], "issued_at": when,
                    "expires_at": expires, "attempt_id": attempt_pk,
                })
                if credential_texts is not None:
                    # In the certificate's savepoint (one savepoint, not two): the credential stands or
                    # falls with it. Imported here: credentials imports the verification pages, which
                    # import api, which imports us.
                    from .credentials import issue_credential  # pylint: disable=import-outside-toplevel
                    issue_credential(row, credential_texts)  # with the row in hand: no second read
        except IntegrityError:
            existing = certificate_of(learner_key, programme_id)
            if existing is not None:
                return existing, False
            continue  # not hers: the id clashed with someone else's. Draw another.
        return _record(row), True
    raise RuntimeError("could not draw an unused certificate id")  # 5 clashes in 2^80: a broken random source


def certificate_of(learner_key, programme_id):
    """Her certificate for the programme, or None (``rows.select``: every exam request asks)."""
    rows = select(Certificate, _FIELDS, {"learner_key": learner_key, "programme_id": programme_id},
                  order_by="pk", limit=1)
    return CertificateRecord(*rows[0]) if rows else None


def find_certificate(code):
    """The certificate with exactly this canonical id (one indexed lookup), or None."""
    row = Certificate.objects.filter(code=code).first() if code else None
    return _record(row) if row else None


def revoke_certificate(code, programme_id, by, by_name, reason, when=None):
    """Revoke a certificate of the programme, once: True for the call that did; a second
    revocation keeps the first reason. Staff of one programme cannot revoke another's."""
    return Certificate.objects.filter(code=code, programme_id=programme_id, revoked_at__isnull=True).update(
        revoked_at=when or clock.now(), revoked_by=by, revoked_by_name=by_name[:255], revoked_reason=reason[:500],
    ) == 1


def certificates_of_programme(programme_id):
    return [_record(row) for row in Certificate.objects.filter(programme_id=programme_id).order_by("issued_at")]
