"""Regional-meeting check-in block (``kkn_checkin``): one per meeting occasion.

Learner flow, top to bottom:
1. ``student_view`` shows the meeting and its regional sessions in Swedish local time, her profile
   (municipality, role, region: asked once, editable) and, while her region's session is open, a
   field for the code the facilitator shows. Scanning the facilitator's QR code opens the unit with
   the code filled in (``?kkn_code=``).
2. ``save_profile`` stores the profile in the programme record (the roster groups by it).
3. ``check_in`` checks the code on the server against the open sessions (current or previous
   time step only), limits wrong codes per learner, refuses with the reason (too early, closed,
   wrong code, other region), and records present or late once, whatever the concurrency.
4. Completion, and a grade when ``weight`` > 0, follow the record: published on check-in, and
   brought in step on every view (staff may mark or change a status later).

Facilitator flow (staff only, checked on the server): ``panel`` shows a session's rotating code,
its QR code and the roster grouped by municipality and role, flagging municipalities where a
required role is missing; ``staff_code`` refreshes the code; ``mark`` sets anyone's status (who and
when are recorded); ``roster_csv`` downloads the roster.

The code secret comes from the operator (``XBLOCK_SETTINGS["MeetingCheckinBlock"]["CODE_SECRET"]``,
falling back to Django's ``SECRET_KEY``); it is never stored in fields or OLX, and neither it nor
a code ever reaches a learner's browser.
"""
import math
from html import escape as _escape

import segno
from django.conf import settings as django_settings
from django.utils.safestring import mark_safe
from xblock.completable import CompletableXBlockMixin, XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope
from xblock.scorable import ScorableXBlockMixin, Score

from . import checkin_rules as rules
from . import clock, codes
from . import overview_rules
from .base import KknBlockMixin, kkn_services
from .checkin_overview import ProgrammeOverviewMixin
from .contacts import ContactListMixin
from .fields import Dict, Float, Integer, List, String
from .handlers import Refusal, json_handler
from .markup import render_markdown
from .records import api
from .studio import AuthorField, StudioFormMixin

DEFAULT_ATTEMPTS = 5
DEFAULT_ATTEMPT_WINDOW_SECONDS = 600


def _(text):
    return text


