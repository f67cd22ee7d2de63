"""Public certificate verification pages: no login, no course, only the record.

Anyone may ask, so every answer shows only the id, the name, the programme, the date of issue and
the status, and each client address may ask ``KKN_VERIFICATION_RATE_LIMIT`` = (requests, seconds)
times per window (Django's cache; default 30 a minute): ids cannot be guessed (80 random bits),
but nobody should be able to try.
"""
import json

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from edx_django_utils.ip import get_safest_client_ip

from kkn_xblocks import bilingual
from kkn_xblocks import certificates as ids

from . import verification

DEFAULT_RATE_LIMIT = (30, 60)
# The operator's time zone for dates, read where the exam reads it: XBLOCK_SETTINGS of its class.
EXAM_SETTINGS_KEY = "CertificationExamBlock"


def _(text):
    return text


# The form's labels, repeated in English for readers from abroad.
_ENGLISH = {"label": _("Certificate id"), "button": _("Verify")}


@require_safe
def verify_form(request):
    """The form. ``?id=`` (the form's own submission) goes to the id's page when the id can be read."""
    typed = request.GET.get("id", "")
    if not typed:
        return _page(request, None, typed)
    read = ids.normalise(typed)
    if read.code:  # the id's page does the lookup, and counts it
        return HttpResponseRedirect(verification.page_url(read.code))
    return _page(request, verification.look_up(typed, _gettext()), typed)  # mistyped: no lookup to limit


@require_safe
def verify(request, typed):
    """A certificate's status in Swedish and English: 200, 404 for an unknown id, 400 for a mistyped one."""
    return _rate_limited(request, json_answer=False) or _page(
        request, verification.look_up(typed, _gettext()), typed)


@require_safe
def verify_json(request, typed):
    """The same for machines: ``{"status": valid|expired|revoked|unknown|malformed, ...}``."""
    limited = _rate_limited(request, json_answer=True)
    if limited:
        return limited
    outcome = verification.look_up(typed, _gettext())
    if outcome["found"]:
        body, status = {
            "id": outcome["code"], "status": outcome["status"], "name": outcome["name"],
            "programme": outcome["programme"], "issued": outcome["issued_at"].date().isoformat(),
        }, 200
    else:
        body = {"status": "malformed" if outcome["malformed"] else "unknown", "message": outcome["message"]}
        status = 400 if outcome["malformed"] else 404
    return _json(body, status)


# --- rate limit --------------------------------------------------------------------------------
def _rate_limited(request, json_answer):
    """None while the client address is within its limit; the 429 answer past it."""
    requests, seconds = getattr(settings, "KKN_VERIFICATION_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    # The platform's own choice of client address behind its proxies (edx_django_utils/ip).
    key = f"kkn-verify:{get_safest_client_ip(request)}"
    cache.add(key, 0, timeout=seconds)  # the window starts with the first request
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    if count <= requests:
        return None
    message = _gettext()(_("Too many look-ups from your address. Wait a minute and try again."))
    if json_answer:
        response = _json({"status": "rate_limited", "message": message}, 429)
    else:
        response = _page(request, {"found": False, "malformed": False, "limited": True, "message": message}, "",
                         status=429)
    response["Retry-After"] = str(seconds)
    return response


# --- rendering ---------------------------------------------------------------------------------
def _language():
    """The page's own language: English for readers who asked for it, otherwise Swedish."""
    return "en" if (get_language() or "").startswith("en") else "sv"


def _gettext():
    return bilingual.translations(_language()).gettext


def _page(request, outcome, typed, status=None):
    language = _language()
    gettext = bilingual.translations(language).gettext
    sections = []
    if outcome and outcome["found"]:
        zone = getattr(settings, "XBLOCK_SETTINGS", {}).get(EXAM_SETTINGS_KEY, {}).get("TIME_ZONE", "Europe/Stockholm")
        sections = [bilingual.render_in(other, "exam/verify_section.html", {
            "outcome": outcome, "issued": bilingual.date_text(outcome["issued_at"], other, zone),
        }) for other in bilingual.LANGUAGES]
    body = bilingual.render_in(language, "exam/verify_page.html", {
        "typed": typed[:ids.MAX_TYPED_CHARS],
        "outcome": outcome,
        "sections": sections,
        "action": verification.page_url(),
        "english": {key: bilingual.translations("en").gettext(text) for key, text in _ENGLISH.items()},
    })
    if status is None:
        status = 200 if outcome is None or outcome["found"] else (400 if outcome["malformed"] else 404)
    return page_html(gettext(_("Verify a certificate")), body, status)


def page_html(title, body, status=200):
    """One of the app's public pages: the package's page frame, its CSS inline (no block runtime
    serves resource URLs here), never cached as someone else's answer, never indexed."""
    html = bilingual.render_in(_language(), "page.html", {
        "title": title,
        "body_class": "kkn-exam-page",
        "body": body,
        "inline_css": bilingual.stylesheet("kkn.css", "kkn-exam.css"),
    })
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


def _json(body, status):
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Access-Control-Allow-Origin"] = "*"
    return response
