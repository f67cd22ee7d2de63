"""Every refusal: a clear, translated reason, the right status, and nothing changed in the record.

(A wrong code is counted in ``CodeAttempt`` on purpose: that row is the rate limit's memory, not
part of the programme record.)
"""
import json
from datetime import timedelta

import pytest

from kkn_xblocks import codes
from kkn_xblocks.records.models import Attendance

from .conftest import attempts, record_state, set_profile, staff_code

pytestmark = pytest.mark.django_db

LEARNER_HANDLERS = ["save_profile", "check_in"]
STAFF_HANDLERS = ["panel", "staff_code", "mark"]


@pytest.fixture
def ready(wb, meeting):
    """Anna (Lund, Skåne) has a profile; Erik (Halmstad, Halland) is checked in."""
    set_profile(wb, meeting)
    set_profile(wb, meeting, user="student_2", region="Halland", municipality="Halmstad", role="business")
    wb.post(meeting, "check_in", {"code": staff_code(wb, meeting, "halland-2")}, user="student_2")
    return meeting


def refused(wb, usage, handler, data, user="student_1", raw=None):
    """Post, and check that nothing in the record changed; return (status, body)."""
    before, tries = record_state(), attempts()
    status, body = wb.post(usage, handler, data, user=user, raw=raw)
    assert status >= 400, body
    assert record_state() == before
    return status, body, attempts() - tries


def test_a_wrong_code_is_refused_and_counted(wb, ready):
    status, body, counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
    assert status == 400 and body["reason"] == "wrong_code"
    assert body["error"] == "Koden är fel eller har gått ut. Skriv koden som kursledaren visar nu (4 försök kvar)."
    assert counted == 1


def test_the_code_shown_at_t_works_at_t_and_t_plus_a_step_but_not_at_t_plus_three_steps(wb, ready, fake_clock):
    step = wb.block(ready).code_step_seconds
    shown = staff_code(wb, ready)  # at t
    status, _body = wb.post(ready, "check_in", {"code": shown})
    assert status == 200  # at t
    fake_clock.advance(seconds=step)
    set_profile(wb, ready, user="student_3", municipality="Malmö", role="business")
    status, _body = wb.post(ready, "check_in", {"code": shown}, user="student_3")
    assert status == 200  # at t + step
    fake_clock.advance(seconds=2 * step)
    set_profile(wb, ready, user="student_4", municipality="Ystad", role="tourism")
    status, body, counted = refused(wb, ready, "check_in", {"code": shown}, user="student_4")
    assert (status, body["reason"], counted) == (400, "wrong_code", 1)  # at t + 3 steps: expired
    assert Attendance.objects.filter(session_id="skane-2").count() == 2


def test_an_expired_code_two_steps_later_is_refused(wb, ready, fake_clock):
    shown = staff_code(wb, ready)
    fake_clock.set(fake_clock().replace(second=0) + timedelta(seconds=60))  # two steps after the step shown
    status, body, _counted = refused(wb, ready, "check_in", {"code": shown})
    assert body["reason"] == "wrong_code"


def test_a_code_replayed_from_long_ago_is_refused(wb, ready, fake_clock):
    old = staff_code(wb, ready)
    fake_clock.advance(hours=2)  # still inside the session
    status, body, _counted = refused(wb, ready, "check_in", {"code": old})
    assert (status, body["reason"]) == (400, "wrong_code")


def test_a_code_from_another_regions_session_is_refused_with_the_reason(wb, ready):
    status, body, counted = refused(wb, ready, "check_in", {"code": staff_code(wb, ready, "halland-2")})
    assert status == 403 and body["reason"] == "other_region"
    assert body["error"] == ("Den koden gäller sessionen i Halland, men enligt din profil hör du till Skåne. Om du är "
                             "på träffen i Halland: ändra regionen i din profil och checka in igen.")
    assert counted == 0  # a genuine code is no guess


def test_too_early(wb, ready, fake_clock):
    set_profile(wb, ready, region="Kronoberg", municipality="Växjö")
    status, body, counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
    assert (status, body["reason"]) == (409, "too_early")
    assert body["error"] == "Incheckningen har inte öppnat än. Den öppnar 2026-03-11 09:30 (Växjö, Residenset)."
    fake_clock.advance(hours=7)  # no session open anywhere: the code is not even looked at
    status, body, counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
    assert (status, body["reason"], counted) == (409, "too_early", 0)