@kkn_services
class MeetingCheckinBlock(ProgrammeOverviewMixin, ContactListMixin, StudioFormMixin, KknBlockMixin, ScorableXBlockMixin,
                          CompletableXBlockMixin, XBlock):
    """A regional meeting: sessions, participant profiles, code check-in and the facilitator's roster."""

    completion_mode = XBlockCompletionMode.COMPLETABLE
    has_custom_completion = True

    # --- settings ----------------------------------------------------------------------------------
    display_name = String(
        display_name=_("Meeting title"),
        help=_("The meeting's title, shown to participants and in the course outline."),
        scope=Scope.settings, default=_("Regional meeting"), enforce_type=True,
    )
    programme_id = String(
        display_name=_("Programme id"),
        help=_("Shared by every block of the programme, in every course run. Attendance is recorded under it."),
        scope=Scope.settings, default="kkn", enforce_type=True,
    )
    meeting_id = String(
        display_name=_("Meeting id"),
        help=_("Stable id of this meeting in the programme, e.g. traff-2. "
               "Do not change it once participants have checked in."),
        scope=Scope.settings, default="traff-1", enforce_type=True,
    )
    code_step_seconds = Integer(
        display_name=_("Seconds per code"),
        help=_("How often the check-in code changes. The previous code is still accepted."),
        scope=Scope.settings, default=30, enforce_type=True,
    )
    opens_minutes_before = Integer(
        display_name=_("Check-in opens (minutes before the start)"),
        help=_("How long before a session starts participants can check in."),
        scope=Scope.settings, default=30, enforce_type=True,
    )
    late_after_minutes = Integer(
        display_name=_("Late after (minutes after the start)"),
        help=_("Participants who check in later than this after the start are marked late."),
        scope=Scope.settings, default=10, enforce_type=True,
    )
    weight = Float(
        display_name=_("Score weight"),
        help=_("0 means the meeting is not scored. Above 0, attending (present or late) gives full points."),
        scope=Scope.settings, default=0.0, enforce_type=True,
    )

    # --- content -----------------------------------------------------------------------------------
    introduction = String(
        display_name=_("Introduction"), help=_("What the meeting is about and what to bring (Markdown)."),
        scope=Scope.content, default="", enforce_type=True,
    )
    sessions = List(
        display_name=_("Sessions"),
        help=_("One regional session per line: id | region | venue | start | end | note. Times in Swedish time."),
        scope=Scope.content, default=[], enforce_type=True,
    )
    regions = List(
        display_name=_("Regions"), help=_("The regions participants meet in, one per line."),
        scope=Scope.content, default=rules.DEFAULT_REGIONS, enforce_type=True,
    )
    municipalities = Dict(
        display_name=_("Municipalities"),
        help=_("One line per region: the region, a colon, and its municipalities separated by commas."),
        scope=Scope.content, default=rules.SOUTHERN_MUNICIPALITIES, enforce_type=True,
    )
    required_roles = List(
        display_name=_("Roles every municipality needs"),
        help=_("One role per line (culture, business, tourism, other); \u201cbusiness/tourism\u201d means either. "
               "Municipalities missing one are flagged on the roster."),
        scope=Scope.content, default=rules.DEFAULT_REQUIRED_ROLES, enforce_type=True,
    )

    # --- the learner's state here (the record is the truth; this mirrors it) -------------------------
    attendance = Dict(
        scope=Scope.user_state, default={},
        help=_("The learner's status here as last read from the record (status, session, recorded_at) and "
               "what this block last told the runtime (published)."),
    )
    raw_earned = Float(scope=Scope.user_state, default=None, help=_("The raw score last published (0 or 1)."))

    author_fields = (
        AuthorField("display_name", required=True, max_chars=200),
        AuthorField("programme_id", required=True, max_chars=64),
        AuthorField("meeting_id", required=True, max_chars=64),
        AuthorField("introduction", kind="markdown"),
        AuthorField("sessions", kind="custom", rows=8, to_text=rules.sessions_to_text, from_text=rules.parse_sessions,
                    example=_("Example:\nskane-2 | Skåne | Malmö, Moriskan | 2026-03-10 10:00 | 2026-03-10 16:00 | "
                              "Vi börjar med kaffe i entrén.")),
        AuthorField("regions", kind="lines", rows=6),
        AuthorField("municipalities", kind="custom", rows=10, to_text=rules.municipalities_to_text,
                    from_text=rules.parse_municipalities,
                    example=_("To add the R10 municipalities, add the region \u201cR10 \u2013 Västerbottens och "
                              "Norrbottens inland\u201d to the regions and this line here:\n"
                              "R10 \u2013 Västerbottens och Norrbottens inland: Arjeplog, Arvidsjaur, Dorotea, "
                              "Lycksele, Malå, Norsjö, Sorsele, Storuman, Vilhelmina, Åsele")),
        AuthorField("required_roles", kind="custom", rows=3, to_text=rules.required_roles_to_text,
                    from_text=rules.parse_required_roles),
        AuthorField("opens_minutes_before", kind="integer", minimum=0, maximum=24 * 60),
        AuthorField("late_after_minutes", kind="integer", minimum=0, maximum=24 * 60),
        AuthorField("code_step_seconds", kind="integer", minimum=10, maximum=600),
        AuthorField("weight", kind="custom", to_text=rules.weight_to_text, from_text=rules.parse_weight),
        AuthorField("overview_meetings", kind="custom", rows=6, to_text=overview_rules.plan_to_text,
                    from_text=overview_rules.parse_plan,
                    example=_("Example:\nseminarium-1 | Seminarium 1: Vad är KKN?\nseminarium-2 | Seminarium 2")),
        AuthorField("overview_modules", kind="custom", rows=6, to_text=overview_rules.plan_to_text,
                    from_text=overview_rules.parse_plan,
                    example=_("Example:\nkkn-1-vad-ar-kkn | Vad är KKN?")),
    )

    author_template = "checkin/author.html"

    # --- rules bound to this block -------------------------------------------------------------------
    def author_problems(self, values):
        return rules.checkin_problems(values, self.gettext)

    def author_context(self):
        gettext = self.gettext
        return {
            "sessions": self._session_rows(self._sessions()),
            "roles_text": self._missing_text(rules.role_requirements(self.required_roles)),
            "rules_text": gettext(_(
                "Opens {before} minutes before the start; late from {late} minutes after the start; "
                "the code changes every {step} seconds.")).format(
                before=self.opens_minutes_before, late=self.late_after_minutes, step=self.code_step_seconds),
            "score_text": gettext(_("Attending gives {weight} points.")).format(weight=f"{self.weight:g}")
            if self.has_score else gettext(_("Not scored.")),
            "regions": [
                {"name": region, "count_text": self.ngettext(
                    "{count} municipality", "{count} municipalities",
                    len(rules.municipalities_of(self.municipalities, region)),
                ).format(count=len(rules.municipalities_of(self.municipalities, region)))}
                for region in self.regions
            ],
        }

    @property
    def has_score(self):
        """Scored only when the author gives the meeting a weight."""
        return bool(self.weight and self.weight > 0)

    def _sessions(self):
        return rules.sessions_from_field(self.sessions)

    def _session(self, payload):
        sessions = self._sessions()
        session_id = payload.choice("session_id", {s.id for s in sessions})
        return rules.find_session(sessions, session_id)

    def _code_key(self):
        secret = self.operator_setting("CODE_SECRET") or getattr(django_settings, "SECRET_KEY", "")
        return codes.derive_key(secret)

    def _code_scope(self, session):
        return (self.usage_key_str, self.programme_id, self.meeting_id, session.id)

    def _attempt_limits(self):
        attempts = self.operator_setting("CODE_ATTEMPTS", DEFAULT_ATTEMPTS)
        window = self.operator_setting("CODE_ATTEMPT_WINDOW_SECONDS", DEFAULT_ATTEMPT_WINDOW_SECONDS)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            attempts = DEFAULT_ATTEMPTS
        if isinstance(window, bool) or not isinstance(window, int) or window < 60:
            window = DEFAULT_ATTEMPT_WINDOW_SECONDS
        return attempts, window

    @property
    def _attempt_scope(self):
        return f"checkin|{self.programme_id}|{self.meeting_id}"

    def _records(self, person):
        return api.attendance_for(person.key, self.programme_id, self.meeting_id)

    # --- grading and completion: the record decides, never the browser -----------------------------
    def max_score(self):
        return 1.0

    def has_submitted_answer(self):
        return self.raw_earned is not None

    def get_score(self):
        return Score(raw_earned=self.raw_earned or 0.0, raw_possible=1.0)

    def set_score(self, score):
        self.raw_earned = score.raw_earned

    def calculate_score(self):
        person = self.person
        attended = person.known and any(r.attended for r in self._records(person))
        return Score(raw_earned=1.0 if attended else 0.0, raw_possible=1.0)

    def _sync_with_record(self, records):
        """Publish completion (and the grade when scored) whenever the record changed since last time.

        The user state is written only when something changed: one field, so one write.
        """
        attended = [r for r in records if r.attended]
        shown = attended[0] if attended else (records[0] if records else None)
        state = "attended" if attended else ("recorded" if records else "")
        attendance = self.attendance
        published = attendance.get("published", "")
        if state != published and "attended" in (state, published):
            earned = 1.0 if state == "attended" else 0.0
            self.emit_completion(earned)
            if self.has_score:
                score = Score(raw_earned=earned, raw_possible=1.0)
                self.set_score(score)
                self._publish_grade(score)
        mirrored = {
            "status": shown.status if shown else "",
            "session": shown.session_id if shown else "",
            "recorded_at": rules.utc_text(shown.recorded_at) if shown else "",
            "published": state,
        }
        if mirrored != self.attendance:
            self.attendance = mirrored

    # --- views -------------------------------------------------------------------------------------
    def _when(self, session):
        start, end = self.local_time_text(session.start), self.local_time_text(session.end)
        if start[:10] == end[:10]:
            end = end[11:]
        return f"{start}\u2013{end}"

    def _session_rows(self, sessions, region=""):
        return [
            {"id": s.id, "region": s.region, "venue": s.venue, "when": self._when(s), "note": s.note,
             "own": bool(region) and s.region == region}
            for s in sessions
        ]

    @XBlock.supports("multi_device")  # the LMS asks the view, not the class (XBlock.has_support)
    def student_view(self, context=None):
        person = self.person
        gettext = self.gettext
        sessions = self._sessions()
        profile = api.get_profile(person.key, self.programme_id) if person.known else None
        panel_html = learner_html = ""
        panel_session = None
        if person.is_staff:
            panel_session = rules.default_session(sessions, clock.now(), self.opens_minutes_before)
            panel_html = self._panel_html(panel_session) if panel_session else ""
        else:
            learner_html = self._learner_html(person, profile, sessions)
        html = self.render_template("checkin/student.html", {
            "block": self,
            "person": person,
            "introduction_html": render_markdown(self.introduction),
            "sessions": self._session_rows(sessions, profile.region if profile else ""),
            "panel_html": panel_html,
            "panel_session": panel_session.id if panel_session else "",
            "learner_html": learner_html,
            "contacts_html": self._contacts_html(person) if person.known else "",
            "overview_regions": list(self.regions) if person.is_staff else [],
            "overview_page_url": self.runtime.handler_url(self, "overview_page") if person.is_staff else "",
        })
        frag = self.make_fragment(html, "kkn-checkin.js", "KknCheckinBlock", {
            "codeParam": rules.CODE_PARAM,
            "strings": {
                "failed": gettext(_("That did not work. Check your connection and try again.")),
                "timer": gettext(_("New code in {seconds} s.")),
                "codeFilled": gettext(_("The code from the QR code has been filled in. Press \u201cCheck in\u201d.")),
                "chooseStatus": gettext(_("Choose a status first.")),
                "loaded": gettext(_("The overview has been updated.")),
            },
        })
        frag.add_css_url(self.runtime.local_resource_url(self, "public/css/kkn-checkin.css"))
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/js/kkn-municipalities.js"))
        return frag

    def _learner_html(self, person, profile, sessions, message=""):
        gettext = self.gettext
        records = []
        if person.known:
            records = self._records(person)
            self._sync_with_record(records)
        complete = bool(profile and profile.complete)
        own = [s for s in sessions if complete and s.region == profile.region]
        attended_ids = {r.session_id for r in records if r.attended}
        pending = complete and rules.waiting_sessions(sessions, profile.region, attended_ids, clock.now(),
                                                      self.opens_minutes_before)
        note = ""
        if complete and not own:
            note = gettext(_(
                "This meeting has no session in your region ({region}). Check the region in your profile."
            )).format(region=profile.region)
        elif complete and not pending and not attended_ids:
            note = gettext(_("Check-in for your region's session has closed. Ask the facilitator if you were there."))
        by_id = {s.id: s for s in sessions}
        return self.render_template("checkin/learner.html", {
            "person": person,
            "profile": profile,
            "profile_complete": complete,
            "role_label": self._role_label(profile.role, "") if complete else "",
            "regions": list(self.regions),
            "municipality_groups": [
                {"region": region, "names": rules.municipalities_of(self.municipalities, region)}
                for region in self.regions
            ],
            "roles": [(role, gettext(label)) for role, label in rules.ROLES],
            "records": [self._record_text(r, by_id.get(r.session_id)) for r in records],
            "show_form": person.known and (not complete or bool(pending)),
            "checkin_note": note,
            "step": self.code_step_seconds,
            "message": message,
        })

    def _record_text(self, record, session):
        where = f"{session.region}, {session.venue}" if session else record.session_id
        return self.gettext(_("{session}: {status} (recorded {time}).")).format(
            session=where, status=self._status_label(record.status),
            time=self.local_time_text(record.recorded_at))

    def student_view_data(self, context=None):
        """For the mobile apps: the meeting as a participant may see it. No code, no secret."""
        return {
            "display_name": self.display_name,
            "programme_id": self.programme_id,
            "meeting_id": self.meeting_id,
            "introduction_html": render_markdown(self.introduction),
            "sessions": [s.to_field() for s in self._sessions()],
            "regions": list(self.regions),
            "municipalities": {region: rules.municipalities_of(self.municipalities, region) for region in self.regions},
            "roles": list(rules.ROLE_IDS),
            "required_roles": list(self.required_roles),
            "opens_minutes_before": self.opens_minutes_before,
            "late_after_minutes": self.late_after_minutes,
            "code_step_seconds": self.code_step_seconds,
            "scored": self.has_score,
        }

    def index_dictionary(self):
        index = super().index_dictionary()
        sessions = self._sessions()
        index.setdefault("content", {}).update({
            "display_name": self.display_name,
            "text": " ".join([self.introduction, *(f"{s.region} {s.venue} {s.note}" for s in sessions)]),
        })
        index["content_type"] = "Regional meeting"
        return index

    # --- learner handlers --------------------------------------------------------------------------
    @json_handler
    def save_profile(self, payload, suffix=""):
        person = self.require_learner()
        municipality = payload.text("municipality", rules.MAX_NAME_CHARS)
        role = payload.text("role", 20)
        region = payload.text("region", rules.MAX_NAME_CHARS)
        try:
            rules.check_profile(municipality, role, region, list(self.regions), self.municipalities, self.gettext)
        except ValueError as error:
            raise Refusal(400, str(error)) from None
        profile = api.save_profile(person.key, self.programme_id, person.name, municipality, role, region)
        message = self.gettext(_("Your profile has been saved."))
        return {"message": message, "html": self._learner_html(person, profile, self._sessions(), message)}

    @json_handler
    def check_in(self, payload, suffix=""):
        person = self.require_learner()
        code = codes.normalise(payload.text("code", 32))
        if code is None:
            raise Refusal(400, self.gettext(_(
                "A check-in code has 6 letters and digits, for example K7M 3PX. Check what you typed.")))
        programme_id, meeting_id = self.programme_id, self.meeting_id
        # Her row is locked here, for the wrong-code limit below (guarded_code_check, locked=True).
        profile = api.get_profile(person.key, programme_id, lock=True)
        if profile is None or not profile.complete:
            raise Refusal(409, self.gettext(_("Fill in your municipality, role and region before you check in.")))
        now, sessions = clock.now(), self._sessions()
        session = self._session_for_code(person, profile, sessions, code, now)
        if person.name and person.name != profile.name:
            # The roster shows her current name; her row was read above (get_profile), in this transaction.
            api.rename_participant(person.key, programme_id, person.name)
        record, result, records = api.check_in_with_rows(
            person.key, programme_id, meeting_id, session.id,
            rules.arrival_status(session, now, self.late_after_minutes), when=now)
        return self._checked_in(profile, sessions, session, record, result, records, now)

    def _session_for_code(self, person, profile, sessions, code, now):
        """The session the code checks her in to; a Refusal saying why not otherwise. The caller has
        read ``profile`` with her participation row locked (``get_profile(..., lock=True)``)."""
        opens = self.opens_minutes_before
        if not rules.open_sessions(sessions, now, opens):
            # Nothing is open anywhere: the code is not even looked at, so it is not counted either.
            raise self._refusal(rules.own_region_state(sessions, profile.region, now, opens), profile)
        limit, window = self._attempt_limits()
        key, step = self._code_key(), self.code_step_seconds

        def check():
            decision = rules.decide_check_in(
                sessions, profile.region, now, opens,
                lambda session: codes.verify(key, self._code_scope(session), code, now, step),
            )
            return decision, decision.code_matched

        decision, wrong = api.guarded_code_check(person.key, self.programme_id, self._attempt_scope, limit, window,
                                                 check, when=now, course_key=self.course_key_str, locked=True)
        if decision is None:
            raise Refusal(429, self.gettext(_(
                "Too many wrong codes. Wait {minutes} minutes and try again, "
                "or ask the facilitator to mark you present."
            )).format(minutes=math.ceil(window / 60)), reason="rate_limited")
        if decision.outcome != rules.Outcome.ACCEPTED:
            refusal = self._refusal(decision, profile, tries_left=limit - wrong)
            refusal.keep = True  # a wrong code stays counted against her limit
            raise refusal
        return decision.session

    def _checked_in(self, profile, sessions, session, record, result, records, now):
        """The answer to a check-in: a message, her statuses (``records``: her rows for the meeting
        after it), and whether another session of her region still waits for a check-in (the page
        already shows the rest)."""
        gettext = self.gettext
        if result == api.CheckInResult.ALREADY:
            message = gettext(_("You had already checked in: {status}.")).format(
                status=self._status_label(record.status))
        elif record.status == rules.LATE:
            message = gettext(_(
                "You are checked in to {venue}. You arrived after the start, so you are marked late."
            )).format(venue=session.venue)
        else:
            message = gettext(_("You are checked in to {venue}. Welcome!")).format(venue=session.venue)
        self._sync_with_record(records)  # saved in the handler's transaction, with her row (handlers.py)
        by_id = {s.id: s for s in sessions}
        attended = {r.session_id for r in records if r.attended}
        return {
            "status": record.status,
            "message": message,
            "records": [self._record_text(r, by_id.get(r.session_id)) for r in records],
            "more": bool(rules.waiting_sessions(sessions, profile.region, attended, now, self.opens_minutes_before)),
        }

    def _refusal(self, decision, profile, tries_left=None):
        gettext = self.gettext
        session = decision.session
        outcome = decision.outcome
        if outcome == rules.Outcome.WRONG_CODE:
            return Refusal(400, self.ngettext(
                "That code is wrong or has expired. Type the code the facilitator shows now ({left} try left).",
                "That code is wrong or has expired. Type the code the facilitator shows now ({left} tries left).",
                tries_left,
            ).format(left=tries_left), reason=outcome)
        if outcome == rules.Outcome.OTHER_REGION:
            return Refusal(403, gettext(_(
                "That code is for the session in {region}, but your profile says {own}. If you are at the meeting in "
                "{region}, change the region in your profile and check in again."
            )).format(region=session.region, own=profile.region), reason=outcome)
        if outcome == rules.Outcome.TOO_EARLY:
            return Refusal(409, gettext(_("Check-in has not opened yet. It opens {time} ({venue}).")).format(
                time=self.local_time_text(session.opens_at(self.opens_minutes_before)), venue=session.venue),
                reason=outcome)
        if outcome == rules.Outcome.CLOSED:
            return Refusal(409, gettext(_(
                "Check-in has closed: your region's session ended {time}. Ask the facilitator to mark your attendance."
            )).format(time=self.local_time_text(session.end)), reason=outcome)
        return Refusal(409, gettext(_(
            "This meeting has no session in your region ({region}). Check the region in your profile."
        )).format(region=profile.region), reason=outcome)

    # --- facilitator -------------------------------------------------------------------------------
    def _panel_html(self, session):
        now = clock.now()
        phase = session.phase(now, self.opens_minutes_before)
        shown = None
        if phase == "open":
            shown = codes.current_code(self._code_key(), self._code_scope(session), now, self.code_step_seconds)
        return self.render_template("checkin/panel.html", {
            "session": self._session_rows([session])[0],
            "phase": phase,
            "code": shown.display if shown else "",
            "timer_text": self._timer_text(shown) if shown else "",
            "seconds_left": shown.seconds_left if shown else 0,
            "opens_text": self.local_time_text(session.opens_at(self.opens_minutes_before)),
            "roster_html": self._roster_html(session),
            "csv_url": self.runtime.handler_url(self, "roster_csv", session.id),
        })

    def _roster(self, session):
        entries = api.session_roster(self.programme_id, self.meeting_id, session.id, session.region)
        return entries, rules.group_roster(entries, rules.role_requirements(self.required_roles))

    def _roster_html(self, session):
        gettext = self.gettext
        entries, groups = self._roster(session)
        counts = rules.status_counts(entries)
        statuses = [(value, gettext(label)) for value, label in rules.STATUSES]
        row_html = _RosterRows(self, statuses)  # every label translated once, not once per row
        rows_groups, index = [], 0
        for group in groups:
            rows = []
            for entry in group.entries:
                index += 1
                rows.append(row_html(entry, index))
            rows = mark_safe("".join(rows))  # noqa: S308 - _RosterRows escapes every value it inserts
            title = group.municipality or gettext(_("Municipality not given"))
            if group.region and group.region != session.region:
                title = f"{title} ({group.region})"
            rows_groups.append({"title": title, "rows": rows, "flagged": bool(group.missing),
                                "checked": bool(group.municipality), "missing": self._missing_text(group.missing)})
        return self.render_template("checkin/roster.html", {
            "groups": rows_groups,
            "flagged": [g for g in rows_groups if g["flagged"]],
            "counts_text": self.ngettext(
                "{total} participant: {present} present, {late} late, {excused} excused, {absent} absent, "
                "{none} not recorded.",
                "{total} participants: {present} present, {late} late, {excused} excused, {absent} absent, "
                "{none} not recorded.",
                len(entries),
            ).format(total=len(entries), **counts),
        })

    def _role_label(self, role, missing="\u2013"):
        return self.gettext(rules.ROLE_LABELS[role]) if role in rules.ROLE_LABELS else missing

    def _status_label(self, status, missing="\u2013"):
        return self.gettext(rules.STATUS_LABELS[status]) if status in rules.STATUS_LABELS else missing

    def _timer_text(self, shown):
        return self.gettext(_("New code in {seconds} s.")).format(seconds=shown.seconds_left)

    def _requirement_label(self, options):
        """One required role, or its alternatives ("Kultur/Turism")."""
        return "/".join(self.gettext(rules.ROLE_LABELS[role]) for role in options)

    def _missing_text(self, missing):
        return ", ".join(self._requirement_label(options) for options in missing)

    @json_handler(writes=False)
    def panel(self, payload, suffix=""):
        self.require_staff()
        session = self._session(payload)
        return {"html": self._panel_html(session), "phase": session.phase(clock.now(), self.opens_minutes_before)}

    @json_handler(writes=False)
    def staff_code(self, payload, suffix=""):
        self.require_staff()
        session = self._session(payload)
        page_url = payload.text("page_url", rules.MAX_URL_CHARS, required=False)
        now = clock.now()
        phase = session.phase(now, self.opens_minutes_before)
        if phase != "open":
            raise Refusal(409, self.gettext(_("Check-in for this session is not open, so there is no code to show.")),
                          phase=phase)
        shown = codes.current_code(self._code_key(), self._code_scope(session), now, self.code_step_seconds)
        result = {"code": shown.display, "seconds_left": shown.seconds_left, "timer": self._timer_text(shown)}
        if page_url:
            target = rules.qr_target(page_url, shown.code)
            if target is None:
                raise Refusal(400, self.gettext(_(
                    "The field \u201cpage_url\u201d must be a web address (http or https).")))
            try:
                qr_code = segno.make(target, error="m")
            except segno.DataOverflowError:  # longer than the largest QR code (version 40) holds
                raise Refusal(400, self.gettext(_(
                    "The page address is too long for a QR code. Open the meeting page from the course and "
                    "show the code again."))) from None
            # No fixed size: a viewBox lets the page scale the code to the screen or projector.
            result["qr_svg"] = qr_code.svg_inline(
                border=2, omitsize=True, title=self.gettext(_("QR code for checking in to this meeting")))
        return result

    @json_handler
    def mark(self, payload, suffix=""):
        staff = self.require_staff()
        session = self._session(payload)
        learner_key = payload.text("learner_key", 64)
        status = payload.choice("status", set(rules.STATUS_IDS))
        names = api.names_of(self.programme_id, [learner_key])  # empty: not a participant
        if learner_key not in names:
            raise Refusal(400, self.gettext(_("This person is not a participant of the programme. Reload the roster.")))
        api.mark_attendance(learner_key, self.programme_id, self.meeting_id, session.id, status,
                            marked_by=staff.key or "", marked_by_name=staff.name)
        name = names[learner_key] or learner_key
        return {
            "message": self.gettext(_("{name}: {status}.")).format(name=name, status=self._status_label(status)),
            "html": self._roster_html(session),
        }

    @XBlock.handler
    def roster_csv(self, request, suffix=""):
        try:
            self.require_staff()
            session = rules.find_session(self._sessions(), suffix)
            if session is None:
                raise Refusal(404, self.gettext(_("There is no such session in this meeting. Reload the page.")))
        except Refusal as refusal:
            return refusal.get_response()
        gettext = self.gettext
        header = [gettext(_("Municipality")), gettext(_("Role")), gettext(_("Region")), gettext(_("Participant")),
                  gettext(_("Learner key")), gettext(_("Status")), gettext(_("Method")), gettext(_("Recorded")),
                  gettext(_("Marked by")), gettext(_("Municipality complete"))]
        rows = []
        _entries, groups = self._roster(session)
        for group in groups:
            complete = "" if not group.municipality else gettext(_("Yes") if group.complete else _("No"))
            for entry in group.entries:
                rows.append([
                    entry.municipality, self._role_label(entry.role, ""), entry.region, entry.name, entry.learner_key,
                    self._status_label(entry.status, ""),
                    {"code": gettext(_("Check-in code")), "staff": gettext(_("Marked by staff"))}.get(entry.method, ""),
                    self.local_time_text(entry.recorded_at, empty=""), entry.marked_by_name or entry.marked_by,
                    complete,
                ])
        return self.csv_response(f"{self.meeting_id}-{session.id}-narvaro.csv", header, rows)

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the LMS's "problem responses" report: each learner's status here."""
        count = 0
        for user_state in user_state_iterator:
            if limit_responses is not None and count >= limit_responses:
                return
            attendance = (user_state.state or {}).get("attendance") or {}
            if not attendance.get("status"):
                continue
            count += 1
            yield user_state.username, {
                "Status": attendance["status"],
                "Session": attendance.get("session", ""),
                "Recorded at (UTC)": attendance.get("recorded_at", ""),
            }

    @staticmethod
    def workbench_scenarios():
        from .scenarios.checkin import checkin_scenarios  # pylint: disable=import-outside-toplevel
        return checkin_scenarios()


class _RosterRows:
    """The roster's table rows as HTML, built without the template engine: a panel of a few hundred
    participants rendered each row through ``{% blocktrans %}`` and a loop of options, which cost
    more than everything else the panel does. Everything that does not depend on the participant is
    made once per request, escaped already: the role and status labels, the options of each
    status, the two "recorded" sentences. Each learner's value (key, name, the name of the staff
    member who marked her) is escaped here, as the template's autoescaping did.

    Escaping a translated text before a value goes into it is the same as escaping the result:
    ``html.escape`` replaces single characters (&, <, >, ", '), so it maps a concatenation piece
    by piece, and the values are escaped on their own (a time is digits, "-", ":" and a space)."""

    def __init__(self, block, statuses):
        gettext = block.gettext
        self.block = block
        self.root = _escape(block.dom_id("root"))
        self.roles = {role: _escape(gettext(label)) for role, label in rules.ROLE_LABELS.items()}
        self.no_role = _escape("\u2013")
        self.by_staff = _escape(gettext(_("{time}, marked by {name}")))
        self.by_code = _escape(gettext(_("{time}, with the code")))
        self.not_yet = _escape("\u2013")
        # Translations are ours (trusted); only the name put into them is escaped, as blocktrans does.
        self.status_for = gettext(_("Status for %(name)s"))
        self.save_for = gettext(_("Save status for %(name)s"))
        self.save = _escape(gettext(_("Save")))
        choose = _escape(gettext(_("Choose")))  # outside the f-string below, where extraction finds it
        choose = f'<option value="" selected>{choose}</option>'
        options = {
            current: (choose if not current else "") + "".join(
                f'<option value="{_escape(value)}"{" selected" if value == current else ""}>{_escape(label)}</option>'
                for value, label in statuses)
            for current in ["", *(value for value, _label in statuses)]
        }
        unknown_options = "".join(  # a status no longer offered: nothing selected, as before
            f'<option value="{_escape(value)}">{_escape(label)}</option>' for value, label in statuses)
        labels = {status: _escape(gettext(label)) for status, label in rules.STATUS_LABELS.items()}
        not_recorded = _escape(gettext(_("Not recorded")))
        # {status: (its label, the options with it selected)}; "" and unknown statuses as before.
        self.by_status = {status: (labels.get(status, not_recorded), options.get(status, unknown_options))
                          for status in {"", *labels, *options}}
        self.unknown_status = (not_recorded, unknown_options)

    def recorded(self, entry):
        """When and how her status was recorded, escaped."""
        if entry.recorded_at is None:
            return self.not_yet
        when = self.block.local_time_text(entry.recorded_at)
        if entry.method == "staff":
            return self.by_staff.format(time=when, name=_escape(str(entry.marked_by_name or entry.marked_by)))
        return self.by_code.format(time=when)

    def __call__(self, entry, index):
        # html.escape: what django.utils.html.escape does to a str (the same five characters), without
        # its lazy-string wrapper, which showed on a roster of hundreds of rows.
        key = _escape(str(entry.learner_key))
        name = _escape(str(entry.name or entry.learner_key))
        status, options = self.by_status.get(entry.status or "", self.unknown_status)
        return (
            f'<tr data-learner="{key}"><td>{name}</td><td>{self.roles.get(entry.role, self.no_role)}</td>'
            f'<td data-role="status">{status}</td><td>{self.recorded(entry)}</td><td>'
            f'<form class="kkn-checkin__mark" data-role="mark" data-learner="{key}" novalidate>'
            f'<select id="{self.root}-mark-{index}" name="status" aria-label="{self.status_for % {"name": name}}">'
            f'{options}</select>'
            f' <button type="submit" class="kkn-button kkn-button--secondary" '
            f'aria-label="{self.save_for % {"name": name}}">{self.save}</button></form></td></tr>\n'
        )
