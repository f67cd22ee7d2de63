"""Rules of the meeting check-in block, as plain functions (no runtime needed to test them).

* Sessions: what authors write (one line per regional session, Swedish local time) <-> the field
  (UTC ISO strings), and when a session is open, when arriving counts as late.
* Check-in: which refusal a learner gets (too early, closed, wrong code, other region) or which
  session she checks in to.
* Profiles and rosters: regions, municipalities and roles; which municipalities lack a required
  role (the sister programme needs both the culture manager and the business/tourism manager).
"""
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from .errors import AuthorError


def _(text):
    return text


# Authors plan meetings in Swedish time; the field keeps UTC so that the OLX means one instant.
AUTHOR_ZONE = ZoneInfo("Europe/Stockholm")
SESSION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MEETING_ID = SESSION_ID
MAX_SESSIONS = 50
MAX_NAME_CHARS = 100  # Participation.municipality / region
MAX_VENUE_CHARS = 200
MAX_NOTE_CHARS = 1000
MAX_WEIGHT = 100.0
TIME_FORMAT = "%Y-%m-%d %H:%M"

# --- Regions and municipalities (defaults from the seeds) ---------------------------------------

# The sister programme: five seminars rotating across the five southern regions (Regionsamverkan Syd).
SOUTHERN_MUNICIPALITIES = {
    "Skåne": [
        "Bjuv", "Bromölla", "Burlöv", "Båstad", "Eslöv", "Helsingborg", "Hässleholm", "Höganäs", "Hörby", "Höör",
        "Klippan", "Kristianstad", "Kävlinge", "Landskrona", "Lomma", "Lund", "Malmö", "Osby", "Perstorp",
        "Simrishamn", "Sjöbo", "Skurup", "Staffanstorp", "Svalöv", "Svedala", "Tomelilla", "Trelleborg",
        "Vellinge", "Ystad", "Åstorp", "Ängelholm", "Örkelljunga", "Östra Göinge",
    ],
    "Halland": ["Falkenberg", "Halmstad", "Hylte", "Kungsbacka", "Laholm", "Varberg"],
    "Kronoberg": ["Alvesta", "Lessebo", "Ljungby", "Markaryd", "Tingsryd", "Uppvidinge", "Växjö", "Älmhult"],
    "Blekinge": ["Karlshamn", "Karlskrona", "Olofström", "Ronneby", "Sölvesborg"],
    "Kalmar län": [
        "Borgholm", "Emmaboda", "Hultsfred", "Högsby", "Kalmar", "Mönsterås", "Mörbylånga", "Nybro",
        "Oskarshamn", "Torsås", "Vimmerby", "Västervik",
    ],
}
DEFAULT_REGIONS = list(SOUTHERN_MUNICIPALITIES)

# The national programme started in R10: ten inland municipalities of Västerbotten and southern
# Norrbotten. Authors add it as another region (see the example under the municipalities field).
R10_REGION = "R10 – Västerbottens och Norrbottens inland"
R10_MUNICIPALITIES = [
    "Arjeplog", "Arvidsjaur", "Dorotea", "Lycksele", "Malå", "Norsjö", "Sorsele", "Storuman", "Vilhelmina", "Åsele",
]

# --- Roles ----------------------------------------------------------------------------------------

CULTURE, BUSINESS, TOURISM, OTHER = "culture", "business", "tourism", "other"
ROLES = (
    (CULTURE, _("Culture")),
    (BUSINESS, _("Business development")),
    (TOURISM, _("Tourism")),
    (OTHER, _("Other")),
)
ROLE_IDS = tuple(role for role, _label in ROLES)
ROLE_LABELS = dict(ROLES)
# Each entry is one requirement; "a/b" is met by either role. Default: the culture manager and the
# business-or-tourism manager of every municipality.
DEFAULT_REQUIRED_ROLES = [CULTURE, f"{BUSINESS}/{TOURISM}"]

# --- Attendance statuses --------------------------------------------------------------------------

PRESENT, LATE, EXCUSED, ABSENT = "present", "late", "excused", "absent"
STATUSES = (
    (PRESENT, _("Present")),
    (LATE, _("Late")),
    (EXCUSED, _("Excused")),
    (ABSENT, _("Absent")),
)
STATUS_IDS = tuple(status for status, _label in STATUSES)
STATUS_LABELS = dict(STATUSES)
ATTENDED = frozenset({PRESENT, LATE})


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e"})  # "{|}" sort right after "z"


def swedish_sort_key(text):
    """Sort as Swedish readers expect: å, ä, ö after z (code points put ä before å)."""
    return (text or "").casefold().translate(_SWEDISH_ORDER)


