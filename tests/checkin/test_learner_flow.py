"""A participant at a regional meeting: profile, code check-in, present or late, completion, score."""
import pytest

from kkn_xblocks.records import api
from kkn_xblocks.records.models import Attendance, CodeAttempt, Participation

from .conftest import PROGRAMME, set_profile, staff_code

pytestmark = pytest.mark.django_db


def test_the_meeting_shows_its_sessions_in_swedish_local_time(wb, meeting):
    html = wb.render(meeting)
    for text in ["Regional träff", "Träff 2: Kommunens strategiska roll", "<strong>kommunens strategiska roll</strong>",
                 "Sessioner", "Tiderna är svensk tid.", "Malmö, Moriskan", "2026-03-10 10:00–16:00",
                 "Kaffe i entrén.", "Din profil", "Spara profilen", "Checka in", "Incheckningskod"]:
        assert text in html, text
    assert "Kursledare: incheckning" not in html


def test_the_profile_is_asked_once_and_can_be_changed(wb, meeting):
    html = wb.render(meeting)
    assert "Innan du checkar in första gången" in html and "Ändra profil" not in html
    body = set_profile(wb, meeting, municipality="Lund", role="culture")
    assert body["message"] == "Din profil har sparats."
    assert "Lund (Skåne), Kultur" in body["html"] and "Ändra profil" in body["html"]
    html = wb.render(meeting)
    assert "Lund (Skåne), Kultur" in html and "Innan du checkar in första gången" not in html
    assert "(din region)" in html
    set_profile(wb, meeting, region="Halland", municipality="Varberg", role="tourism")
    assert api.get_profile("local:student_1", PROGRAMME) == api.Profile("Anna Lindqvist", "Varberg", "tourism", "Halland")
    assert Participation.objects.count() == 1


def test_a_learner_checks_in_with_the_facilitators_code(wb, meeting, fake_clock, published):
    set_profile(wb, meeting)
    fake_clock.advance(minutes=-20)  # 09:40 Swedish time: check-in opened at 09:30
    code = staff_code(wb, meeting)
    status, body = wb.post(meeting, "check_in", {"code": code.lower()})
    assert status == 200, body
    assert body["status"] == "present"
    assert body["message"] == "Du är incheckad på Malmö, Moriskan. Välkommen!"
    assert body["records"] == ["Skåne, Malmö, Moriskan: Närvarande (registrerad 2026-03-10 09:40)."]
    assert body["more"] is False  # her region's only session is done
    row = Attendance.objects.get()
    assert (row.learner_key, row.programme_id, row.meeting_id, row.session_id, row.status, row.method, row.marked_by) == (
        "local:student_1", PROGRAMME, "traff-2", "skane-2", "present", "code", "")
    assert row.recorded_at == fake_clock()
    assert api.attended_meeting_count("local:student_1", PROGRAMME) == 1
    assert [e for e in published if e[1] == "completion"] == [("student_1", "completion", {"completion": 1.0})]
    assert not [e for e in published if e[1] == "grade"]  # weight 0: not scored
    assert CodeAttempt.objects.count() == 0  # a right code does not count against the limit
    block = wb.block(meeting)
    assert block.attendance == {"status": "present", "session": "skane-2", "recorded_at": "2026-03-10T08:40:00Z",
                                "published": "attended"}


def test_checking_in_brings_her_current_name_to_the_roster(wb, meeting, fake_clock):
    """The name in the record follows the runtime's at check-in (the roster shows it), and a refused
    check-in changes nothing."""
    set_profile(wb, meeting)
    Participation.objects.filter(learner_key="local:student_1").update(name="Gammalt namn")
    fake_clock.advance(minutes=-20)
    assert wb.post(meeting, "check_in", {"code": "AAA AAA"})[0] == 400
    assert Participation.objects.get(learner_key="local:student_1").name == "Gammalt namn"
    assert wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})[0] == 200
    assert Participation.objects.get(learner_key="local:student_1").name == "Anna Lindqvist"  # the workbench user


def test_arriving_after_the_grace_marks_late(wb, meeting, fake_clock):
    set_profile(wb, meeting)
    fake_clock.advance(minutes=16)
    status, body = wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})
    assert status == 200 and body["status"] == "late"
    assert body["message"] == "Du är incheckad på Malmö, Moriskan. Du kom efter starten, så du registreras som sen."
    assert api.attended_meeting_count("local:student_1", PROGRAMME) == 1


def test_checking_in_twice_keeps_one_row_and_the_first_time(wb, meeting, fake_clock, published):
    set_profile(wb, meeting)
    wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})
    first = Attendance.objects.get().recorded_at
    fake_clock.advance(minutes=30)
    status, body = wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})
    assert (status, body["message"]) == (200, "Du hade redan checkat in: Närvarande.")
    assert Attendance.objects.count() == 1 and Attendance.objects.get().recorded_at == first
    assert len([e for e in published if e[1] == "completion"]) == 1
    assert body["more"] is False
    assert 'data-role="checkin-form"' not in wb.render(meeting)  # nothing left to check in to