def test_closed(wb, ready, fake_clock):
    fake_clock.advance(hours=6, seconds=1)
    status, body, counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
    assert (status, body["reason"], counted) == (409, "closed", 0)
    assert body["error"] == ("Incheckningen har stängt: din regions session slutade 2026-03-10 16:00. "
                             "Be kursledaren att registrera din närvaro.")


def test_a_closed_sessions_own_code_is_refused(wb, ready, fake_clock):
    fake_clock.advance(minutes=-1)
    code = staff_code(wb, ready)
    fake_clock.set(fake_clock() + timedelta(hours=6, minutes=1, seconds=1))
    status, body, _counted = refused(wb, ready, "check_in", {"code": code})
    assert body["reason"] == "closed"


def test_no_session_in_the_learners_region(wb, ready):
    set_profile(wb, ready, region="Kalmar län", municipality="Kalmar")
    status, body, _counted = refused(wb, ready, "check_in", {"code": staff_code(wb, ready)})
    # The code was right for Skåne, and she says she is in Kalmar län.
    assert (status, body["reason"]) == (403, "other_region")
    status, body, _counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
    assert (status, body["reason"]) == (409, "no_session")
    assert body["error"] == ("Den här träffen har ingen session i din region (Kalmar län). "
                             "Kontrollera regionen i din profil.")


def test_a_learner_without_a_profile_is_asked_for_it(wb, ready):
    status, body, counted = refused(wb, ready, "check_in", {"code": staff_code(wb, ready)}, user="student_3")
    assert (status, counted) == (409, 0)
    assert body["error"] == "Fyll i din kommun, roll och region innan du checkar in."


@pytest.mark.parametrize("typed", ["123", "ACDEFHJK", "ÅÄÖ 123", "0O1 IL5", ""])
def test_text_that_cannot_be_a_code_is_explained_and_not_counted(wb, ready, typed):
    status, body, counted = refused(wb, ready, "check_in", {"code": typed})
    assert (status, counted) == (400, 0)
    assert body["error"] == "En incheckningskod har 6 bokstäver och siffror, till exempel K7M 3PX. Kontrollera vad du skrev."


def test_the_wrong_code_limit_holds_across_requests(wb, ready, fake_clock):
    for left in (4, 3, 2, 1, 0):
        status, body, _counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
        assert status == 400 and body["error"].endswith(f"({left} försök kvar).")
    # The sixth attempt is refused before the code is even checked: the right code too.
    status, body, counted = refused(wb, ready, "check_in", {"code": staff_code(wb, ready)})
    assert (status, counted) == (429, 0)
    assert body["error"] == ("För många felaktiga koder. Vänta 10 minuter och försök igen, eller be kursledaren att "
                             "registrera dig som närvarande.")
    # Another learner is not affected.
    set_profile(wb, ready, user="student_3", municipality="Malmö", role="business")
    assert wb.post(ready, "check_in", {"code": staff_code(wb, ready)}, user="student_3")[0] == 200
    # Ten minutes after the first wrong code, she may try again.
    fake_clock.advance(minutes=10)
    status, body = wb.post(ready, "check_in", {"code": staff_code(wb, ready)})
    assert (status, body["status"]) == (200, "present")  # 09:10 UTC: within the 15 minutes' grace


def test_the_limit_follows_the_operator_settings(wb, ready, settings):
    settings.XBLOCK_SETTINGS = {"MeetingCheckinBlock": {"CODE_ATTEMPTS": 2, "CODE_ATTEMPT_WINDOW_SECONDS": 120}}
    assert refused(wb, ready, "check_in", {"code": "ACD 347"})[0] == 400
    assert refused(wb, ready, "check_in", {"code": "ACD 347"})[0] == 400
    status, body, _counted = refused(wb, ready, "check_in", {"code": "ACD 347"})
    assert status == 429 and "Vänta 2 minuter" in body["error"]


@pytest.mark.parametrize("handler", LEARNER_HANDLERS + STAFF_HANDLERS + ["studio_submit"])
@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "\"text\"", "", "\xff\xfe"])
def test_malformed_bodies_get_a_translated_400(wb, ready, handler, raw):
    user = "staff" if handler in STAFF_HANDLERS else "student_1"
    status, body, counted = refused(wb, ready, handler, None, user=user, raw=raw)
    assert (status, counted) == (400, 0)
    assert body["error"] == "Anropet kunde inte läsas. Ladda om sidan och försök igen."


