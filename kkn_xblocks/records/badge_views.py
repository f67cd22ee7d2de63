"""Open Badges pages of the records app (LMS, under ``/kkn/``; no login, no course):

    /kkn/issuer/did.json           the issuer's ``did:web`` document (every key, current and retired)
    /kkn/intyg/status/<n>/         status list n, a signed BitstringStatusListCredential (VC-JWT)
    /kkn/program/<programme id>/   the programme's Open Badges Achievement (a credential's achievement.id)
    /kkn/intyg/kontrollera/        a form: paste or upload a credential, and it is checked

A credential is checked against this issuer's keys and status list (``records.credentials``); the
answer shows only what the credential itself says (name, programme, date) and the verdict.
"""
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from kkn_xblocks import bilingual

from . import credentials
from .views import _gettext, _language, _rate_limited, page_html

MAX_UPLOAD_BYTES = 512 * 1024


def _(text):
    return text


VERDICTS = {
    credentials.Finding.VALID: _("The credential is genuine, unchanged and valid: it was issued by {issuer} and has "
                                 "not been revoked."),
    credentials.Finding.EXPIRED: _("The credential is genuine and unchanged, but its validity has expired."),
    credentials.Finding.REVOKED: _("The credential is genuine and unchanged, but it has been revoked."),
    credentials.Finding.TAMPERED: _("The credential is not genuine: its content has been changed after it was "
                                    "signed, or it was signed with a key that is not this issuer's."),
    credentials.Finding.OTHER_ISSUER: _("The credential was not issued here: it is signed by another issuer. "
                                        "Check it with that issuer."),
    credentials.Finding.UNREADABLE: _("The text could not be read as a credential. Paste the whole credential: the "
                                      "JSON file, the badge image (SVG) or the signed token (three parts separated "
                                      "by dots)."),
}


def _issuer_or_404():
    try:
        return credentials.issuer_config()
    except credentials.NotConfigured:
        raise Http404("Open Badges are not set up on this site.") from None


@require_safe
def did_document(request):
    config = _issuer_or_404()
    if config.did_method != "web":
        raise Http404("The issuer is a did:key, which needs no document.")
    response = JsonResponse(credentials.did_document(config), content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def achievement(request, programme_id):
    """What a credential's ``achievement.id`` resolves to: the programme's Achievement (JSON)."""
    _issuer_or_404()
    found = credentials.achievement_of(programme_id)
    if found is None:
        raise Http404("No credential of this programme has been issued here.")
    response = JsonResponse(found, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def status_list(request, number):
    """The list as a VC-JWT (``application/vc+jwt``), as verifiers fetch ``statusListCredential``."""
    if not 1 <= number <= credentials.status_list_count():  # no certificate sits in such a list
        raise Http404("No such status list.")
    try:
        _credential, token = credentials.status_list(number)
    except credentials.NotConfigured:
        raise Http404("Open Badges are not set up on this site.") from None
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "max-age=300"  # a revocation shows within five minutes
    return response


# A read-only check of text the visitor brings, with no session and nothing stored: CSRF protects
# actions taken in a signed-in user's name, and there is none here (the rate limit still applies).
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def check(request):
    """Paste or upload a credential (JSON, SVG badge or token) and see whether it is ours and valid."""
    config = _issuer_or_404()
    gettext = _gettext()
    outcome, status = None, 200
    if request.method == "POST":
        limited = _rate_limited(request, json_answer=False)
        if limited:
            return limited
        text, problem = _presented_text(request, gettext)
        if problem:
            outcome, status = {"finding": "problem", "message": problem}, 400
        else:
            found = credentials.check_presented(text)
            outcome = {"finding": found.finding, "facts": found,
                       "message": gettext(VERDICTS[found.finding]).format(issuer=config.name)}
            status = 200 if found.finding != credentials.Finding.UNREADABLE else 400
    body = bilingual.render_in(_language(), "exam/check_credential.html", {"outcome": outcome})
    return page_html(gettext(_("Check a digital credential")), body, status)


def _presented_text(request, gettext):
    """The pasted text, or the uploaded file's; ``(text, None)`` or ``(None, translated problem)``."""
    upload = request.FILES.get("file")
    if upload is not None and upload.size:
        if upload.size > MAX_UPLOAD_BYTES:
            return None, gettext(_("The file is too large: a credential is at most 512 kB."))
        raw = upload.read()
    else:
        raw = request.POST.get("credential", "").encode("utf-8", "surrogatepass")
    if not raw.strip():
        return None, gettext(_("Paste a credential or choose a file."))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, gettext(_("The file is not text. Upload the credential's JSON file or its SVG badge."))
