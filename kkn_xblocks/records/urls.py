"""The records app's pages, included by the LMS under ``/kkn/`` (``RecordsConfig.plugin_app``):

    /kkn/intyg/                  the form (``?id=`` sends the visitor to the id's page)
    /kkn/intyg/<id>/             the certificate's status in Swedish and English
    /kkn/intyg/<id>/json/        the same for machines
    /kkn/intyg/kontrollera/      check an Open Badges credential (pasted or uploaded)
    /kkn/intyg/status/<n>/       the credentials' revocation status list n
    /kkn/issuer/did.json         the issuer's did:web document
    /kkn/program/<programme>/    the programme's Open Badges achievement
"""
from django.urls import path

from . import badge_views, views

urlpatterns = [
    # Before intyg/<typed>/: "kontrollera" and "status" are not certificate ids.
    path("intyg/kontrollera/", badge_views.check, name="check_credential"),
    path("intyg/status/<int:number>/", badge_views.status_list, name="status_list"),
    path("issuer/did.json", badge_views.did_document, name="did_document"),
    path("program/<str:programme_id>/", badge_views.achievement, name="achievement"),
    path("intyg/", views.verify_form, name="verify_form"),
    path("intyg/<str:typed>/", views.verify, name="verify"),
    path("intyg/<str:typed>/json/", views.verify_json, name="verify_json"),
]