@pytest.mark.parametrize("handler, data, message", [
    ("check_in", {}, "Fältet ”code” måste vara text."),
    ("check_in", {"code": 123456}, "Fältet ”code” måste vara text."),
    ("check_in", {"code": "A" * 33}, "Fältet ”code” är för långt: högst 32 tecken, men det var 33."),
    ("save_profile", {"region": "Skåne", "municipality": "Lund"}, "Fältet ”role” måste vara text."),
    ("save_profile", {"region": "Gotland", "municipality": "Visby", "role": "culture"}, "Välj din region i listan."),
    ("save_profile", {"region": "Skåne", "municipality": "Varberg", "role": "culture"},
     "”Varberg” är inte en kommun i Skåne. Välj din kommun i listan."),
    ("save_profile", {"region": "Skåne", "municipality": "Lund", "role": "chef"},
     "Välj din roll: kultur, näringsliv, turism eller annat."),
    ("save_profile", {"region": ["Skåne"], "municipality": "Lund", "role": "culture"}, "Fältet ”region” måste vara text."),
])
def test_wrong_learner_input_gets_a_translated_400(wb, ready, handler, data, message):
    status, body, _counted = refused(wb, ready, handler, data)
    assert (status, body["error"]) == (400, message)


@pytest.mark.parametrize("handler, data, message", [
    ("panel", {"session_id": "gotland-2"},
     "Fältet ”session_id” måste vara något av: blekinge-2, halland-2, kronoberg-2, skane-2."),
    ("staff_code", {"session_id": "skane-2", "page_url": "javascript:alert(1)"},
     "Fältet ”page_url” måste vara en webbadress (http eller https)."),
    ("staff_code", {"session_id": "kronoberg-2"},
     "Incheckningen till den här sessionen är inte öppen, så det finns ingen kod att visa."),
    ("mark", {"session_id": "skane-2", "learner_key": "local:student_1", "status": "sjuk"},
     "Fältet ”status” måste vara något av: absent, excused, late, present."),
    ("mark", {"session_id": "skane-2", "learner_key": "local:nobody", "status": "present"},
     "Personen är inte deltagare i programmet. Ladda om deltagarlistan."),
    ("mark", {"session_id": "skane-2", "learner_key": 7, "status": "present"}, "Fältet ”learner_key” måste vara text."),
])
def test_wrong_staff_input_gets_a_translated_4xx(wb, ready, handler, data, message):
    status, body, _counted = refused(wb, ready, handler, data, user="staff")
    assert status in (400, 409) and body["error"] == message


@pytest.mark.parametrize("handler, data", [
    ("panel", {"session_id": "skane-2"}),
    ("staff_code", {"session_id": "skane-2", "page_url": "http://testserver/"}),
    ("mark", {"session_id": "skane-2", "learner_key": "local:student_1", "status": "present"}),
])
def test_learners_calling_staff_handlers_get_403(wb, ready, handler, data):
    status, body, _counted = refused(wb, ready, handler, data)
    assert (status, body["error"]) == (403, "Bara kursens personal kan göra detta.")
    assert "code" not in body and "html" not in body


def test_learners_cannot_download_the_roster(wb, ready):
    response = wb.get(ready, "roster_csv", suffix="halland-2")
    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "Bara kursens personal kan göra detta."
    assert "Halmstad" not in response.content.decode()


def test_an_unknown_session_in_the_csv_address_is_a_404(wb, ready):
    response = wb.get(ready, "roster_csv", user="staff", suffix="gotland-9")
    assert response.status_code == 404
    assert json.loads(response.content)["error"] == "Den sessionen finns inte i den här träffen. Ladda om sidan."


def test_anonymous_users_cannot_check_in(wb, ready):
    for handler in LEARNER_HANDLERS:
        status, body, _counted = refused(wb, ready, handler, {"code": "ACD 347"}, user="")
        assert (status, body["error"]) == (403, "Logga in för att spara ditt arbete.")


def test_a_get_is_refused_with_405(wb, ready):
    response = wb.get(ready, "check_in")
    assert response.status_code == 405
    assert json.loads(response.content)["error"] == "Den här adressen tar bara emot POST-anrop."


def test_the_code_alphabet_is_what_the_error_message_promises():
    assert "K7M3PX" == codes.normalise("k7m 3px")
