"""URLs of the local preview: the course preview (when a source is loaded), the plugin apps' pages
(public certificate verification, /kkn/intyg/) and the part of the workbench our blocks need
(scenario pages, handlers, block resources, the runtime's static files).

Nothing else of the workbench is served: its ``/reset_state`` wipes every learner's state on a
plain cross-site GET and redirects to the Referer, ``/admin/``, ``/userlist/`` and ``/view/`` are
of no use here. Errors get the preview's own pages (``course_export.preview.errors``).
"""
import os

from django.contrib.staticfiles.views import serve
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns
from workbench import views as workbench_views
from xblock.exceptions import NoSuchHandlerError
from workbench.urls import urlpatterns as workbench_urlpatterns

WORKBENCH_ROUTES = {"workbench_index", "scenario", "workbench_show_scenario", "package_resource", "javascript-catalog"}


def _start(request):
    """With a course source loaded, the preview opens on the course; otherwise on the block scenarios."""
    if os.environ.get("KKN_PREVIEW_SOURCE"):
        return redirect("kkn_preview_home")
    from workbench.views import index  # pylint: disable=import-outside-toplevel
    return index(request)


def runtime_static(request, path):  # pylint: disable=redefined-outer-name
    """The workbench's and the blocks' static files (also with DEBUG off); a bad path is a 404."""
    try:
        return serve(request, path, insecure=True)
    except (SuspiciousFileOperation, ValueError, OSError):
        raise Http404(path) from None


def _handler(request, usage_id, handler_slug, suffix="", authenticated=True):
    """The workbench's handler view, but a non-ASCII address or an unknown handler is a 404: the view
    pops the path through webob as Latin-1 bytes read as UTF-8, so any other character would be its
    500, and it lets NoSuchHandlerError through. (The LMS passes the suffix from its own URL pattern;
    ids and suffixes of our blocks are ASCII.)"""
    if not request.path_info.isascii():
        raise Http404(request.path_info)
    try:
        return workbench_views.handler(request, usage_id, handler_slug, suffix, authenticated=authenticated)
    except NoSuchHandlerError:  # as the LMS answers it (lms/djangoapps/courseware/block_render.py)
        raise Http404(handler_slug) from None


HANDLER_PATH = r"(?P<usage_id>[^/]+)/(?P<handler_slug>[^/]*)(?:/(?P<suffix>.*))?$"

urlpatterns = [
    path("", _start, name="kkn_start"),
    path("", include("course_export.preview.urls")),
    # The plugin apps' URLs exactly as the LMS includes them (lms/urls.py: get_plugin_url_patterns).
    *get_plugin_url_patterns("lms.djangoapp"),
    *[pattern for pattern in workbench_urlpatterns if getattr(pattern, "name", None) in WORKBENCH_ROUTES],
    re_path(r"^handler/" + HANDLER_PATH, _handler, {"authenticated": True}, name="handler"),
    re_path(r"^unauth_handler/" + HANDLER_PATH, _handler, {"authenticated": False}, name="unauth_handler"),
    re_path(r"^static/(?P<path>.+)$", runtime_static),
]

handler400 = "course_export.preview.errors.bad_request"
handler403 = "course_export.preview.errors.forbidden"
handler404 = "course_export.preview.errors.not_found"
handler500 = "course_export.preview.errors.server_error"
