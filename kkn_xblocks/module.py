"""Distance-module block (``kkn_module``): one per module, placed at the start of the module.

Learner flow, top to bottom:
1. ``student_view`` shows the module (number, title, weeks, outcomes), its three parts (knowledge
   from research, inspiration from practice, the development task for her municipality), the
   reading list, her programme progress from the record, and, for staff, who has done what.
2. ``save_draft`` keeps her task text in user state; ``submit_task`` checks the author's minimum
   length and stores the text in the programme record.
3. ``check_answers`` scores the optional self-check on the server (the browser never sees the key).
4. When the author's completion rule is met, the record gets the completion (once, whatever the
   concurrency), the runtime gets a completion event, and the progress shown is rebuilt from the
   record: the module counts wherever the learner took it.
"""
from xblock.completable import CompletableXBlockMixin, XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope

from . import checkin_rules, clock
from . import exam_rules
from . import module_rules as rules
from .base import KknBlockMixin, kkn_services
from .fields import Boolean, Dict, Float, Integer, List, String
from .handlers import Refusal, json_handler
from .markup import render_markdown, word_count
from .records import api
from .shared_task import TASK_MODES, SharedTaskMixin
from .studio import AuthorField, StudioFormMixin


def _(text):
    return text


@kkn_services
class DistanceModuleBlock(SharedTaskMixin, StudioFormMixin, KknBlockMixin, CompletableXBlockMixin, XBlock):
    """A distance module of the programme: content, development task, self-check, progress."""

    completion_mode = XBlockCompletionMode.COMPLETABLE
    has_custom_completion = True

    # --- settings (the module's place in the programme) ----------------------------------------
    display_name = String(
        display_name=_("Module title"), help=_("The module's title, shown to learners and in the course outline."),
        scope=Scope.settings, default=_("Distance module"), enforce_type=True,
    )
    programme_id = String(
        display_name=_("Programme id"),
        help=_("Shared by every block of the programme, in every course run. Completions are recorded under it."),
        scope=Scope.settings, default="kkn", enforce_type=True,
    )
    programme_modules = List(
        display_name=_("Programme modules"),
        help=_("The ids of all modules in the programme, one per line, in order. Progress counts these."),
        scope=Scope.settings, default=[], enforce_type=True,
    )
    module_titles = Dict(
        display_name=_("Module titles"),
        help=_("Optional. One line per module of the programme: its id, \u201c|\u201d and its title, shown in "
               "the progress list."),
        scope=Scope.settings, default={}, enforce_type=True,
    )
    module_links = Dict(
        display_name=_("Module links"),
        help=_("Optional. One line per module of the programme: its id, \u201c|\u201d and a link to it (its "
               "course's about page when each module is a course of its own)."),
        scope=Scope.settings, default={}, enforce_type=True,
    )
    module_id = String(
        display_name=_("Module id"),
        help=_("Stable id of this module in the programme, e.g. modul-1. Do not change it once learners have started."),
        scope=Scope.settings, default="modul-1", enforce_type=True,
    )
    module_version = String(
        display_name=_("Module version"),
        help=_("Recorded with each completion, so you can tell which version a learner completed."),
        scope=Scope.settings, default="1", enforce_type=True,
    )
    number = Integer(
        display_name=_("Module number"), help=_("The module's number in the programme (1, 2, 3\u2026)."),
        scope=Scope.settings, default=1, enforce_type=True,
    )
    weeks = Integer(
        display_name=_("Length in weeks"), help=_("How many weeks the module takes at the planned pace."),
        scope=Scope.settings, default=2, enforce_type=True,
    )
    completion_rule = String(
        display_name=_("Completion rule"), help=_("What a learner must do for the module to count as complete."),
        scope=Scope.settings, default=rules.CompletionRule.TASK,
        values=[{"value": v, "display_name": label} for v, label in rules.CompletionRule.CHOICES],
        enforce_type=True,
    )

    # --- content ---------------------------------------------------------------------------------
    introduction = String(
        display_name=_("Introduction"), help=_("What the module is about (Markdown)."),
        scope=Scope.content, default="", enforce_type=True,
    )
    outcomes = List(
        display_name=_("Learning outcomes"), help=_("One outcome per line: what the learner can do after the module."),
        scope=Scope.content, default=[], enforce_type=True,
    )
    knowledge = String(
        display_name=_("Knowledge from research"), help=_("The research part of the module (Markdown)."),
        scope=Scope.content, default="", enforce_type=True,
    )
    inspiration = String(
        display_name=_("Inspiration from practice"), help=_("Practical examples from municipalities and regions (Markdown)."),
        scope=Scope.content, default="", enforce_type=True,
    )
    task_prompt = String(
        display_name=_("Development task"), help=_("The task the learner does for her own municipality (Markdown)."),
        scope=Scope.content, default="", enforce_type=True,
    )
    task_min_words = Integer(
        display_name=_("Minimum words in the task"), help=_("A submitted task must have at least this many words."),
        scope=Scope.content, default=150, enforce_type=True,
    )
    reading_list = List(
        display_name=_("Reading list"), help=_("One item per line: a title, and optionally \u201c|\u201d and a link."),
        scope=Scope.content, default=[], enforce_type=True,
    )
    self_check = List(
        display_name=_("Self-check questions"),
        help=_("Optional. \u201c?\u201d starts a question, \u201c*\u201d marks the correct option, \u201c-\u201d a wrong one."),
        scope=Scope.content, default=[], enforce_type=True,
    )
    self_check_pass_percent = Integer(
        display_name=_("Self-check pass mark (%)"), help=_("The share of right answers needed to pass the self-check."),
        scope=Scope.content, default=80, enforce_type=True,
    )

    # --- the learner's working state -------------------------------------------------------------
    draft = String(scope=Scope.user_state, default="", help=_("The learner's unsubmitted task text."))
    draft_saved_at = String(scope=Scope.user_state, default="", help=_("When the draft was last saved (UTC)."))
    self_check_answers = Dict(scope=Scope.user_state, default={}, help=_("The learner's last self-check answers."))
    self_check_best = Float(scope=Scope.user_state, default=None, help=_("The learner's best self-check result (%)."))
    self_check_tries = Integer(scope=Scope.user_state, default=0, help=_("How many times the learner checked answers."))
    completion_published = Boolean(scope=Scope.user_state, default=False,
                                   help=_("Whether this block has told the runtime the module is complete."))

    author_fields = (
        AuthorField("display_name", required=True, max_chars=200),
        AuthorField("number", kind="integer", minimum=1, maximum=99),
        AuthorField("weeks", kind="integer", minimum=1, maximum=52),
        AuthorField("module_id", required=True, max_chars=64),
        AuthorField("module_version", required=True, max_chars=32),
        AuthorField("programme_id", required=True, max_chars=64),
        AuthorField("programme_modules", kind="custom", rows=6,
                    to_text=rules.module_ids_to_text, from_text=rules.parse_module_ids),
        AuthorField("module_titles", kind="custom", rows=6, to_text=exam_rules.module_lines_to_text,
                    from_text=exam_rules.parse_module_lines),
        AuthorField("module_links", kind="custom", rows=6, to_text=exam_rules.module_lines_to_text,
                    from_text=exam_rules.parse_module_lines),
        AuthorField("introduction", kind="markdown"),
        AuthorField("outcomes", kind="lines"),
        AuthorField("knowledge", kind="markdown", rows=12),
        AuthorField("inspiration", kind="markdown", rows=12),
        AuthorField("task_prompt", kind="markdown", rows=8),
        AuthorField("task_min_words", kind="integer", minimum=0, maximum=5000),
        AuthorField("reading_list", kind="custom", to_text=rules.reading_list_to_text,
                    from_text=rules.parse_reading_list,
                    example=_("Example: Kulturella och kreativa näringar i kommunen | https://example.org/rapport")),
        AuthorField("self_check", kind="custom", rows=12, to_text=rules.self_check_to_text,
                    from_text=rules.parse_self_check,
                    example=_("Example:\n? Vad står KKN för?\n* Kulturella och kreativa näringar\n- Kommunala kulturnämnder")),
        AuthorField("self_check_pass_percent", kind="integer", minimum=0, maximum=100),
        AuthorField("completion_rule", kind="choice", choices=rules.CompletionRule.CHOICES),
        AuthorField("task_mode", kind="choice", choices=TASK_MODES),
        AuthorField("task_roles", kind="custom", rows=3, to_text=checkin_rules.required_roles_to_text,
                    from_text=checkin_rules.parse_required_roles),
    )

    author_template = "module/author.html"

    # --- rules bound to this block -------------------------------------------------------------
    def author_problems(self, values):
        return rules.module_problems(values, self.gettext)

    def author_context(self):
        gettext = self.gettext
        parts = []
        for title, text in ((_("Knowledge from research"), self.knowledge),
                            (_("Inspiration from practice"), self.inspiration),
                            (_("Development task"), self.task_prompt)):
            words = word_count(text)
            parts.append({"title": gettext(title), "html": render_markdown(text),
                          "words_text": self.ngettext("{count} word", "{count} words", words).format(count=words)})
        return {
            "parts": parts,
            "programme_modules": list(self.programme_modules),
            "completion_rule": gettext(dict(rules.CompletionRule.CHOICES).get(self.completion_rule, self.completion_rule)),
            "questions": rules.self_check_with_answers(self.self_check),
            "reading_list": rules.safe_reading_list(self.reading_list),
        }

    @property
    def module_ids(self):
        return tuple(self.programme_modules) or (self.module_id,)

    def _task_submitted(self, person):
        return api.submitted_task(person.key, self.programme_id, self.module_id)

    def _self_check_passed(self):
        return self.self_check_best is not None and self.self_check_best >= self.self_check_pass_percent

    def _complete_if_due(self, person, submitted=None):
        """Record the completion once the rule is met; publish it to the runtime when new here.
        ``submitted``: whether her task is in, when the caller has just read it."""
        if submitted is None:
            submitted = self._task_submitted(person) is not None
        if not rules.completion_met(self.completion_rule, submitted, self._self_check_passed()):
            return False
        _at, created = api.record_completion(
            person.key, self.programme_id, self.module_id, self.module_version,
            module_title=self.display_name, course_key=self.course_key_str,
        )
        if created or not self.completion_published:
            self._publish_completion()
        return True

    def _publish_completion(self):
        self.emit_completion(1.0)
        self.completion_published = True

    def _discard_old_draft(self):
        """Drafts live in the learner's block state, not in the record: the retention time for drafts
        is applied here, when she next opens the module (see docs/personuppgifter.md)."""
        if not self.draft:
            return
        days, now = api.draft_retention_days(), clock.now()
        if not rules.draft_expired(self.draft_saved_at, days, now):
            return
        # Past its time counted from its own date: it waits still while its course run ended less
        # than ``days`` ago. Looked up only now, as that is rare.
        if rules.draft_expired(self.draft_saved_at, days, now, api.draft_run_end(self.course_key_str)):
            self.draft = ""
            self.draft_saved_at = ""

    # --- views -----------------------------------------------------------------------------------
    @XBlock.supports("multi_device")  # the LMS asks the view, not the class (XBlock.has_support)
    def student_view(self, context=None):
        person = self.person
        gettext = self.gettext
        progress = submitted = None
        if person.known:
            self._discard_old_draft()
            progress = api.programme_progress(person.key, self.programme_id, self.module_ids)
            submitted = self._task_submitted(person)
            if self.task_is_shared and not person.is_staff and not progress.is_complete(self.module_id) \
                    and submitted is not None and self._complete_if_due(person, submitted=True):
                # Her municipality's shared task was submitted after an approval of someone else.
                progress = api.programme_progress(person.key, self.programme_id, self.module_ids)
            if progress.is_complete(self.module_id) and not self.completion_published:
                # Completed in another course run of the same programme: count it here too.
                self._publish_completion()
        html = self.render_template("module/student.html", {
            "block": self,
            "person": person,
            "introduction_html": render_markdown(self.introduction),
            "parts": [
                {"key": "knowledge", "title": gettext(_("Knowledge from research")), "html": render_markdown(self.knowledge)},
                {"key": "inspiration", "title": gettext(_("Inspiration from practice")), "html": render_markdown(self.inspiration)},
                {"key": "task", "title": gettext(_("Your development task")), "html": render_markdown(self.task_prompt)},
            ],
            "questions": [
                {**q, "chosen": self.self_check_answers.get(q["id"])} for q in rules.public_questions(self.self_check)
            ],
            "reading_list": rules.safe_reading_list(self.reading_list),
            "progress": progress,
            "progress_modules": self.progress_modules(progress) if progress else [],
            "progress_text": self.progress_text(progress) if progress else "",
            "complete": bool(progress and progress.is_complete(self.module_id)),
            "task_text": submitted[0] if submitted and not self.draft else self.draft,
            "submitted_text": self.local_time_text(submitted[1]) if submitted else "",
            "self_check_passed": self._self_check_passed(),
            "shared_html": self.shared_view_html(person) if self.task_is_shared else "",
            "shared_rows": self.shared_staff_rows() if person.is_staff and self.task_is_shared else None,
            "report": self._report_rows() if person.is_staff else None,
            "csv_url": self.runtime.handler_url(self, "report_csv") if person.is_staff else "",
        })
        frag = self.make_fragment(html, "kkn-module.js", "KknModuleBlock", {
            "minWords": self.task_min_words,
            "passPercent": self.self_check_pass_percent,
            "strings": {
                "right": gettext(_("Right.")),
                "wrong": gettext(_("Not right.")),
                "saved": gettext(_("Draft saved.")),
                "submitted": gettext(_("Your task has been submitted.")),
                "words": gettext(_("{count} words")),
                "tooShort": gettext(_("Write at least {min} words before you submit ({count} so far).")),
                "failed": gettext(_("That did not work. Check your connection and try again.")),
                "passed": gettext(_("You passed the self-check: {percent} % right.")),
                "notPassed": gettext(_("{percent} % right. You need {pass} % to pass; read the module again and retry.")),
                "complete": gettext(_("This module is complete.")),
                "moduleDone": gettext(_("complete")),
                "refreshed": gettext(_("The list has been updated.")),
                "sharedConflict": gettext(_("Both texts are shown below.")),
            },
        })
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/js/kkn-municipalities.js"))
        return frag

    def student_view_data(self, context=None):
        """For the mobile apps: everything a learner may see, and no answer key."""
        return {
            "display_name": self.display_name,
            "programme_id": self.programme_id,
            "module_id": self.module_id,
            "number": self.number,
            "weeks": self.weeks,
            "introduction_html": render_markdown(self.introduction),
            "outcomes": list(self.outcomes),
            "knowledge_html": render_markdown(self.knowledge),
            "inspiration_html": render_markdown(self.inspiration),
            "task_html": render_markdown(self.task_prompt),
            "task_min_words": self.task_min_words,
            "reading_list": [dict(item) for item in self.reading_list],
            "self_check": rules.public_questions(self.self_check),
            "self_check_pass_percent": self.self_check_pass_percent,
            "completion_rule": self.completion_rule,
            "task_mode": self.task_mode,
            "task_roles": list(self.task_roles),
        }

    def index_dictionary(self):
        index = super().index_dictionary()
        index.setdefault("content", {}).update({
            "display_name": self.display_name,
            "outcomes": " ".join(self.outcomes),
            "text": " ".join([self.introduction, self.knowledge, self.inspiration, self.task_prompt]),
        })
        index["content_type"] = "Distance module"
        return index

    # --- learner handlers ------------------------------------------------------------------------
    @json_handler
    def save_draft(self, payload, suffix=""):
        self.require_learner()
        self.draft = payload.text("text", rules.MAX_TASK_CHARS, strip=False)
        self.draft_saved_at = clock.now().isoformat()
        return {"saved_at": self.draft_saved_at, "words": word_count(self.draft)}

    @json_handler
    def submit_task(self, payload, suffix=""):
        person = self.require_learner()
        if self.task_is_shared:
            raise Refusal(409, self.gettext(_(
                "Your municipality writes this task together: save it in the shared text and approve it there.")))
        text = payload.text("text", rules.MAX_TASK_CHARS)
        words = word_count(text)
        if words < self.task_min_words:
            raise Refusal(400, self.gettext(_("Write at least {min} words before you submit ({count} so far).")).format(
                min=self.task_min_words, count=words))
        api.join_programme(person.key, self.programme_id, person.name)
        submitted_at = api.submit_task(person.key, self.programme_id, self.module_id, text, words,
                                       course_key=self.course_key_str)
        self.draft = ""
        complete = self._complete_if_due(person)
        return {"submitted_at": submitted_at.isoformat(), "words": words, **self._progress_payload(person, complete)}

    @json_handler
    def check_answers(self, payload, suffix=""):
        person = self.require_learner()
        if not self.self_check:
            raise Refusal(409, self.gettext(_("This module has no self-check.")))
        raw = payload.mapping("answers", max_items=rules.MAX_QUESTIONS)
        try:
            answers = rules.check_self_check_answers(self.self_check, raw, self.gettext)
        except ValueError as error:
            raise Refusal(400, str(error)) from None
        correct, percent = rules.score_self_check(self.self_check, answers)
        self.self_check_answers = answers
        self.self_check_tries += 1
        self.self_check_best = max(percent, self.self_check_best or 0)
        api.join_programme(person.key, self.programme_id, person.name)
        complete = self._complete_if_due(person)
        return {
            "percent": percent,
            "passed": percent >= self.self_check_pass_percent,
            "correct": correct,
            **self._progress_payload(person, complete),
        }

    def _progress_payload(self, person, complete):
        progress = api.programme_progress(person.key, self.programme_id, self.module_ids)
        return {
            "complete": complete,
            "progress": {
                "done": progress.done,
                "total": progress.total,
                "text": self.progress_text(progress),
                "completed": [c.title or c.module_id for c in progress.completed],
                "completed_ids": [c.module_id for c in progress.completed],
            },
        }

    def progress_modules(self, progress):
        """Every module of the programme, done or not, each with its link (its course, when each module
        is a course of its own): what a learner taking one module sees of the rest."""
        done = {c.module_id: c for c in progress.completed}
        return [
            {"module_id": module_id, "done": module_id in done,
             "title": self.module_titles.get(module_id) or (done[module_id].title if module_id in done else "")
             or module_id,
             "link": rules.safe_link(self.module_links.get(module_id, "")),
             "current": module_id == self.module_id}
            for module_id in progress.module_ids
        ]

    def progress_text(self, progress):
        return self.ngettext(
            "{done} of {total} module complete", "{done} of {total} modules complete", progress.total,
        ).format(done=progress.done, total=progress.total)

    # --- staff -------------------------------------------------------------------------------------
    def _report_rows(self):
        return [
            {
                "name": row.name or row.learner_key,
                "submitted": self.local_time_text(row.submitted_at),
                "words": "\u2013" if row.word_count is None else row.word_count,
                "completed": self.local_time_text(row.completed_at),
            }
            for row in api.module_report(self.programme_id, self.module_id)
        ]

    @json_handler
    def staff_report(self, payload, suffix=""):
        self.require_staff()
        return {"rows": self._report_rows()}

    @XBlock.handler
    def report_csv(self, request, suffix=""):
        try:
            self.require_staff()
        except Refusal as refusal:
            return refusal.get_response()
        gettext = self.gettext
        header = [gettext(_("Learner")), gettext(_("Learner key")), gettext(_("Submitted")), gettext(_("Words")),
                  gettext(_("Completed"))]
        rows = [[r.name, r.learner_key, r.submitted_at, r.word_count, r.completed_at]
                for r in api.module_report(self.programme_id, self.module_id)]
        return self.csv_response(f"{self.module_id}-rapport.csv", header, rows)

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the LMS's "problem responses" report: each learner's working state here."""
        count = 0
        for user_state in user_state_iterator:
            if limit_responses is not None and count >= limit_responses:
                return
            state = user_state.state
            if not state:
                continue
            count += 1
            yield user_state.username, {
                "Draft words": word_count(state.get("draft", "")),
                "Self-check best (%)": state.get("self_check_best"),
                "Self-check tries": state.get("self_check_tries", 0),
            }

    @staticmethod
    def workbench_scenarios():
        from .scenarios.module import module_scenarios  # pylint: disable=import-outside-toplevel
        return module_scenarios()