# --- Sessions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Session:
    """One regional session of a meeting. Times are aware UTC datetimes."""

    id: str
    region: str
    venue: str
    start: datetime
    end: datetime
    note: str = ""

    def opens_at(self, minutes_before):
        return self.start - timedelta(minutes=minutes_before)

    def late_from(self, late_after_minutes):
        return self.start + timedelta(minutes=late_after_minutes)

    def phase(self, now, minutes_before):
        """"upcoming" before the window opens, "open" until the end, "closed" afterwards."""
        if now < self.opens_at(minutes_before):
            return "upcoming"
        if now <= self.end:
            return "open"
        return "closed"

    def to_field(self):
        return {"id": self.id, "region": self.region, "venue": self.venue, "start": utc_text(self.start),
                "end": utc_text(self.end), "note": self.note}


# Meetings are held in years a datetime can move between time zones without overflowing.
MIN_YEAR, MAX_YEAR = 2000, 2200


def utc_text(moment):
    """The field's time format: "2026-03-10T09:00:00Z"."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text):
    """An ISO-8601 time with a zone (Z or an offset) as an aware UTC datetime; None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
            return None
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def session_from_field(entry):
    """A Session from one stored dict, or None if the entry is unusable (``validate`` says why)."""
    if not isinstance(entry, dict):
        return None
    start, end = parse_utc(entry.get("start")), parse_utc(entry.get("end"))
    values = [entry.get(key) for key in ("id", "region", "venue")]
    if start is None or end is None or end <= start or not all(isinstance(v, str) and v for v in values):
        return None
    note = entry.get("note") or ""
    return Session(id=values[0], region=values[1], venue=values[2], start=start, end=end,
                   note=note if isinstance(note, str) else "")


def sessions_from_field(entries):
    """The usable sessions of the field, in start order; broken or duplicated entries are skipped."""
    seen, sessions = set(), []
    for entry in entries or []:
        session = session_from_field(entry)
        if session is not None and session.id not in seen:
            seen.add(session.id)
            sessions.append(session)
    return sorted(sessions, key=lambda s: (s.start, s.id))


def find_session(sessions, session_id):
    return next((s for s in sessions if s.id == session_id), None)


#   skane-1 | Skåne | Malmö, Moriskan | 2026-03-10 10:00 | 2026-03-10 16:00 | Lunch ingår.
#
# One session per line: id, region, venue, start, end (Swedish local time) and an optional note
# (the note may itself contain "|"). Lines starting with "#" are comments.

TIME_FORMAT_ERRORS = {
    "start": _("Line {line}: write the start as 2026-03-10 09:30 (Swedish time)."),
    "end": _("Line {line}: write the end as 2026-03-10 16:00 (Swedish time)."),
}


def _local_time(text, gettext, number, which):
    try:
        naive = datetime.strptime(text.strip(), TIME_FORMAT)
    except ValueError:
        raise AuthorError(gettext(TIME_FORMAT_ERRORS[which]).format(line=number)) from None
    if not MIN_YEAR <= naive.year <= MAX_YEAR:
        # Year 1 and 9999 have no UTC counterpart (OverflowError) and no meeting is held then.
        raise AuthorError(gettext(_("Line {line}: the year must be between {minimum} and {maximum}.")).format(
            line=number, minimum=MIN_YEAR, maximum=MAX_YEAR))
    moment = naive.replace(tzinfo=AUTHOR_ZONE)
    # A time skipped when the clocks go forward does not survive the round trip through UTC.
    if moment.astimezone(timezone.utc).astimezone(AUTHOR_ZONE).replace(tzinfo=None) != naive:
        raise AuthorError(gettext(_(
            "Line {line}: {time} does not exist in Swedish time (the clocks change then). Choose another time."
        )).format(line=number, time=text.strip()))
    return moment.astimezone(timezone.utc)


