"""The check-in rules as plain functions: author text, windows, decisions, profiles, rosters."""
from datetime import datetime, timedelta, timezone

import pytest

from kkn_xblocks import checkin_rules as rules
from kkn_xblocks.studio import AuthorError

UTC = timezone.utc
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def session(sid="skane-2", region="Skåne", start=T0, hours=6):
    return rules.Session(sid, region, "Malmö", start, start + timedelta(hours=hours))


# --- Author text ------------------------------------------------------------------------------

def test_sessions_are_written_in_swedish_time_and_stored_in_utc(sv_gettext):
    text = ("skane-2 | Skåne | Malmö, Moriskan | 2026-03-10 10:00 | 2026-03-10 16:00 | Kaffe | ta med mugg\n"
            "# a comment\n\n"
            "halland-2 | Halland | Varberg | 2026-06-10 10:00 | 2026-06-10 16:00")
    parsed = rules.parse_sessions(text, sv_gettext)
    assert parsed == [
        {"id": "skane-2", "region": "Skåne", "venue": "Malmö, Moriskan", "start": "2026-03-10T09:00:00Z",
         "end": "2026-03-10T15:00:00Z", "note": "Kaffe | ta med mugg"},  # winter: UTC+1
        {"id": "halland-2", "region": "Halland", "venue": "Varberg", "start": "2026-06-10T08:00:00Z",
         "end": "2026-06-10T14:00:00Z", "note": ""},  # summer: UTC+2
    ]
    assert rules.sessions_to_text(parsed) == (
        "skane-2 | Skåne | Malmö, Moriskan | 2026-03-10 10:00 | 2026-03-10 16:00 | Kaffe | ta med mugg\n"
        "halland-2 | Halland | Varberg | 2026-06-10 10:00 | 2026-06-10 16:00")
    assert rules.parse_sessions(rules.sessions_to_text(parsed), sv_gettext) == parsed


@pytest.mark.parametrize("text, message", [
    ("skane-2 | Skåne | Malmö | 2026-03-10 10:00", "Rad 1: skriv id | region | plats | start | slut, och om du vill | anteckning."),
    ("Skåne 2 | Skåne | Malmö | 2026-03-10 10:00 | 2026-03-10 16:00",
     "Rad 1: sessions-id:t ”Skåne 2” ska bestå av 1 till 64 små bokstäver, siffror, ”-” eller ”_”, till exempel ”skane-1”."),
    ("a | Skåne | Malmö | 2026-03-10 10:00 | 2026-03-10 16:00\na | Skåne | Lund | 2026-03-11 10:00 | 2026-03-11 16:00",
     "Rad 2: sessions-id:t ”a” används två gånger."),
    ("a |  | Malmö | 2026-03-10 10:00 | 2026-03-10 16:00", "Rad 1: skriv regionen (högst 100 tecken)."),
    ("a | Skåne |  | 2026-03-10 10:00 | 2026-03-10 16:00", "Rad 1: skriv platsen (högst 200 tecken)."),
    ("a | Skåne | Malmö | 10 mars 10:00 | 2026-03-10 16:00", "Rad 1: skriv starttiden som 2026-03-10 09:30 (svensk tid)."),
    ("a | Skåne | Malmö | 2026-03-10 10:00 | 16:00", "Rad 1: skriv sluttiden som 2026-03-10 16:00 (svensk tid)."),
    ("a | Skåne | Malmö | 2026-03-10 16:00 | 2026-03-10 10:00", "Rad 1: sessionen måste sluta efter att den börjar."),
    ("a | Skåne | Malmö | 2026-03-10 10:00 | 2026-03-10 10:00", "Rad 1: sessionen måste sluta efter att den börjar."),
    ("a | Skåne | Malmö | 2026-03-29 02:30 | 2026-03-29 16:00",
     "Rad 1: 2026-03-29 02:30 finns inte i svensk tid (klockan ställs om då). Välj en annan tid."),
])
def test_session_text_errors_name_the_line_and_the_fix(text, message, sv_gettext):
    with pytest.raises(AuthorError) as error:
        rules.parse_sessions(text, sv_gettext)
    assert str(error.value) == message


