"""Routes of the course preview, included by the local runtime's URLconf."""
from django.urls import path, re_path

from . import views

urlpatterns = [
    path("kurs/", views.home, name="kkn_preview_home"),
    re_path(r"^kurs/(?P<url_name>[A-Za-z0-9_-]{1,64})/$", views.unit, name="kkn_preview_unit"),
    re_path(r"^courses/(?P<course_id>[^/]+)/about/?$", views.course_about, name="kkn_preview_course"),
    re_path(r"^courses/(?P<course_id>[^/]+)/jump_to_id/(?P<url_name>[A-Za-z0-9_-]{1,64})/?$", views.jump_to),
    # Course assets are linked as /static/<name> (as in the LMS); the runtime's own files sit in subfolders.
    re_path(r"^static/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,99})$", views.asset, name="kkn_preview_asset"),
]
