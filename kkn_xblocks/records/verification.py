"""Public certificate verification: what the page answers for a typed id, and its address.

The page is a view of this app (``views.py``), routed through the plugin app's URL config, not a
block handler: a ``thirdparty`` handler is served by the LMS's ``handle_xblock_callback_noauth``,
which still loads the exam with ``get_block_by_usage_id`` and its access checks, so a genuine
certificate of a course that has ended, is not public or keeps its exam in a staff-only unit
answered 404. Here nothing but the record is read.
"""
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from kkn_xblocks import certificates as ids
from kkn_xblocks import clock

from . import api

NAMESPACE = "kkn_records"  # the plugin URL namespace (apps.py)


def _(text):
    return text


STATUS_LABELS = {
    ids.Status.VALID: _("Valid"),
    ids.Status.EXPIRED: _("Expired"),
    ids.Status.REVOKED: _("Revoked"),
}


def page_url(typed="", json=False):
    """The verification address of ``typed`` (an id as printed, or empty for the form): absolute on
    the LMS (``LMS_ROOT_URL``, which Studio's settings carry too), a path elsewhere."""
    try:
        if typed:
            path = reverse(f"{NAMESPACE}:{'verify_json' if json else 'verify'}", kwargs={"typed": typed})
        else:
            path = reverse(f"{NAMESPACE}:verify_form")
    except NoReverseMatch:  # an id that cannot be part of a path: the form says what is wrong with it
        path = reverse(f"{NAMESPACE}:verify_form") + "?" + urlencode({"id": typed[:ids.MAX_TYPED_CHARS]})
    return getattr(settings, "LMS_ROOT_URL", "").rstrip("/") + path


def look_up(typed, gettext):
    """What verification answers for ``typed``: a wrong id is told so before any lookup; a
    well-formed one costs one indexed lookup of its exact canonical text."""
    read = ids.normalise(typed)
    if read.problem:
        return {"found": False, "malformed": True, "message": code_problem_text(read, gettext)}
    certificate = api.find_certificate(read.code)
    if certificate is None:
        return {"found": False, "malformed": False, "code": read.code, "message": gettext(_(
            "No certificate has the id {id}. Check it against the certificate; if it is right, the certificate "
            "is not genuine.")).format(id=read.code)}
    status = certificate.status(clock.now())
    return {"found": True, "malformed": False, "code": certificate.code, "status": status,
            "name": certificate.name, "programme": certificate.programme_title, "issued_at": certificate.issued_at,
            "message": gettext(STATUS_LABELS[status])}


def code_problem_text(read, gettext):
    if read.problem == ids.CodeProblem.EMPTY:
        return gettext(_("Type the certificate id, for example KKN-7Q4M-2HXD-9RTA-K3PB-M."))
    if read.problem == ids.CodeProblem.CHARACTERS:
        return gettext(_("A certificate id has only letters and digits (no U). Remove these: {chars}.")).format(
            chars=" ".join(read.bad_characters))
    if read.problem == ids.CodeProblem.LENGTH:
        return gettext(_("A certificate id has KKN and 17 letters and digits, for example "
                         "KKN-7Q4M-2HXD-9RTA-K3PB-M. Check that you typed all of it."))
    return gettext(_("That id has a typing error: its last character does not match. Check each character "
                     "against the certificate."))


def check_credential_url():
    """The page that checks an Open Badges credential someone pasted or uploaded."""
    return getattr(settings, "LMS_ROOT_URL", "").rstrip("/") + reverse(f"{NAMESPACE}:check_credential")