def test_stored_sessions_are_read_defensively():
    good = {"id": "a", "region": "Skåne", "venue": "Malmö", "start": "2026-03-10T09:00:00Z",
            "end": "2026-03-10T15:00:00+00:00"}
    broken = [
        "not a dict", {**good, "id": ""}, {**good, "start": "2026-03-10 09:00"},  # no zone: ambiguous
        {**good, "end": "2026-03-10T08:00:00Z"}, {**good, "region": None}, {**good, "start": "igår"},
    ]
    later = {**good, "id": "b", "start": "2026-03-11T09:00:00Z", "end": "2026-03-11T15:00:00Z"}
    sessions = rules.sessions_from_field([later, *broken, good, {**good, "venue": "dubblett"}])
    assert [s.id for s in sessions] == ["a", "b"]  # start order; the duplicate id is skipped
    assert sessions[0].end == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_stored_session_problems_are_explained(sv_gettext):
    regions = ["Skåne"]
    good = {"id": "a", "region": "Skåne", "venue": "Malmö", "start": "2026-03-10T09:00:00Z", "end": "2026-03-10T15:00:00Z"}
    assert rules.session_problems([good], regions, sv_gettext) is None
    assert rules.session_problems([], regions, sv_gettext) == (
        "Lägg till minst en session: deltagarna kan bara checka in under en session.")
    assert rules.session_problems([good, {**good, "end": "x"}], regions, sv_gettext) == (
        "Session 2 är ofullständig: den behöver ett id, en region, en plats och en start före sitt slut.")
    assert rules.session_problems([good, good], regions, sv_gettext) == (
        "Session 2: id:t ”a” är ogiltigt eller används två gånger.")
    assert rules.session_problems([{**good, "region": "Gotland"}], regions, sv_gettext) == (
        "Session 1 (a) är i ”Gotland”, som inte är en av regionerna. Lägg till regionen eller rätta sessionen.")


def test_municipalities_text_round_trips_and_explains_errors(sv_gettext):
    text = "Halland: Falkenberg, Halmstad,  Hylte\n\n# kommentar\nBlekinge: Karlshamn"
    parsed = rules.parse_municipalities(text, sv_gettext)
    assert parsed == {"Halland": ["Falkenberg", "Halmstad", "Hylte"], "Blekinge": ["Karlshamn"]}
    assert rules.parse_municipalities(rules.municipalities_to_text(parsed), sv_gettext) == parsed
    for bad, message in [
        ("Halland Falkenberg", "Rad 1: skriv regionen, ett kolon och dess kommuner åtskilda med kommatecken, "
                               "till exempel ”Halland: Falkenberg, Halmstad”."),
        ("Halland:", "Rad 1: skriv minst en kommun efter kolonet."),
        ("Halland: A\nHalland: B", "Rad 2: regionen ”Halland” står med två gånger."),
        ("Halland: A, A", "Rad 1: en kommun står med två gånger."),
        ("Halland: " + "x" * 101, f"Rad 1: ”{'x' * 40}” är för långt (högst 100 tecken)."),
    ]:
        with pytest.raises(AuthorError) as error:
            rules.parse_municipalities(bad, sv_gettext)
        assert str(error.value) == message


def test_the_defaults_come_from_the_seeds():
    assert rules.DEFAULT_REGIONS == ["Skåne", "Halland", "Kronoberg", "Blekinge", "Kalmar län"]
    assert {len(v) for v in rules.SOUTHERN_MUNICIPALITIES.values()} == {33, 6, 8, 5, 12}
    assert "Malmö" in rules.SOUTHERN_MUNICIPALITIES["Skåne"] and "Varberg" in rules.SOUTHERN_MUNICIPALITIES["Halland"]
    assert sorted(rules.R10_MUNICIPALITIES) == sorted(
        ["Dorotea", "Lycksele", "Malå", "Norsjö", "Sorsele", "Storuman", "Vilhelmina", "Åsele", "Arvidsjaur", "Arjeplog"])
    assert rules.role_requirements(rules.DEFAULT_REQUIRED_ROLES) == [("culture",), ("business", "tourism")]