def test_a_two_day_meeting_keeps_the_form_for_the_second_day(wb, make_meeting, fake_clock):
    day_2 = {"id": "skane-2b", "region": "Skåne", "venue": "Malmö, Moriskan", "start": "2026-03-11T08:00:00Z",
             "end": "2026-03-11T12:00:00Z", "note": "Dag 2"}
    from .conftest import MEETING  # pylint: disable=import-outside-toplevel
    usage = make_meeting(sessions=[*MEETING["sessions"], day_2])
    set_profile(wb, usage)
    status, body = wb.post(usage, "check_in", {"code": staff_code(wb, usage)})
    assert status == 200 and body["more"] is True
    assert 'data-role="checkin-form"' in wb.render(usage)
    fake_clock.advance(hours=23, minutes=10)
    status, body = wb.post(usage, "check_in", {"code": staff_code(wb, usage, "skane-2b")})
    assert status == 200 and body["more"] is False and len(body["records"]) == 2
    assert api.attended_meeting_count("local:student_1", PROGRAMME) == 1  # one meeting, two days


def test_a_scored_meeting_publishes_a_grade_from_the_server(wb, make_meeting, published):
    usage = make_meeting(weight=2.0)
    block = wb.block(usage)
    assert block.has_score and block.max_score() == 1.0 and not block.has_submitted_answer()
    set_profile(wb, usage)
    wb.post(usage, "check_in", {"code": staff_code(wb, usage)})
    grades = [e for e in published if e[1] == "grade"]
    assert grades == [("student_1", "grade", {"value": 1.0, "max_value": 1.0, "only_if_higher": None})]
    block = wb.block(usage)
    assert block.get_score().raw_earned == 1.0 and block.calculate_score().raw_earned == 1.0
    assert wb.block(usage, user="student_2").calculate_score().raw_earned == 0.0


def test_an_unscored_meeting_has_no_score(wb, meeting):
    assert not wb.block(meeting).has_score


def test_a_staff_mark_reaches_the_learners_completion_on_her_next_view(wb, meeting, published):
    set_profile(wb, meeting, user="student_2", municipality="Malmö", role="business")
    status, _body = wb.post(meeting, "mark", {"session_id": "skane-2", "learner_key": "local:student_2",
                                              "status": "present"}, user="staff")
    assert status == 200
    assert not [e for e in published if e[1] == "completion"]  # the staff member's request cannot publish hers
    html = wb.render(meeting, user="student_2")
    assert "Skåne, Malmö, Moriskan: Närvarande (registrerad 2026-03-10 10:00)." in html
    assert [e for e in published if e[1] == "completion"] == [("student_2", "completion", {"completion": 1.0})]
    wb.render(meeting, user="student_2")
    assert len([e for e in published if e[1] == "completion"]) == 1  # once
    # Staff correct it to absent: the completion is withdrawn on her next view.
    wb.post(meeting, "mark", {"session_id": "skane-2", "learner_key": "local:student_2", "status": "absent"}, user="staff")
    wb.render(meeting, user="student_2")
    assert [e[2] for e in published if e[1] == "completion"] == [{"completion": 1.0}, {"completion": 0.0}]
    assert api.attended_meeting_count("local:student_2", PROGRAMME) == 0


def test_a_code_check_in_overturns_an_absent_mark(wb, meeting, fake_clock):
    set_profile(wb, meeting)
    wb.post(meeting, "mark", {"session_id": "skane-2", "learner_key": "local:student_1", "status": "absent"}, user="staff")
    fake_clock.advance(minutes=40)
    status, body = wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})
    assert (status, body["status"]) == (200, "late")
    row = Attendance.objects.get()
    assert (row.status, row.method, row.marked_by) == ("late", "code", "")


def test_a_learner_in_another_region_checks_in_to_her_own_session(wb, meeting):
    set_profile(wb, meeting, user="student_2", region="Halland", municipality="Varberg", role="tourism")
    status, body = wb.post(meeting, "check_in", {"code": staff_code(wb, meeting, "halland-2")}, user="student_2")
    assert status == 200
    assert Attendance.objects.get().session_id == "halland-2"


def test_a_learner_who_moved_region_can_check_in_there(wb, meeting):
    set_profile(wb, meeting)
    code = staff_code(wb, meeting, "halland-2")
    status, body = wb.post(meeting, "check_in", {"code": code})
    assert status == 403 and body["reason"] == "other_region"
    set_profile(wb, meeting, region="Halland", municipality="Halmstad")
    status, body = wb.post(meeting, "check_in", {"code": code})
    assert status == 200


