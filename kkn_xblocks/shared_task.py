"""The shared development task: one text per municipality, written together (module block).

The seminar series' third part is *joint* development work of a municipality's culture manager
and business/tourism manager. With ``task_mode`` = "municipality" the module's task is one text
for the participants of a municipality (from their profile, never from the browser):

* ``shared_save`` saves the text as the next version if nobody saved since she read it (a version
  check in the record); otherwise nothing is written and she gets a clear message with both texts.
  Every save is kept with who and when: ``shared_history`` shows it (staff: for any municipality).
* ``shared_approve`` records her approval of the version she read. When the participants of every
  required role (``task_roles``) approved the current version it is submitted, and the
  submission is credited to each participant of the municipality.

Individual tasks stay the default (``task_mode`` = "individual").
"""
from xblock.fields import Scope

from . import checkin_rules
from . import module_rules as rules
from .fields import List, String
from .handlers import Refusal, json_handler
from .markup import word_count
from .records import api

INDIVIDUAL, MUNICIPALITY = "individual", "municipality"


def _(text):
    return text


TASK_MODES = (
    (INDIVIDUAL, _("Each participant writes her own task")),
    (MUNICIPALITY, _("The participants of a municipality write one task together")),
)


def missing_approvals(approvals, requirements):
    """The requirements no approval of the current version meets yet (each a tuple of role ids)."""
    return checkin_rules.missing_requirements({a.role for a in approvals}, requirements)