def test_required_roles_accept_ids_and_swedish_names(sv_gettext):
    assert rules.parse_required_roles("culture\nNäringsliv / turism\n\nKULTUR", sv_gettext) == [
        "culture", "business/tourism", "culture"]
    with pytest.raises(AuthorError) as error:
        rules.parse_required_roles("culture\nkommunchef", sv_gettext)
    assert str(error.value) == (
        "Rad 2: ”kommunchef” är ingen roll. Använd culture (kultur), business (näringsliv), tourism (turism) "
        "eller other (annat).")
    assert rules.required_roles_to_text(["culture", "business/tourism"]) == "culture\nbusiness/tourism"


@pytest.mark.parametrize("text, weight", [("0", 0.0), ("", 0.0), ("1", 1.0), ("2,5", 2.5), (" 10 ", 10.0)])
def test_weight_text(text, weight, sv_gettext):
    assert rules.parse_weight(text, sv_gettext) == weight


@pytest.mark.parametrize("text", ["-1", "101", "nan", "inf", "mycket"])
def test_bad_weights_are_explained(text, sv_gettext):
    with pytest.raises(AuthorError) as error:
        rules.parse_weight(text, sv_gettext)
    assert str(error.value) == "Skriv ett tal från 0 till 100, till exempel 1. 0 betyder att träffen inte ger poäng."


def test_cross_field_problems(sv_gettext):
    good = {"meeting_id": "traff-2", "regions": ["Skåne", "Halland"],
            "municipalities": {"Skåne": ["Lund"], "Halland": ["Varberg"]}, "required_roles": ["culture"],
            "sessions": [{"id": "a", "region": "Skåne", "venue": "Malmö", "start": "2026-03-10T09:00:00Z",
                          "end": "2026-03-10T15:00:00Z"}]}
    assert rules.checkin_problems(good, sv_gettext) == {}
    assert rules.checkin_problems({**good, "meeting_id": "Träff 2"}, sv_gettext) == {
        "meeting_id": "Använd 1 till 64 små bokstäver, siffror, ”-” eller ”_”, till exempel ”traff-2”."}
    assert rules.checkin_problems({**good, "municipalities": {"Skåne": ["Lund"]}}, sv_gettext) == {
        "municipalities": "Lägg till kommunerna i: Halland."}
    assert rules.checkin_problems({**good, "municipalities": {**good["municipalities"], "Gotland": ["Visby"]}},
                                  sv_gettext) == {
        "municipalities": "De här finns inte bland regionerna: Gotland. Lägg till dem bland regionerna eller ta bort dem här."}
    assert rules.checkin_problems({**good, "regions": ["Skåne", "Skåne"]}, sv_gettext)["regions"] == (
        "Varje region får bara stå med en gång.")
    assert set(rules.checkin_problems({**good, "regions": []}, sv_gettext)) == {"regions", "sessions"}
    assert rules.checkin_problems({**good, "required_roles": ["chef"]}, sv_gettext) == {
        "required_roles": "Använd rollerna culture (kultur), business (näringsliv), tourism (turism) eller other (annat)."}


# --- Windows and decisions ---------------------------------------------------------------------

def test_a_session_opens_before_its_start_and_closes_at_its_end():
    s = session()
    assert s.phase(T0 - timedelta(minutes=31), 30) == "upcoming"
    assert s.phase(T0 - timedelta(minutes=30), 30) == "open"
    assert s.phase(T0 + timedelta(hours=6), 30) == "open"
    assert s.phase(T0 + timedelta(hours=6, seconds=1), 30) == "closed"