def parse_sessions(text, gettext):
    """The sessions field from the author's text; AuthorError names the line and the fix."""
    sessions, seen = [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|", 5)]
        if len(parts) < 5:
            raise AuthorError(gettext(_(
                "Line {line}: write id | region | venue | start | end, and optionally | note."
            )).format(line=number))
        session_id, region, venue, start_text, end_text = parts[:5]
        note = parts[5] if len(parts) > 5 else ""
        if not SESSION_ID.match(session_id):
            raise AuthorError(gettext(_(
                "Line {line}: the session id \u201c{id}\u201d must be 1 to 64 lowercase letters, digits, "
                "\u201c-\u201d or \u201c_\u201d, for example \u201cskane-1\u201d."
            )).format(line=number, id=session_id))
        if session_id in seen:
            raise AuthorError(gettext(_("Line {line}: the session id \u201c{id}\u201d is used twice.")).format(
                line=number, id=session_id))
        if not region or len(region) > MAX_NAME_CHARS:
            raise AuthorError(gettext(_("Line {line}: write the region (at most {limit} characters).")).format(
                line=number, limit=MAX_NAME_CHARS))
        if not venue or len(venue) > MAX_VENUE_CHARS:
            raise AuthorError(gettext(_("Line {line}: write the venue (at most {limit} characters).")).format(
                line=number, limit=MAX_VENUE_CHARS))
        if len(note) > MAX_NOTE_CHARS:
            raise AuthorError(gettext(_("Line {line}: the note is too long (at most {limit} characters).")).format(
                line=number, limit=MAX_NOTE_CHARS))
        start = _local_time(start_text, gettext, number, "start")
        end = _local_time(end_text, gettext, number, "end")
        if end <= start:
            raise AuthorError(gettext(_("Line {line}: the session must end after it starts.")).format(line=number))
        seen.add(session_id)
        sessions.append(Session(session_id, region, venue, start, end, note).to_field())
    if len(sessions) > MAX_SESSIONS:
        raise AuthorError(gettext(_("A meeting can have at most {limit} sessions.")).format(limit=MAX_SESSIONS))
    return sessions


def _author_time(text):
    moment = parse_utc(text)
    return moment.astimezone(AUTHOR_ZONE).strftime(TIME_FORMAT) if moment else str(text or "")


def sessions_to_text(entries):
    lines = []
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        parts = [str(entry.get("id", "")), str(entry.get("region", "")), str(entry.get("venue", "")),
                 _author_time(entry.get("start")), _author_time(entry.get("end"))]
        if entry.get("note"):
            parts.append(str(entry["note"]))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def session_problems(entries, regions, gettext):
    """What is wrong with the stored sessions (they may come from OLX, not from the editor)."""
    if not entries:
        return gettext(_("Add at least one session: learners can only check in during a session."))
    seen = set()
    for number, entry in enumerate(entries, start=1):
        session = session_from_field(entry)
        if session is None:
            return gettext(_(
                "Session {number} is incomplete: it needs an id, a region, a venue, and a start before its end."
            )).format(number=number)
        if not SESSION_ID.match(session.id) or session.id in seen:
            return gettext(_("Session {number}: the id \u201c{id}\u201d is not valid or is used twice.")).format(
                number=number, id=session.id)
        seen.add(session.id)
        if session.region not in regions:
            return gettext(_(
                "Session {number} ({id}) is in \u201c{region}\u201d, which is not one of the regions. "
                "Add the region or correct the session."
            )).format(number=number, id=session.id, region=session.region)
    return None


# --- Municipalities, roles, weight: author text ---------------------------------------------------
#
#   Skåne: Bjuv, Bromölla, Burlöv
#   Halland: Falkenberg, Halmstad

def parse_municipalities(text, gettext):
    result = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        region, colon, names_text = (part.strip() for part in line.partition(":"))
        if not colon or not region:
            raise AuthorError(gettext(_(
                "Line {line}: write the region, a colon and its municipalities separated by commas, "
                "for example \u201cHalland: Falkenberg, Halmstad\u201d."
            )).format(line=number))
        if region in result:
            raise AuthorError(gettext(_("Line {line}: the region \u201c{region}\u201d is listed twice.")).format(
                line=number, region=region))
        names = [name.strip() for name in names_text.split(",") if name.strip()]
        if not names:
            raise AuthorError(gettext(_("Line {line}: list at least one municipality after the colon.")).format(
                line=number))
        too_long = [name for name in [region, *names] if len(name) > MAX_NAME_CHARS]
        if too_long:
            raise AuthorError(gettext(_(
                "Line {line}: \u201c{name}\u201d is too long (at most {limit} characters)."
            )).format(line=number, name=too_long[0][:40], limit=MAX_NAME_CHARS))
        if len(set(names)) != len(names):
            raise AuthorError(gettext(_("Line {line}: a municipality is listed twice.")).format(line=number))
        result[region] = names
    return result


def municipalities_of(mapping, region):
    """The municipality names of a region; imported OLX may hold anything, so only strings count."""
    names = (mapping or {}).get(region) if isinstance(mapping, dict) else None
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def municipalities_to_text(mapping):
    return "\n".join(f"{region}: {', '.join(names)}" for region, names in (mapping or {}).items())


def role_requirements(required_roles):
    """``["culture", "business/tourism"]`` -> ``[("culture",), ("business", "tourism")]``."""
    requirements = []
    for entry in required_roles or []:
        options = tuple(part.strip() for part in str(entry).split("/") if part.strip() in ROLE_IDS)
        if options:
            requirements.append(options)
    return requirements


def parse_required_roles(text, gettext):
    """One requirement per line; "business/tourism" is met by either. Role ids or their names."""
    names = {}
    for role, label in ROLES:
        names[role] = names[label.casefold()] = names[gettext(label).casefold()] = role
    requirements = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        options = []
        for part in (p.strip() for p in line.split("/")):
            role = names.get(part.casefold())
            if role is None:
                raise AuthorError(gettext(_(
                    "Line {line}: \u201c{role}\u201d is not a role. Use culture, business, tourism or other."
                )).format(line=number, role=part[:40]))
            if role not in options:
                options.append(role)
        requirements.append("/".join(options))
    return requirements


def required_roles_to_text(required_roles):
    return "\n".join(required_roles or [])


def parse_weight(text, gettext):
    try:
        weight = float(text.strip().replace(",", ".") or "0")
    except ValueError:
        weight = -1.0
    if not 0 <= weight <= MAX_WEIGHT or weight != weight:  # also refuses NaN
        raise AuthorError(gettext(_(
            "Write a number from 0 to {limit}, for example 1. 0 means the meeting is not scored."
        )).format(limit=int(MAX_WEIGHT)))
    return weight


def weight_to_text(weight):
    return "0" if not weight else f"{weight:g}"


def checkin_problems(values, gettext):
    """Cross-field checks of the block's author fields: {field: translated message}."""
    problems = {}
    if not MEETING_ID.match(values.get("meeting_id") or ""):
        problems["meeting_id"] = gettext(_(
            "Use 1 to 64 lowercase letters, digits, \u201c-\u201d or \u201c_\u201d, for example \u201ctraff-2\u201d."))
    regions = list(values.get("regions") or [])
    municipalities = values.get("municipalities") or {}
    if not regions:
        problems["regions"] = gettext(_("List at least one region."))
    elif len(set(regions)) != len(regions):
        problems["regions"] = gettext(_("Each region may appear only once."))
    elif any(not isinstance(region, str) or len(region) > MAX_NAME_CHARS for region in regions):
        problems["regions"] = gettext(_("A region name can have at most {limit} characters.")).format(
            limit=MAX_NAME_CHARS)
    else:
        missing = [region for region in regions if not municipalities_of(municipalities, region)]
        extra = [str(region) for region in municipalities if region not in regions]
        if missing:
            problems["municipalities"] = gettext(_("Add the municipalities of: {regions}.")).format(
                regions=", ".join(missing))
        elif extra:
            problems["municipalities"] = gettext(_(
                "These are not among the regions: {regions}. Add them to the regions or remove them here."
            )).format(regions=", ".join(extra))
    sessions_problem = session_problems(values.get("sessions"), regions, gettext)
    if sessions_problem:
        problems["sessions"] = sessions_problem
    required = values.get("required_roles") or []
    if len(role_requirements(required)) != len(required):
        problems["required_roles"] = gettext(_("Use the roles culture, business, tourism or other."))
    return problems


# --- Check-in -------------------------------------------------------------------------------------

class Outcome:
    ACCEPTED = "accepted"
    OTHER_REGION = "other_region"
    WRONG_CODE = "wrong_code"
    TOO_EARLY = "too_early"
    CLOSED = "closed"
    NO_SESSION = "no_session"


@dataclass(frozen=True)
class Decision:
    outcome: str
    session: Session | None = None

    @property
    def code_matched(self):
        """The code was genuine (right here, or right for another region): not a guess."""
        return self.outcome in (Outcome.ACCEPTED, Outcome.OTHER_REGION)


def open_sessions(sessions, now, minutes_before):
    return [s for s in sessions if s.phase(now, minutes_before) == "open"]


def own_region_state(sessions, region, now, minutes_before):
    """Why the learner cannot check in to her own region's session with a code that matched nothing."""
    own = [s for s in sessions if s.region == region]
    if not own:
        return Decision(Outcome.NO_SESSION)
    phases = {s.id: s.phase(now, minutes_before) for s in own}
    open_own = [s for s in own if phases[s.id] == "open"]
    if open_own:
        return Decision(Outcome.WRONG_CODE, open_own[0])
    upcoming = [s for s in own if phases[s.id] == "upcoming"]
    if upcoming:
        return Decision(Outcome.TOO_EARLY, min(upcoming, key=lambda s: s.start))
    return Decision(Outcome.CLOSED, max(own, key=lambda s: s.end))


def decide_check_in(sessions, region, now, minutes_before, code_matches):
    """Which session the code checks the learner in to, or why not.

    ``code_matches(session)`` verifies the typed code for one session. Only open sessions are
    tried, so a code is never checked outside a window.
    """
    for session in open_sessions(sessions, now, minutes_before):
        if code_matches(session):
            if session.region == region:
                return Decision(Outcome.ACCEPTED, session)
            return Decision(Outcome.OTHER_REGION, session)
    return own_region_state(sessions, region, now, minutes_before)


def waiting_sessions(sessions, region, attended_ids, now, minutes_before):
    """Her region's sessions that are not over and that she has not attended yet."""
    return [s for s in sessions if s.region == region and s.id not in attended_ids
            and s.phase(now, minutes_before) != "closed"]


def arrival_status(session, now, late_after_minutes):
    """Present until the grace after the start has passed, late afterwards."""
    return PRESENT if now <= session.late_from(late_after_minutes) else LATE


def default_session(sessions, now, minutes_before):
    """The session staff most likely want to see: open now, else the next, else the last."""
    if not sessions:
        return None
    open_now = open_sessions(sessions, now, minutes_before)
    if open_now:
        return open_now[0]
    upcoming = [s for s in sessions if s.phase(now, minutes_before) == "upcoming"]
    return upcoming[0] if upcoming else sessions[-1]


# --- Profile --------------------------------------------------------------------------------------

def check_profile(municipality, role, region, regions, municipalities, gettext):
    """A learner's profile answers, checked against the author's lists. ValueError says what to fix."""
    if region not in regions:
        raise ValueError(gettext(_("Choose your region from the list.")))
    if municipality not in municipalities_of(municipalities, region):
        raise ValueError(gettext(_(
            "\u201c{municipality}\u201d is not a municipality in {region}. Choose your municipality from the list."
        )).format(municipality=municipality[:MAX_NAME_CHARS], region=region))
    if role not in ROLE_IDS:
        raise ValueError(gettext(_("Choose your role: culture, business development, tourism or other.")))
    return municipality, role, region


# --- Roster ---------------------------------------------------------------------------------------

@dataclass
class MunicipalityGroup:
    municipality: str
    region: str
    entries: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # unmet requirements, each a tuple of role ids

    @property
    def complete(self):
        return not self.missing


def missing_requirements(attended_roles, requirements):
    return [options for options in requirements if not set(options) & set(attended_roles)]


def group_roster(entries, requirements):
    """Roster entries grouped by municipality (Swedish order), roles in programme order within each.

    A municipality is flagged when the roles of the participants who attended (present or late) do
    not meet every requirement. Entries without a municipality come last and are never flagged.
    """
    role_order = {role: index for index, role in enumerate(ROLE_IDS)}
    groups = {}
    for entry in entries:
        key = entry.municipality or ""
        group = groups.setdefault(key, MunicipalityGroup(municipality=key, region=entry.region or ""))
        group.entries.append(entry)
    for group in groups.values():
        group.entries.sort(key=lambda e: (role_order.get(e.role, len(role_order)), swedish_sort_key(e.name),
                                          e.learner_key))
        if group.municipality:
            attended = {e.role for e in group.entries if e.status in ATTENDED}
            group.missing = missing_requirements(attended, requirements)
    return sorted(groups.values(), key=lambda g: (not g.municipality, swedish_sort_key(g.municipality)))


def status_counts(entries):
    counts = {status: 0 for status in STATUS_IDS}
    counts["none"] = 0
    for entry in entries:
        counts[entry.status if entry.status in counts else "none"] += 1
    return counts


# --- QR target ------------------------------------------------------------------------------------

CODE_PARAM = "kkn_code"
# Query parameters never carried into the QR link: an old code, and the local preview's user switch
# (a learner scanning the facilitator's screen must not become the facilitator).
DROPPED_PARAMS = {CODE_PARAM, "student"}
MAX_URL_CHARS = 2000


def qr_target(page_url, code):
    """The page the facilitator is on, with the code as ``?kkn_code=``; None if not a web address."""
    if not isinstance(page_url, str) or len(page_url) > MAX_URL_CHARS:
        return None
    try:
        parts = urlsplit(page_url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in DROPPED_PARAMS]
    query.append((CODE_PARAM, code))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