class SharedTaskMixin:
    """Mixed into ``DistanceModuleBlock``."""

    task_mode = String(
        display_name=_("Who writes the development task"),
        help=_("Individual: each participant writes her own. Municipality: the participants of a municipality "
               "write one text together and each of them approves it."),
        scope=Scope.settings, default=INDIVIDUAL,
        values=[{"value": v, "display_name": label} for v, label in TASK_MODES], enforce_type=True,
    )
    task_roles = List(
        display_name=_("Roles that approve a shared task"),
        help=_("One role per line (culture, business, tourism, other); \u201cbusiness/tourism\u201d means either. "
               "A shared task is submitted when a participant of every role listed has approved it."),
        scope=Scope.settings, default=checkin_rules.DEFAULT_REQUIRED_ROLES, enforce_type=True,
    )

    @property
    def task_is_shared(self):
        return self.task_mode == MUNICIPALITY

    def _requirements(self):
        return checkin_rules.role_requirements(self.task_roles)

    def _shared_profile(self, person):
        """Her profile, which says whose task she writes; a Refusal when it is not filled in."""
        profile = api.get_profile(person.key, self.programme_id)
        if profile is None or not profile.complete:
            raise Refusal(409, self.gettext(_(
                "This task is written together by your municipality. Fill in your municipality, role and region "
                "in your profile at a regional meeting of the programme first.")))
        return profile

    def _state(self, municipality):
        return api.shared_task(self.programme_id, self.module_id, municipality)

    def _approval_rows(self, state):
        rows = []
        for options in self._requirements():
            by = [a for a in state.approvals if a.role in options]
            rows.append({
                "role": "/".join(self.gettext(checkin_rules.ROLE_LABELS[r]) for r in options),
                "by": ", ".join(f"{a.name} ({self.local_time_text(a.approved_at)})" for a in by),
            })
        return rows

    def _shared_html(self, person, profile, state, message=""):
        approved = any(a.learner_key == person.key for a in state.approvals)
        last = ""
        if state.version:
            last = self.gettext(_("Version {version}, saved {time}.")).format(
                version=state.version, time=self.local_time_text(state.updated_at))
        return self.render_template("module/shared_task.html", {
            "block": self,
            "municipality": profile.municipality,
            "state": state,
            "last_saved": last,
            "approvals": self._approval_rows(state),
            "approved": approved,
            "submitted_text": self.local_time_text(state.submitted_at) if state.submitted else "",
            "message": message,
        })

    def shared_view_html(self, person):
        """The task part for the student view: her municipality's text, or what to do first."""
        if not person.known or person.is_staff:
            return ""
        try:
            profile = self._shared_profile(person)
        except Refusal as refusal:
            return self.render_template("module/shared_task.html", {"block": self, "blocked": refusal.message})
        return self._shared_html(person, profile, self._state(profile.municipality))

    # --- handlers ------------------------------------------------------------------------------------
    def _require_shared(self):
        if not self.task_is_shared:
            raise Refusal(409, self.gettext(_("This module's task is written by each participant alone.")))

    @json_handler
    def shared_save(self, payload, suffix=""):
        person = self.require_learner()
        self._require_shared()
        text = payload.text("text", rules.MAX_TASK_CHARS, strip=False)
        base = payload.integer("version", 0, 10**9)
        profile = self._shared_profile(person)
        if person.name and person.name != profile.name:
            api.rename_participant(person.key, self.programme_id, person.name)  # her row was just read
        outcome, state = api.save_shared_task(self.programme_id, self.module_id, profile.municipality, base, text,
                                              word_count(text), person.key, person.name or person.key,
                                              course_key=self.course_key_str)
        gettext = self.gettext
        if outcome == api.SaveOutcome.SUBMITTED:
            raise Refusal(409, gettext(_("Your municipality's task has already been submitted; it can no longer be "
                                         "changed.")), html=self._shared_html(person, profile, state))
        if outcome == api.SaveOutcome.CONFLICT:
            history = api.shared_task_history(self.programme_id, self.module_id, profile.municipality)
            last = history[-1] if history else None
            raise Refusal(409, gettext(_(
                "{name} saved a new version while you were writing, so your text was not saved. Both texts are "
                "shown: merge them in the text field and save again.")).format(name=last.name if last else "?"),
                conflict=True, your_text=text, current_text=state.text, version=state.version)
        message = gettext(_("Saved as version {version}.")).format(version=state.version)
        return {"version": state.version, "message": message,
                "html": self._shared_html(person, profile, state, message)}

    @json_handler
    def shared_approve(self, payload, suffix=""):
        person = self.require_learner()
        self._require_shared()
        version = payload.integer("version", 1, 10**9)
        profile = self._shared_profile(person)
        gettext = self.gettext
        state = self._state(profile.municipality)
        if state.submitted:
            raise Refusal(409, gettext(_("Your municipality's task has already been submitted.")))
        if state.version != version:
            raise Refusal(409, gettext(_(
                "The text has changed since you read it. Read the new version, then approve it.")),
                html=self._shared_html(person, profile, state))
        words = word_count(state.text)
        if words < self.task_min_words:
            raise Refusal(400, gettext(_(
                "The text has {count} words; the task needs at least {min} before it can be approved.")).format(
                count=words, min=self.task_min_words))
        requirements = self._requirements()
        state, credited = api.approve_shared_task(
            self.programme_id, self.module_id, profile.municipality, version, person.key, person.name or person.key,
            profile.role, lambda approvals: not missing_approvals(approvals, requirements), words)
        if state.version != version:
            raise Refusal(409, gettext(_(
                "The text has changed since you read it. Read the new version, then approve it.")),
                html=self._shared_html(person, profile, state))
        message = gettext(_("You have approved version {version}.")).format(version=version)
        complete = False
        if credited:
            message = gettext(_("Every required role has approved: your municipality's task is submitted."))
            if self.completion_rule == rules.CompletionRule.TASK:
                for key in credited:
                    if key != person.key:
                        api.record_completion(key, self.programme_id, self.module_id, self.module_version,
                                              module_title=self.display_name, course_key=self.course_key_str)
        if state.submitted:
            complete = self._complete_if_due(person)
        return {"submitted": state.submitted, "message": message,
                "html": self._shared_html(person, profile, state, message),
                **self._progress_payload(person, complete)}

    @json_handler
    def shared_history(self, payload, suffix=""):
        """Every saved version with who and when: her municipality's, or (staff) any municipality's."""
        person = self.person
        if person.is_staff:
            municipality = payload.text("municipality", checkin_rules.MAX_NAME_CHARS)
        else:
            person = self.require_learner()
            self._require_shared()
            municipality = self._shared_profile(person).municipality
        history = api.shared_task_history(self.programme_id, self.module_id, municipality)
        return {"html": self.render_template("module/shared_history.html", {
            "municipality": municipality,
            "revisions": [{"version": r.version, "name": r.name or r.learner_key, "words": r.word_count,
                           "time": self.local_time_text(r.saved_at), "text": r.text} for r in reversed(history)],
        })}

    def shared_staff_rows(self):
        """Staff: every municipality's shared task of this module (one query)."""
        return [{
            "municipality": t.municipality, "version": t.version, "saved": self.local_time_text(t.updated_at),
            "submitted": self.local_time_text(t.submitted_at),
        } for t in api.shared_tasks_of_module(self.programme_id, self.module_id)]