def test_arriving_after_the_grace_is_late():
    s = session()
    assert rules.arrival_status(s, T0 - timedelta(minutes=20), 15) == rules.PRESENT
    assert rules.arrival_status(s, T0 + timedelta(minutes=15), 15) == rules.PRESENT
    assert rules.arrival_status(s, T0 + timedelta(minutes=15, seconds=1), 15) == rules.LATE
    assert rules.arrival_status(s, T0 + timedelta(seconds=1), 0) == rules.LATE


SESSIONS = [session("skane-2"), session("halland-2", "Halland"),
            session("kronoberg-2", "Kronoberg", start=T0 + timedelta(days=1)),
            session("blekinge-2", "Blekinge", start=T0 - timedelta(days=1))]


@pytest.mark.parametrize("region, valid_for, outcome, session_id", [
    ("Skåne", "skane-2", rules.Outcome.ACCEPTED, "skane-2"),
    ("Skåne", "halland-2", rules.Outcome.OTHER_REGION, "halland-2"),
    ("Skåne", None, rules.Outcome.WRONG_CODE, "skane-2"),
    ("Kronoberg", None, rules.Outcome.TOO_EARLY, "kronoberg-2"),
    ("Kronoberg", "halland-2", rules.Outcome.OTHER_REGION, "halland-2"),
    ("Blekinge", None, rules.Outcome.CLOSED, "blekinge-2"),
    ("Kalmar län", None, rules.Outcome.NO_SESSION, None),
    ("Blekinge", "blekinge-2", rules.Outcome.CLOSED, "blekinge-2"),  # a closed session's code is never checked
])
def test_check_in_decisions(region, valid_for, outcome, session_id):
    checked = []

    def matches(s):
        checked.append(s.id)
        return s.id == valid_for

    decision = rules.decide_check_in(SESSIONS, region, T0, 30, matches)
    assert decision.outcome == outcome
    assert (decision.session.id if decision.session else None) == session_id
    assert set(checked) <= {"skane-2", "halland-2"}  # only open sessions
    assert decision.code_matched is (outcome in (rules.Outcome.ACCEPTED, rules.Outcome.OTHER_REGION))


def test_staff_see_the_open_session_first_then_the_next_then_the_last():
    ordered = rules.sessions_from_field([s.to_field() for s in SESSIONS])
    assert [s.id for s in ordered] == ["blekinge-2", "halland-2", "skane-2", "kronoberg-2"]
    assert rules.default_session(ordered, T0, 30).id == "halland-2"  # open; start order, then id
    assert rules.default_session(ordered, T0 + timedelta(hours=7), 30).id == "kronoberg-2"
    assert rules.default_session(ordered, T0 + timedelta(days=3), 30).id == "kronoberg-2"  # the last to start
    assert rules.default_session([], T0, 30) is None


# --- Profiles and rosters ----------------------------------------------------------------------

def test_profiles_are_checked_against_the_authors_lists(sv_gettext):
    regions, municipalities = ["Skåne", "Halland"], {"Skåne": ["Lund", "Malmö"], "Halland": ["Varberg"]}
    assert rules.check_profile("Lund", "culture", "Skåne", regions, municipalities, sv_gettext) == ("Lund", "culture", "Skåne")
    for args, message in [
        (("Lund", "culture", "Gotland"), "Välj din region i listan."),
        (("Varberg", "culture", "Skåne"), "”Varberg” är inte en kommun i Skåne. Välj din kommun i listan."),
        (("Lund", "chef", "Skåne"), "Välj din roll: kultur, näringsliv, turism eller annat."),
    ]:
        with pytest.raises(ValueError) as error:
            rules.check_profile(*args, regions, municipalities, sv_gettext)
        assert str(error.value) == message


def entry(key, municipality, role, status="", name=None, region="Skåne"):
    return rules_entry(key, name or key, municipality, role, region, status)


