"""The records app's pages, included by the LMS under ``/kkn/`` (``RecordsConfig.plugin_app``):

    /kkn/intyg/                  the form (``?id=`` sends the visitor to the id's page)
    /kkn/intyg/<id>/             the certificate's status in Swedish and English
    /kkn/intyg/<id>/json/        the same for machines
"""
from django.urls import path

from . import views

urlpatterns = [
    path("intyg/", views.verify_form, name="verify_form"),
    path("intyg/<str:typed>/", views.verify, name="verify"),
    path("intyg/<str:typed>/json/", views.verify_json, name="verify_json"),
]