def test_the_previous_code_still_works_after_it_changes(wb, meeting, fake_clock):
    set_profile(wb, meeting)
    code = staff_code(wb, meeting)
    fake_clock.advance(seconds=30)
    assert staff_code(wb, meeting) != code
    status, _body = wb.post(meeting, "check_in", {"code": code})
    assert status == 200


def test_anonymous_visitors_see_the_meeting_but_no_forms(wb, meeting):
    html = wb.render(meeting, user=None)
    assert "Logga in för att fylla i din profil och checka in." in html
    assert "Spara profilen" not in html and "Kursledare: incheckning" not in html


def test_the_closed_note_replaces_the_form(wb, meeting, fake_clock):
    set_profile(wb, meeting, region="Blekinge", municipality="Ronneby")
    html = wb.render(meeting)
    assert "Incheckningen till din regions session har stängt." in html
    assert 'data-role="checkin-form"' not in html
    set_profile(wb, meeting, region="Kalmar län", municipality="Kalmar")
    assert "Den här träffen har ingen session i din region (Kalmar län)." in wb.render(meeting)
    fake_clock.advance(days=1)
    set_profile(wb, meeting, region="Kronoberg", municipality="Växjö")
    assert 'data-role="checkin-form"' in wb.render(meeting)


def test_report_data_lists_each_learners_status(wb, meeting, fake_clock):
    set_profile(wb, meeting)
    wb.post(meeting, "check_in", {"code": staff_code(wb, meeting)})

    class State:
        def __init__(self, username, state):
            self.username, self.state = username, state

    block = wb.block(meeting)
    states = [State("anna", {"attendance": dict(block.attendance)}), State("erik", {}), State("maria", None),
              State("olle", {"attendance": {"published": ""}})]
    assert list(block.generate_report_data(iter(states))) == [
        ("anna", {"Status": "present", "Session": "skane-2", "Recorded at (UTC)": "2026-03-10T09:00:00Z"})]
    assert list(block.generate_report_data(iter(states), limit_responses=0)) == []



def test_index_and_mobile_data_have_no_code_or_secret(wb, meeting, settings):
    settings.XBLOCK_SETTINGS = {"MeetingCheckinBlock": {"CODE_SECRET": "operator-secret-123"}}
    block = wb.block(meeting)
    code = staff_code(wb, meeting)
    data = block.student_view_data()
    text = repr(data)
    assert code not in text and code.replace(" ", "") not in text
    assert "operator-secret-123" not in text and settings.SECRET_KEY not in text
    assert data["sessions"][0]["start"] == "2026-03-09T09:00:00Z" and data["regions"][0] == "Skåne"
    assert data["scored"] is False and data["roles"] == ["culture", "business", "tourism", "other"]
    index = block.index_dictionary()
    assert "Malmö, Moriskan" in index["content"]["text"] and index["content_type"] == "Regional meeting"


def test_learners_never_see_a_code(wb, meeting):
    set_profile(wb, meeting)
    code = staff_code(wb, meeting)
    html = wb.render(meeting, user="student_1")
    assert code not in html and code.replace(" ", "") not in html
    assert "Kursledare: incheckning" not in html and "data-role=\"code-panel\"" not in html
    assert staff_code(wb, meeting, "halland-2") in wb.render(meeting, user="staff")  # the panel's default session


def test_the_operator_secret_decides_the_code(wb, meeting, settings):
    settings.XBLOCK_SETTINGS = {"MeetingCheckinBlock": {"CODE_SECRET": "first"}}
    first = staff_code(wb, meeting)
    settings.XBLOCK_SETTINGS = {"MeetingCheckinBlock": {"CODE_SECRET": "second"}}
    second = staff_code(wb, meeting)
    settings.XBLOCK_SETTINGS = {}
    fallback = staff_code(wb, meeting)  # Django's SECRET_KEY
    assert len({first, second, fallback}) == 3
    set_profile(wb, meeting)
    status, _body = wb.post(meeting, "check_in", {"code": first})
    assert status == 400  # the secret changed: the old code is worthless
    assert wb.post(meeting, "check_in", {"code": fallback})[0] == 200


def test_codes_differ_between_blocks_and_sessions(wb, make_meeting):
    one, two = make_meeting(), make_meeting()
    assert staff_code(wb, one) != staff_code(wb, two)
    assert staff_code(wb, one, "skane-2") != staff_code(wb, one, "halland-2")


def test_late_after_and_opening_follow_the_authors_settings(wb, make_meeting, fake_clock):
    usage = make_meeting(opens_minutes_before=5, late_after_minutes=0)
    set_profile(wb, usage)
    fake_clock.advance(minutes=-6)
    status, body = wb.post(usage, "check_in", {"code": "ACD 347"})
    assert (status, body["reason"]) == (409, "too_early")
    fake_clock.advance(minutes=7)
    status, body = wb.post(usage, "check_in", {"code": staff_code(wb, usage)})
    assert (status, body["status"]) == (200, "late")  # 09:01 UTC: after a zero grace
