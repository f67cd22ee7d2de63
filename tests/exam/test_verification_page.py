"""Public certificate verification is a page of the records app, routed as Open edX routes plugin
apps' URLs: it answers without login and without the course, so a certificate stays verifiable
after its course has ended or when the exam's unit is staff-only; it is rate limited per address."""
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import resolve
from django.urls.resolvers import URLResolver
from edx_django_utils.plugins import get_plugin_url_patterns
from workbench.runtime import WorkbenchRuntime

from kkn_xblocks.records import views
from kkn_xblocks.records.models import Certificate

from .conftest import make_eligible, take

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(wb, exam):
    """A certificate issued by the exam, as a learner earns it."""
    make_eligible()
    take(wb, exam)
    return Certificate.objects.get().code


@pytest.mark.parametrize("project", ["lms.djangoapp", "cms.djangoapp"])
def test_the_plugin_app_registers_the_page_as_open_edx_includes_plugin_urls(project):
    """edx-django-utils' get_plugin_url_patterns (edx_django_utils/plugins/plugin_urls.py) is what
    lms/urls.py and cms/urls.py of openedx-platform extend their URL patterns with."""
    patterns = get_plugin_url_patterns(project)
    ours = [p for p in patterns if isinstance(p, URLResolver) and p.namespace == "kkn_records"]
    assert len(ours) == 1
    match = ours[0].resolve("kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-M/")
    assert match.func is views.verify and match.kwargs == {"typed": "KKN-7Q4M-2HXD-9RTA-K3PB-M"}
    assert ours[0].resolve("kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-M/json/").func is views.verify_json
    assert resolve("/kkn/intyg/").func is views.verify_form  # the local runtime serves the same URLs


def test_a_certificate_verifies_without_login_after_its_course_ended_and_with_a_staff_only_exam(
        certificate, monkeypatch):
    """In the LMS a course that has ended, is not public or keeps the exam in a staff-only unit makes
    the exam unloadable for a visitor (get_block_by_usage_id's access checks). The page loads no
    block at all, so none of that can stop it."""
    def no_block(*_args, **_kwargs):
        raise AssertionError("the verification page loaded a block")
    monkeypatch.setattr(WorkbenchRuntime, "get_block", no_block)
    visitor = Client()  # no session, no login

    page = visitor.get(f"/kkn/intyg/{certificate}/")
    assert page.status_code == 200 and "_auth_user_id" not in visitor.session
    html = page.content.decode()
    for text in ("Certifikatet är äkta och giltigt.", "The certificate is genuine and valid.", "Anna Lindqvist",
                 "Certifierad näringslivsutvecklare", "10 mars 2026", "10 March 2026", certificate):
        assert text in html, text
    answer = visitor.get(f"/kkn/intyg/{certificate.lower().replace('-', ' ')}/json/")
    assert answer.status_code == 200
    assert json.loads(answer.content) == {"id": certificate, "status": "valid", "name": "Anna Lindqvist",
                                          "programme": "Certifierad näringslivsutvecklare", "issued": "2026-03-10"}


def test_only_id_name_programme_date_and_status_are_shown(certificate):
    html = Client().get(f"/kkn/intyg/{certificate}/").content.decode()
    for private in ("local:student_1", "2028", "100 %", "Slutprov", "modul-1"):
        assert private not in html, private  # learner key, expiry, score, exam, modules
    assert '<html lang="sv">' in html and "<style>" in html and "<script" not in html


def test_an_unknown_id_is_a_404_and_a_mistyped_one_a_400():
    unknown = Client().get("/kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-M/")
    assert unknown.status_code == 404
    assert "Det finns inget certifikat med id KKN-7Q4M-2HXD-9RTA-K3PB-M." in unknown.content.decode()
    answer = Client().get("/kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-M/json/")
    assert answer.status_code == 404 and json.loads(answer.content)["status"] == "unknown"
    assert Client().get("/kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-N/").status_code == 400


def test_the_form_sends_the_visitor_to_the_ids_page(certificate):
    response = Client().get("/kkn/intyg/", {"id": certificate.lower()})
    assert response.status_code == 302 and response["Location"] == f"/kkn/intyg/{certificate}/"
    mistyped = Client().get("/kkn/intyg/", {"id": "KKN/7Q4M"})
    assert mistyped.status_code == 400 and 'aria-invalid="true"' in mistyped.content.decode()


def test_a_form_submission_counts_once_against_the_limit(certificate, settings):
    settings.KKN_VERIFICATION_RATE_LIMIT = (2, 60)
    visitor = Client()
    for _ in range(2):
        assert visitor.get("/kkn/intyg/", {"id": certificate}, follow=True).status_code == 200
    assert visitor.get("/kkn/intyg/", {"id": certificate}, follow=True).status_code == 429


def test_the_answer_is_in_swedish_and_english_whatever_the_readers_language(certificate):
    html = Client().get(f"/kkn/intyg/{certificate}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<section class="kkn-card kkn-verify__result kkn-verify__result--valid" lang="sv"' in html
    assert '<section class="kkn-card kkn-verify__result kkn-verify__result--valid" lang="en"' in html
    assert "The certificate is genuine and valid." in html and "Certifikatet är äkta och giltigt." in html


def test_past_its_limit_an_address_gets_429_until_the_window_ends(certificate, settings):
    del settings.KKN_VERIFICATION_RATE_LIMIT  # the default: 30 look-ups a minute per address
    visitor = Client()
    for _ in range(30):
        assert visitor.get(f"/kkn/intyg/{certificate}/").status_code == 200
    refused = visitor.get(f"/kkn/intyg/{certificate}/")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "För många kontroller från din adress. Vänta en minut och försök igen." in refused.content.decode()
    assert "Anna Lindqvist" not in refused.content.decode() and 'aria-invalid' not in refused.content.decode()
    answer = visitor.get(f"/kkn/intyg/{certificate}/json/")
    assert answer.status_code == 429 and json.loads(answer.content)["status"] == "rate_limited"
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert elsewhere.get(f"/kkn/intyg/{certificate}/json/").status_code == 200
    cache.clear()  # the window ended
    assert visitor.get(f"/kkn/intyg/{certificate}/").status_code == 200


def test_behind_the_platforms_private_proxy_each_visitor_has_her_own_count(certificate, settings):
    settings.KKN_VERIFICATION_RATE_LIMIT = (1, 60)
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert first.get(f"/kkn/intyg/{certificate}/json/").status_code == 200
    assert first.get(f"/kkn/intyg/{certificate}/json/").status_code == 429
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert second.get(f"/kkn/intyg/{certificate}/json/").status_code == 200
