"""The opt-in contact list ("kontaktytor"): nobody is listed without her choice, withdrawing
removes her at once, staff see who opted in and not more."""
import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import ContactListing

from .conftest import PROGRAMME, set_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(wb, meeting):
    set_profile(wb, meeting, user="student_1", municipality="Lund", role="culture")
    set_profile(wb, meeting, user="student_2", municipality="Lund", role="business")
    set_profile(wb, meeting, user="olle", region="Halland", municipality="Halmstad", role="tourism")
    return meeting


def names(wb, usage, user="student_2"):
    status, body = wb.post(usage, "contacts", {}, user=user)
    assert status == 200, body
    return [entry["name"] for entry in body["contacts"]], body


def choose(wb, usage, user, listed, email=None):
    data = {"listed": listed}
    if email is not None:
        data["email"] = email
    return wb.post(usage, "contact_choice", data, user=user)


def test_nobody_is_listed_without_her_choice(wb, people):
    listed, body = names(wb, people)
    assert listed == [] and "Ingen har gått med i kontaktytorna ännu." in body["html"]
    assert not ContactListing.objects.exists()


def test_she_opts_in_with_an_email_and_withdrawing_removes_her_at_once(wb, people):
    status, body = choose(wb, people, "student_1", True, "anna@lund.se")
    assert status == 200 and body["message"] == "Du finns i kontaktytorna. Andra deltagare kan nu hitta dig."
    status, body = choose(wb, people, "olle", True)
    assert status == 200
    listed, body = names(wb, people)
    assert listed == ["Anna Lindqvist", "olle"]  # Skåne before Halland, as the regions are listed
    anna = body["contacts"][0]
    assert anna == {"name": "Anna Lindqvist", "municipality": "Lund", "region": "Skåne", "role": "Kultur",
                    "email": "anna@lund.se"}
    assert body["contacts"][1]["email"] == ""
    assert 'href="mailto:anna@lund.se"' in body["html"] and "Erik Johansson" not in body["html"]
    assert 'checked' in wb.render(people, user="student_1").split('data-role="contact-listed"')[1][:20]

    status, body = choose(wb, people, "student_1", False)
    assert status == 200 and body["listed"] is False
    listed, body = names(wb, people)
    assert listed == ["olle"] and "anna@lund.se" not in body["html"]
    assert not ContactListing.objects.filter(learner_key="local:student_1").exists()


def test_staff_see_who_opted_in_not_more(wb, people):
    choose(wb, people, "student_1", True, "anna@lund.se")
    listed, body = names(wb, people, user="staff")
    assert listed == ["Anna Lindqvist"]
    assert body["contacts"][0]["email"] == "" and "anna@lund.se" not in body["html"]
    assert "Erik" not in body["html"]


def test_a_bad_email_or_a_missing_profile_is_refused_and_nothing_is_listed(wb, people, meeting):
    status, body = choose(wb, people, "student_1", True, "anna(at)lund")
    assert status == 400 and "är ingen e-postadress" in body["error"]
    status, body = choose(wb, people, "student_3", True)  # Maria has no profile
    assert status == 409 and "Fyll i din kommun, roll och region" in body["error"]
    status, body = wb.post(meeting, "contacts", {}, user="student_3")
    assert status == 403 and "Fyll i din profil först" in body["error"]
    status, body = wb.post(meeting, "contact_choice", {"listed": "ja"}, user="student_1")
    assert status == 400
    assert not ContactListing.objects.exists()
    assert api.contact_list(PROGRAMME) == []