def rules_entry(*args):
    from kkn_xblocks.records.attendance import RosterEntry  # pylint: disable=import-outside-toplevel
    return RosterEntry(*args)


def test_the_roster_groups_by_municipality_and_flags_missing_roles():
    entries = [
        entry("a", "Östra Göinge", "culture", "present"),
        entry("b", "Östra Göinge", "tourism", "late"),
        entry("c", "Åstorp", "business", "present"),
        entry("d", "Åstorp", "culture", "absent"),
        entry("e", "Lund", "other", "present"),
        entry("f", "Lund", "culture", ""),
        entry("g", "Ängelholm", "culture", "excused"),
        entry("h", "", "", "present"),
        entry("i", "Lund", "business", "present", name="Berit"),
        entry("j", "Lund", "business", "present", name="Anders"),
    ]
    groups = rules.group_roster(entries, rules.role_requirements(rules.DEFAULT_REQUIRED_ROLES))
    assert [g.municipality for g in groups] == ["Lund", "Åstorp", "Ängelholm", "Östra Göinge", ""]
    by_name = {g.municipality: g for g in groups}
    assert by_name["Östra Göinge"].complete  # culture + tourism attended
    assert by_name["Åstorp"].missing == [("culture",)]  # the culture manager was absent
    assert by_name["Lund"].missing == [("culture",)]  # not recorded does not count
    assert by_name["Ängelholm"].missing == [("culture",), ("business", "tourism")]
    assert by_name[""].missing == []  # without a municipality there is nothing to check
    assert [e.learner_key for e in by_name["Lund"].entries] == ["f", "j", "i", "e"]  # role order, then name
    assert rules.status_counts(entries) == {"present": 6, "late": 1, "excused": 1, "absent": 1, "none": 1}


def test_swedish_alphabetical_order():
    names = ["Örkelljunga", "Ängelholm", "Åstorp", "Ystad", "Eslöv"]
    assert sorted(names, key=rules.swedish_sort_key) == ["Eslöv", "Ystad", "Åstorp", "Ängelholm", "Örkelljunga"]


@pytest.mark.parametrize("page, expected", [
    ("https://lms.example.org/xblock/block-v1:kkn+T1+2026+type@kkn_checkin+block@t2?view=student_view#top",
     "https://lms.example.org/xblock/block-v1:kkn+T1+2026+type@kkn_checkin+block@t2?view=student_view&kkn_code=ACD347"),
    ("http://127.0.0.1:8000/scenario/kkn_checkin.0/?student=staff&kkn_code=OLD",
     "http://127.0.0.1:8000/scenario/kkn_checkin.0/?kkn_code=ACD347"),
    ("javascript:alert(1)", None), ("/relative/path", None), ("https://" + "x" * 2000, None), (42, None),
])
def test_the_qr_link_is_the_page_with_the_code(page, expected):
    assert rules.qr_target(page, "ACD347") == expected


def test_imported_municipality_lists_are_read_defensively(sv_gettext):
    mapping = {"Skåne": "Lund", "Halland": ["Varberg", 7, None], "Blekinge": None}
    assert rules.municipalities_of(mapping, "Skåne") == []  # a string is not a list of names
    assert rules.municipalities_of(mapping, "Halland") == ["Varberg"]
    assert rules.municipalities_of("nonsense", "Halland") == []
    with pytest.raises(ValueError):  # "Lu" is in the string "Lund", but it is no municipality
        rules.check_profile("Lu", "culture", "Skåne", ["Skåne"], mapping, sv_gettext)
    problems = rules.checkin_problems({"meeting_id": "m", "regions": ["Skåne", "Halland"], "municipalities": mapping,
                                       "sessions": []}, sv_gettext)
    assert problems["municipalities"] == "Lägg till kommunerna i: Skåne."
    assert rules.checkin_problems({"meeting_id": "m", "regions": ["x" * 101], "sessions": []},
                                  sv_gettext)["regions"] == "Ett regionnamn kan ha högst 100 tecken."
