"""URLs of the local preview: the course preview (when a source is loaded), the plugin apps' pages
(public certificate verification, /kkn/intyg/) and the workbench's own."""
import os

from django.shortcuts import redirect
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns
from workbench.urls import urlpatterns as workbench_urlpatterns


def _start(request):
    """With a course source loaded, the preview opens on the course; otherwise on the block scenarios."""
    if os.environ.get("KKN_PREVIEW_SOURCE"):
        return redirect("kkn_preview_home")
    from workbench.views import index  # pylint: disable=import-outside-toplevel
    return index(request)


urlpatterns = [
    path("", _start, name="kkn_start"),
    path("", include("course_export.preview.urls")),
    # The plugin apps' URLs exactly as the LMS includes them (lms/urls.py: get_plugin_url_patterns).
    *get_plugin_url_patterns("lms.djangoapp"),
    *workbench_urlpatterns,
]
