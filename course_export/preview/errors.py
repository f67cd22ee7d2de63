"""The preview's own error pages: a short Swedish page, never Django's debug page.

The preview runs with ``DEBUG = False`` (Django's debug pages list the settings and the source),
so Django answers every error through these handlers (``handler400``... in the URLconf). The texts
are in the template, where the preview's catalog is extracted from.
"""
from django.http import HttpResponse
from django.template import loader


def error_page(status):
    # Rendered without the request: no context processor (database, session) may fail here too.
    html = loader.get_template("kkn_preview/error.html").render({"status": status})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def bad_request(request, exception=None):  # pylint: disable=unused-argument
    return error_page(400)


def forbidden(request, exception=None):  # pylint: disable=unused-argument
    return error_page(403)


def not_found(request, exception=None):  # pylint: disable=unused-argument
    return error_page(404)


def server_error(request):  # pylint: disable=unused-argument
    return error_page(500)


def csrf_failure(request, reason=""):  # pylint: disable=unused-argument
    """``CSRF_FAILURE_VIEW``: a form or handler call from another site (or without the cookie)."""
    return error_page(403)
