"""Final certification exam block (``kkn_exam``): "slutprovet" of the programme.

Learner flow, top to bottom:
1. ``student_view`` shows the exam's rules and, from the programme record, whether she may take
   it: every required module complete and at least ``min_meetings`` regional meetings attended,
   or an exemption staff granted. Until then it lists exactly what is missing, with links.
2. ``start`` draws the questions on the server (optionally balanced over topics, questions and
   options shuffled), stores the draw in the record and sets the deadline (start + time limit +
   any extra time staff granted her). A second click resumes the same attempt.
3. ``save_answers`` autosaves; ``submit`` grades. Both check the deadline on the server; once it
   has passed, her saved answers are graded and nothing later is accepted. The page (and the
   staff view) grades an attempt whose time ran out while she was away. Submitting is a
   conditional update, so a replayed or concurrent submit grades nothing twice.
4. The best attempt counts: the grade is published as a raw fraction (earned / possible points)
   with ``only_if_higher``; the LMS applies ``weight`` (the one place it is applied) and a worse
   later attempt never lowers it. What she sees of an attempt follows ``review_policy``.
5. Passing while eligible issues a certificate in the record (once); ``certificate`` is her
   printable page in Swedish and English; its QR code and the exam's links lead to the public
   verification page, a view of the records app (``records/views.py``, /kkn/intyg/<id>/) that
   needs no login and no access to the course.

Staff (checked on the server): an overview of every participant (modules, meetings, attempts,
best score, certificate), extra time and eligibility exemptions with who, when and why,
revocation with a reason, and a CSV.

The browser never sees option ids, right answers or explanations before the review policy
allows, and never sends anything but her chosen option letters.
"""
import json
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from html import escape as escape_text
from urllib.parse import urlencode

import segno
from django.utils.html import escape
from django.utils.safestring import mark_safe
from webob import Response
from xblock.core import XBlock
from xblock.fields import Scope
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.validation import ValidationMessage

from . import bilingual
from . import certificates as ids
from . import clock
from . import exam_rules as rules
from .base import KknBlockMixin, kkn_services
from .fields import Boolean, Dict, Float, Integer, List, QuestionBank, String
from .handlers import Refusal, json_handler
from .markup import render_markdown
from .module_rules import module_ids_to_text, parse_module_ids
from .records import api, verification
from .studio import AuthorField, StudioFormMixin

DEFAULT_GRACE_SECONDS = 5
MAX_REASON_CHARS = 500
_RANDOM = secrets.SystemRandom()  # draws nobody can predict from what the page shows


def _(text):
    return text


@dataclass(frozen=True)
class _Situation:
    """Where a learner stands with the exam, read from the record once per request."""

    attempts: list
    eligibility: rules.Eligibility
    accommodation: object
    certificate: object

    @property
    def open_attempt(self):
        return next((a for a in self.attempts if a.open), None)

    @property
    def submitted(self):
        return [a for a in self.attempts if not a.open]

    @property
    def passed(self):
        return any(a.passed for a in self.attempts)


def _with_closed(attempts, closed):
    """Her attempts with ``closed`` in place of the open attempt it was (the record is not read again)."""
    return [closed if a.pk == closed.pk else a for a in attempts]


@kkn_services
class CertificationExamBlock(StudioFormMixin, KknBlockMixin, ScorableXBlockMixin, XBlock):
    """The programme's final exam: eligibility, timed attempts graded on the server, certificates."""

    icon_class = "problem"

    # --- settings: the exam's place in the programme --------------------------------------------------
    display_name = String(
        display_name=_("Exam title"), help=_("The exam's title, shown to learners and in the course outline."),
        scope=Scope.settings, default=_("Final exam"), enforce_type=True,
    )
    programme_id = String(
        display_name=_("Programme id"),
        help=_("Shared by every block of the programme, in every course run. Eligibility and certificates use it."),
        scope=Scope.settings, default="kkn", enforce_type=True,
    )
    programme_title = String(
        display_name=_("Programme title"), help=_("The programme's name as printed on the certificate."),
        scope=Scope.settings, default="", enforce_type=True,
    )
    exam_id = String(
        display_name=_("Exam id"),
        help=_("Stable id of this exam in the programme. Attempts count per exam id, across course runs. "
               "Do not change it once learners have started."),
        scope=Scope.settings, default="slutprov", enforce_type=True,
    )
    required_modules = List(
        display_name=_("Required modules"),
        help=_("The ids of the modules a learner must complete before the exam, one per line, in order."),
        scope=Scope.settings, default=[], enforce_type=True,
    )
    module_titles = Dict(
        display_name=_("Module titles"),
        help=_("Optional. One line per module: its id, \u201c|\u201d and its title, shown when it is missing."),
        scope=Scope.settings, default={}, enforce_type=True,
    )
    module_links = Dict(
        display_name=_("Module links"),
        help=_("Optional. One line per module: its id, \u201c|\u201d and a link to it. In the LMS the block links "
               "to each module by its id without this."),
        scope=Scope.settings, default={}, enforce_type=True,
    )
    min_meetings = Integer(
        display_name=_("Regional meetings required"),
        help=_("How many regional meetings a learner must have attended (present or late) before the exam."),
        scope=Scope.settings, default=0, enforce_type=True,
    )
    draw_count = Integer(
        display_name=_("Questions per attempt"),
        help=_("How many questions each attempt draws from the bank. 0 means every question."),
        scope=Scope.settings, default=0, enforce_type=True,
    )
    balance_topics = Boolean(
        display_name=_("Balance the topics"),
        help=_("Draw about as many questions from each topic (module) as the bank allows."),
        scope=Scope.settings, default=False, enforce_type=True,
    )
    shuffle = Boolean(
        display_name=_("Shuffle questions and options"),
        help=_("Each attempt gets its own order of questions and options (true-or-false keeps its order)."),
        scope=Scope.settings, default=True, enforce_type=True,
    )
    time_limit_minutes = Integer(
        display_name=_("Time limit (minutes)"),
        help=_("From the moment the learner starts. 0 means no time limit."),
        scope=Scope.settings, default=60, enforce_type=True,
    )
    attempts_allowed = Integer(
        display_name=_("Attempts allowed"), help=_("How many attempts a learner gets. 0 means no limit."),
        scope=Scope.settings, default=3, enforce_type=True,
    )
    # "max_attempts" is the platform's inheritable course-wide setting (InheritanceMixin in
    # openedx-platform xmodule/modulestore/inheritance.py): under that name a course's "Maximum
    # Attempts" flowed into every exam that kept its default.
    renamed_attributes = {"max_attempts": "attempts_allowed"}
    wait_minutes_between_attempts = Integer(
        display_name=_("Wait between attempts (minutes)"),
        help=_("How long a learner must wait after an attempt before starting the next. 0 means no wait."),
        scope=Scope.settings, default=0, enforce_type=True,
    )
    pass_percent = Integer(
        display_name=_("Pass mark (%)"), help=_("The share of the attempt's points needed to pass."),
        scope=Scope.settings, default=80, enforce_type=True,
    )
    review_policy = String(
        display_name=_("What learners see afterwards"),
        help=_("What a learner sees of a submitted attempt, and when. \u201cRight answers\u201d include the "
               "explanations."),
        scope=Scope.settings, default="right_after_final",
        values=[{"value": value, "display_name": label} for value, label in rules.Review.CHOICES],
        enforce_type=True,
    )
    certificate_valid_months = Integer(
        display_name=_("Certificate valid (months)"),
        help=_("How long a certificate is valid after it is issued. 0 means it does not expire."),
        scope=Scope.settings, default=0, enforce_type=True,
    )
    weight = Float(
        display_name=_("Score weight"),
        help=_("The exam's points in the course grade. The LMS multiplies the best attempt's share of points by it."),
        scope=Scope.settings, default=1.0, enforce_type=True,
    )

    # --- content -------------------------------------------------------------------------------------
    introduction = String(
        display_name=_("Instructions"), help=_("What the exam covers and how it works (Markdown)."),
        scope=Scope.content, default="", enforce_type=True,
    )
    questions = QuestionBank(
        display_name=_("Question bank"),
        help=_("\u201c? id | type | points | topic\u201d starts a question; the question text follows; \u201c*\u201d "
               "marks a right option and \u201c-\u201d a wrong one; \u201c>\u201d starts the explanation. Types: "
               "single, multiple, truefalse."),
        scope=Scope.content, default=[], enforce_type=True,
    )

    # --- the learner's state here (the record is the truth; this mirrors it) --------------------------
    raw_earned = Float(scope=Scope.user_state, default=None,
                       help=_("The best attempt's share of points last published to the runtime (0 to 1)."))
    summary = Dict(scope=Scope.user_state, default={},
                   help=_("The learner's attempts, best score and certificate as last read from the record."))

    author_fields = (
        AuthorField("display_name", required=True, max_chars=200),
        AuthorField("programme_id", required=True, max_chars=64),
        AuthorField("programme_title", required=True, max_chars=rules.MAX_TITLE_CHARS),
        AuthorField("exam_id", required=True, max_chars=64),
        AuthorField("required_modules", kind="custom", rows=6, to_text=module_ids_to_text, from_text=parse_module_ids),
        AuthorField("module_titles", kind="custom", rows=6, to_text=rules.module_lines_to_text,
                    from_text=rules.parse_module_lines,
                    example=_("Example: modul-1 | Näringslivsutvecklarens roll och uppdrag")),
        AuthorField("module_links", kind="custom", rows=4, to_text=rules.module_lines_to_text,
                    from_text=rules.parse_module_lines),
        AuthorField("min_meetings", kind="integer", minimum=0, maximum=50),
        AuthorField("introduction", kind="markdown"),
        AuthorField("questions", kind="custom", rows=24, max_chars=2_000_000, to_text=rules.question_bank_to_text,
                    from_text=rules.parse_question_bank,
                    example=_("Example:\n? modul-1-q1 | single | 1 | modul-1\nVad står KKN för?\n"
                              "* a) Kulturella och kreativa näringar\n- b) Kommunala kulturnämnder\n"
                              "> KKN står för kulturella och kreativa näringar.")),
        AuthorField("draw_count", kind="integer", minimum=0, maximum=rules.MAX_QUESTIONS),
        AuthorField("balance_topics", kind="boolean"),
        AuthorField("shuffle", kind="boolean"),
        AuthorField("time_limit_minutes", kind="integer", minimum=0, maximum=24 * 60),
        AuthorField("attempts_allowed", kind="integer", minimum=0, maximum=100),
        AuthorField("wait_minutes_between_attempts", kind="integer", minimum=0, maximum=365 * 24 * 60),
        AuthorField("pass_percent", kind="integer", minimum=1, maximum=100),
        AuthorField("review_policy", kind="choice", choices=rules.Review.CHOICES),
        AuthorField("certificate_valid_months", kind="integer", minimum=0, maximum=240),
        AuthorField("weight", kind="custom", to_text=rules.weight_to_text, from_text=rules.parse_weight),
    )

    author_template = "exam/author.html"

    # --- rules bound to this block -------------------------------------------------------------------
    def author_problems(self, values):
        return rules.exam_problems(values, self.gettext)

    def author_context(self):
        """The exam at a glance for its author: the bank's statistics (not its questions), the draw,
        the rules and who may take it. Problems with the bank are listed by ``author_view``."""
        gettext, ngettext = self.gettext, self.ngettext
        bank = self._bank() or ()
        drawn = min(self.draw_count or len(bank), len(bank))
        draw_text = gettext(_("Each attempt draws {count} of the {total} questions")).format(
            count=drawn, total=len(bank)) if self.draw_count else gettext(_("Each attempt has every question"))
        draw_text += "; " + gettext(_("topics balanced") if self.balance_topics else _("topics not balanced"))
        draw_text += "; " + gettext(_("questions and options shuffled.") if self.shuffle
                                    else _("questions and options in the bank's order."))
        wait = self.wait_minutes_between_attempts
        attempts_text = (ngettext("{count} attempt", "{count} attempts", self.attempts_allowed).format(
            count=self.attempts_allowed) if self.attempts_allowed else gettext(_("No limit")))
        if wait:
            attempts_text += ", " + gettext(_("{minutes} between attempts")).format(minutes=self._duration_text(wait))
        return {
            "stats": [{"total": row.topic is None, "topic": row.topic or "\u2013",
                       "counts": [row.by_type[kind] for kind in rules.TYPES],
                       "questions": row.questions, "points": row.points}
                      for row in rules.bank_statistics(bank)] if bank else [],
            "type_labels": [gettext(rules.TYPE_LABELS[kind]) for kind in rules.TYPES],
            "draw_text": draw_text,
            "time_text": self._duration_text(self.time_limit_minutes) if self.time_limit_minutes
            else gettext(_("No time limit")),
            "attempts_text": attempts_text,
            "review_text": gettext(dict(rules.Review.CHOICES).get(self.review_policy, self.review_policy)),
            "eligibility_text": self._eligibility_rule_text(),
            "modules": [f"{self._module_title(m)} ({m})" if self._module_title(m) != m else m
                        for m in self.required_modules],
            "certificate_text": gettext(_("{title}, valid for {months}.")).format(
                title=self.programme_title or self.display_name,
                months=ngettext("{count} month", "{count} months", self.certificate_valid_months).format(
                    count=self.certificate_valid_months))
            if self.certificate_valid_months else gettext(_("{title}, does not expire.")).format(
                title=self.programme_title or self.display_name),
        }

    def validate(self):
        validation = super().validate()
        if self.review_policy == "answers_after_attempt" and self.attempts_allowed != 1:
            validation.add(ValidationMessage(ValidationMessage.WARNING, self.gettext(_(
                "Learners see the right answers after each attempt and may then try again. "
                "For a certification exam, show them once she has passed or used all attempts."))))
        return validation

    def _bank(self):
        """The question bank, or None when it is unusable (imported OLX bypasses the editor).
        Parsed once per content (``rules.usable_bank``), looked up once per request."""
        questions = self.questions
        return self._for_request("_kkn_bank", (questions,), lambda: rules.usable_bank(questions))

    def _by_id(self, bank):
        """``{question id: question}`` of the bank, made once per request."""
        return self._for_request("_kkn_by_id", (bank,), lambda: {q.id: q for q in bank})

    def _bank_or_refuse(self):
        bank = self._bank()
        if bank is None:
            raise Refusal(409, self.gettext(_("This exam is not ready yet. Tell the course team.")))
        return bank

    def _grace_seconds(self):
        value = self.operator_setting("DEADLINE_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
            return DEFAULT_GRACE_SECONDS
        return value

    def _time_is_up(self, attempt, now):
        return rules.time_is_up(attempt.deadline, now, self._grace_seconds())

    def _situation(self, person, bank, sync=True, attempts=None, mirror=True):
        """Her attempts, eligibility and certificate. With ``sync``, an attempt whose time ran out
        is graded here, a certificate she has earned is issued here, and (unless ``mirror`` is False:
        a handler that changes her attempts mirrors them itself, once changed) the runtime's grade
        and summary follow the record; without, it is only read (the answer to a refused request).
        ``attempts``: her attempts as the handler has just read (and changed) them."""
        now = clock.now()
        if attempts is None:
            attempts = api.attempts_of(person.key, self.programme_id, self.exam_id)
        current = next((a for a in attempts if a.open), None)
        if sync and current and bank and self._time_is_up(current, now):
            closed, _passed = self._finalise(current, None, bank, now, api.BY_DEADLINE)
            # closed by another request meanwhile: read as that one left it
            attempts = (_with_closed(attempts, closed) if closed
                        else api.attempts_of(person.key, self.programme_id, self.exam_id))
        accommodation = api.accommodation_for(person.key, self.programme_id, self.exam_id)
        situation = _Situation(
            attempts=attempts,
            eligibility=self._eligibility(person, accommodation),
            accommodation=accommodation,
            certificate=api.certificate_of(person.key, self.programme_id),
        )
        if sync and situation.passed and situation.certificate is None and situation.eligibility.eligible:
            situation = self._certify(person, situation)
        if sync and mirror:
            self._sync_with_record(situation)
        return situation

    def _eligibility(self, person, accommodation):
        """Two queries whatever the number of modules or meetings; none for what is not required."""
        required = self.required_modules
        completed = [c.module_id for c in api.programme_progress(person.key, self.programme_id, required).completed
                     ] if required else []
        meetings = api.attended_meeting_count(person.key, self.programme_id) if self.min_meetings else 0
        return rules.eligibility(required, completed, meetings, self.min_meetings, accommodation.eligibility_exempt)

    def _start_block(self, situation, now):
        """``rules.start_block`` for her situation, reading only the settings that can change the
        answer (each field read is a query in some runtimes): none once she has passed, and the wait
        between attempts only once she has submitted one (it counts from her last)."""
        if situation.passed:
            return rules.start_block(len(situation.attempts), 0, None, 0, True, now)
        last = max((a.submitted_at for a in situation.submitted), default=None)
        return rules.start_block(len(situation.attempts), self.attempts_allowed, last,
                                 self.wait_minutes_between_attempts if last is not None else 0, False, now)

    def _finalise(self, attempt, answers, bank, now, submitted_by):
        """Grade and close the attempt: ``(closed, passed)``, closed the attempt as it is now closed
        for the call that closed it, None otherwise. ``answers`` None grades what was saved."""
        graded_answers = attempt.answers if answers is None else answers
        result = rules.grade(attempt.draw, self._by_id(bank), graded_answers)
        passed = rules.passes(result.earned, result.possible, self.pass_percent)
        if not api.finalise_attempt(attempt.pk, answers, result.earned, result.possible, passed, now, submitted_by):
            return None, passed
        return api.as_finalised(attempt, answers, result.earned, result.possible, passed, now, submitted_by), passed

    def _certify(self, person, situation):
        best = max((a for a in situation.attempts if a.passed), key=lambda a: a.fraction)
        name = person.name or api.names_of(self.programme_id, [person.key]).get(person.key, "")
        # A new certificate gets its credential at once, as the same fact (where an issuer is set up).
        certificate, _created = api.issue_certificate(
            person.key, self.programme_id, self.programme_title or self.display_name, name,
            attempt_pk=best.pk, valid_months=self.certificate_valid_months,
            credential_texts=self._achievement_texts(),
        )
        return _Situation(situation.attempts, situation.eligibility, situation.accommodation, certificate)

    # --- grading: the record decides, never the browser ------------------------------------------------
    def max_score(self):
        return 1.0

    def has_submitted_answer(self):
        return self.raw_earned is not None

    def get_score(self):
        return Score(raw_earned=self.raw_earned or 0.0, raw_possible=1.0)

    def set_score(self, score):
        fraction = score.raw_earned / score.raw_possible if score.raw_possible else 0.0
        self.raw_earned = max(self.raw_earned or 0.0, fraction)

    def calculate_score(self):
        person = self.person
        attempts = api.attempts_of(person.key, self.programme_id, self.exam_id) if person.known else []
        best = max((a.fraction for a in attempts if not a.open), default=0.0)
        return Score(raw_earned=best, raw_possible=1.0)

    def _sync_with_record(self, situation, changed=False):
        """Publish the best attempt when it beats what the runtime has; mirror the summary.

        A page view compares the summary with the stored one and writes only a change (a view must
        not write what did not change). ``changed``: the handler has just changed her attempts (the
        summary counts them), so it is written without reading the stored one first: the read could
        only confirm the change."""
        submitted = situation.submitted
        if submitted:
            best = max(a.fraction for a in submitted)
            if self.raw_earned is None or best > self.raw_earned:
                self.raw_earned = best
                self._publish_grade(Score(raw_earned=best, raw_possible=1.0), only_if_higher=True)
        best_attempt = max(submitted, key=lambda a: a.fraction, default=None)
        mirrored = {
            "attempts": len(situation.attempts),
            "best_percent": rules.percent_floor(best_attempt.earned, best_attempt.possible) if best_attempt else None,
            "passed": situation.passed,
            "certificate": situation.certificate.code if situation.certificate else "",
        }
        if changed or mirrored != self.summary:
            self.summary = mirrored

    # --- texts ---------------------------------------------------------------------------------------
    def _eligibility_rule_text(self):
        meetings, ngettext = self.min_meetings, self.ngettext
        if self.required_modules and meetings:
            return ngettext("Every required module complete and at least {count} regional meeting attended.",
                            "Every required module complete and at least {count} regional meetings attended.",
                            meetings).format(count=meetings)
        if meetings:
            return ngettext("At least {count} regional meeting attended.",
                            "At least {count} regional meetings attended.", meetings).format(count=meetings)
        if self.required_modules:
            return self.gettext(_("Every required module complete."))
        return self.gettext(_("Everyone in the course: no module or meeting is required."))

    def _module_title(self, module_id):
        return self.module_titles.get(module_id) or module_id

    def _module_link(self, module_id):
        link = rules.safe_link(self.module_links.get(module_id, ""))
        if not link and self.course_key_str:
            link = f"/courses/{self.course_key_str}/jump_to_id/{module_id}"
        return link

    def _missing_text(self, eligibility):
        parts = [self.gettext(_("You cannot start the exam yet."))]
        if eligibility.missing_modules:
            parts.append(self.ngettext(
                "Complete this module first: {modules}.", "Complete these modules first: {modules}.",
                len(eligibility.missing_modules),
            ).format(modules=", ".join(self._module_title(m) for m in eligibility.missing_modules)))
        if eligibility.meetings_missing:
            parts.append(self.ngettext(
                "Attend {count} more regional meeting.", "Attend {count} more regional meetings.",
                eligibility.meetings_missing,
            ).format(count=eligibility.meetings_missing))
        return " ".join(parts)

    def _start_block_text(self, reason, when):
        if reason == rules.StartBlock.PASSED:
            return self.gettext(_("You have passed the exam. There is nothing more to take."))
        if reason == rules.StartBlock.NO_ATTEMPTS_LEFT:
            return self.ngettext(
                "You have used your {count} attempt.", "You have used all {count} attempts.",
                self.attempts_allowed,
            ).format(count=self.attempts_allowed)
        return self.gettext(_("You can start your next attempt at {time}.")).format(time=self.local_time_text(when))

    def _duration_text(self, minutes):
        return self.ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)

    def _score_text(self, attempt):
        return self.ngettext(
            "{earned} of {possible} point ({percent} %)", "{earned} of {possible} points ({percent} %)",
            int(attempt.possible or 0),
        ).format(earned=_number(attempt.earned), possible=_number(attempt.possible),
                 percent=rules.percent_floor(attempt.earned or 0, attempt.possible or 0))

    # --- views ---------------------------------------------------------------------------------------
    @XBlock.supports("multi_device")  # the LMS asks the view, not the class (XBlock.has_support)
    def student_view(self, context=None):
        person = self.person
        gettext = self.gettext
        html = self.render_template("exam/student.html", {
            "block": self,
            "introduction_html": render_markdown(self.introduction),
            "learner_html": self._learner_html(person),
            "staff_html": self._staff_html() if person.is_staff else "",
        })
        frag = self.make_fragment(html, "kkn-exam.js", "KknExamBlock", {
            "thresholds": [
                {"seconds": seconds, "text": self.ngettext(
                    "{count} minute left.", "{count} minutes left.", seconds // 60).format(count=seconds // 60)}
                for seconds in (600, 300, 60)
            ],
            "strings": {
                "failed": gettext(_("That did not work. Check your connection and try again.")),
                "saving": gettext(_("Saving\u2026")),
                "timeUp": gettext(_("The time is up. Your answers are being submitted.")),
                "confirmAnswered": gettext(_("You have answered {answered} of {total} questions.")),
                "started": gettext(_("The exam has started. The questions follow.")),
                "reviewLoading": gettext(_("Loading your answers\u2026")),
            },
        })
        frag.add_css_url(self.runtime.local_resource_url(self, "public/css/kkn-exam.css"))
        return frag

    def _learner_html(self, person, sync=True, situation=None):
        """Her part of the page; ``situation`` when the handler has just read (and changed) it."""
        bank = self._bank()
        context = {"block": self, "person": person, "bank_ready": bank is not None}
        if not person.known or bank is None:
            return self.render_template("exam/learner.html", {**context, "facts": self._facts(bank)})
        situation = situation or self._situation(person, bank, sync)
        by_id = self._by_id(bank)
        eligibility = situation.eligibility
        current = situation.open_attempt
        reason, when = self._start_block(situation, clock.now())
        context.update({
            "eligibility": eligibility,
            "missing_modules": [
                {"title": self._module_title(m), "url": self._module_link(m)} for m in eligibility.missing_modules
            ],
            "meetings_text": self.ngettext(
                "You have attended {attended} of the {required} regional meeting required.",
                "You have attended {attended} of the {required} regional meetings required.",
                eligibility.meetings_required,
            ).format(attended=eligibility.meetings_attended, required=eligibility.meetings_required),
            "attempt": self._attempt_context(current, by_id, _QuestionLabels(self)) if current else None,
            "can_start": current is None and eligibility.eligible and reason is None,
            "blocked_text": self._start_block_text(reason, when) if reason and current is None else "",
            "results_html": self._results_html(situation),
            "certificate": self._certificate_context(situation.certificate),
            "certificate_pending": situation.passed and situation.certificate is None,
            # How the exam is taken, until she has passed: then there is nothing more to take, and
            # her certificate and results lead the page (the settings behind the facts go unread).
            "facts": None if situation.passed else self._facts(bank, situation),
        })
        return self.render_template("exam/learner.html", context)

    def _facts(self, bank, situation=None):
        """What "About the exam" says: the questions and the time, and with her ``situation`` her
        attempts left and any extra time she has been given."""
        count = len(bank or ())
        facts = {
            "question_count": min(self.draw_count or count, count),
            "time_text": self._duration_text(self.time_limit_minutes) if self.time_limit_minutes else "",
        }
        if situation is not None:
            used, extra = len(situation.attempts), situation.accommodation.extra_minutes
            facts["attempts_text"] = self._attempts_text(used, rules.attempts_left(used, self.attempts_allowed))
            facts["extra_text"] = self._duration_text(extra) if extra else ""
        return facts

    def _finished(self, attempts):
        """Whether she has taken the exam for the last time (what the review policy's "final" waits
        for): she has passed, or has used every attempt and has none in progress (her last attempt in
        progress is not "all attempts used": the review waits until it is in)."""
        if any(a.passed for a in attempts):
            return True
        return all(not a.open for a in attempts) and rules.attempts_left(len(attempts), self.attempts_allowed) == 0

    def _review_hint(self, reviewable):
        """Say that more will be shown later, when the policy holds her answers back until then."""
        later = rules.review_level(self.review_policy, True)
        if reviewable or later == rules.Review.SCORE:
            return ""
        if later == rules.Review.RIGHT:
            return self.gettext(_("You will see which answers were right once you have passed or used all attempts."))
        return self.gettext(_("You will see the right answers and explanations once you have passed or used all "
                              "attempts."))

    def _attempts_text(self, used, left):
        if left is None:
            return self.ngettext("You have made {used} attempt. There is no limit.",
                                 "You have made {used} attempts. There is no limit.", used).format(used=used)
        return self.ngettext("{left} attempt left of {total}.", "{left} attempts left of {total}.", left).format(
            left=left, total=self.attempts_allowed)

    def _attempt_context(self, attempt, by_id, labels):
        now = clock.now()
        shown = rules.shown_questions(attempt.draw, by_id)
        items = {item["id"]: item for item in attempt.draw}
        root = escape(self.dom_id("q"))
        return {
            "number": attempt.number,
            "seconds_left": rules.seconds_left(attempt.deadline, now),
            "deadline_text": self.local_time_text(attempt.deadline) if attempt.deadline else "",
            "total": len(shown),
            "saved_text": self.local_time_text(attempt.saved_at) if attempt.saved_at else "",
            "questions": mark_safe("".join(  # noqa: S308 - _shown_question escapes what it inserts
                self._shown_question(q, items[q.id], attempt.answers.get(q.id), root, labels) for q in shown)),
        }

    def _shown_question(self, question, item, answer_ids, root, labels):
        """One question of the open attempt as HTML, built without the template engine: a 50-question
        page has 200 options, and the engine's per-option cost made most of the time of ``start``.
        Every value is escaped here, as the template's autoescaping did; per option with the standard
        library's ``html.escape``, which is what Django's ``escape`` runs (django/utils/html.py) without
        its lazy-text wrapper and SafeString."""
        chosen = set(rules.chosen_letters(item, answer_ids))
        name = f"{root}{question.number}"
        kind = "checkbox" if question.type == rules.MULTIPLE else "radio"
        options = "".join(
            f'<div class="kkn-option"><input type="{kind}" id="{name}-{o.letter}" name="{name}" value="{o.letter}"'
            f'{" checked" if o.letter in chosen else ""}><label for="{name}-{o.letter}">'
            f'<span class="kkn-exam__letter">{o.letter}.</span> {o.html}</label></div>\n'
            for o in question.options)
        return (
            f'<fieldset class="kkn-question" data-question="{escape_text(question.id)}" aria-describedby="{name}-text">\n'
            f'<legend>{escape_text(labels.question % {"number": question.number})} '
            f'<span class="kkn-exam__meta">({labels.meta(question.points, question.type)})</span></legend>\n'
            f'<div class="kkn-prose" id="{name}-text">{render_markdown(question.text)}</div>\n{options}</fieldset>\n'
        )

    def _results_html(self, situation):
        """Her submitted attempts, newest first, and whether her answers can be opened (loaded when she
        opens them: ``review``) or a hint when they will be."""
        if not situation.submitted:
            return ""
        reviewable = rules.review_level(self.review_policy, self._finished(situation.attempts)) != rules.Review.SCORE
        return self.render_template("exam/results.html", {
            "results": [self._result_context(a) for a in reversed(situation.submitted)],
            "reviewable": reviewable,
            "review_hint": self._review_hint(reviewable),
        })

    def _result_context(self, attempt):
        """One submitted attempt on the page: its score."""
        return {
            "number": attempt.number,
            "when": self.local_time_text(attempt.submitted_at),
            "by_deadline": attempt.submitted_by == api.BY_DEADLINE,
            "passed": bool(attempt.passed),
            "score_text": self._score_text(attempt),
        }

    def _review_html(self, attempt, by_id, level):
        """Her answers to a submitted attempt as the review ``level`` shows them, as list items: each
        question graded, and with ANSWERS the right options and the explanation. Built without the
        template engine, as the open attempt's questions (every value escaped)."""
        labels = _QuestionLabels(self)
        graded = {r.id: r for r in rules.grade(attempt.draw, by_id, attempt.answers).results}
        answers_shown = level == rules.Review.ANSWERS
        items = {item["id"]: item for item in attempt.draw}
        reviewed = []
        yours, marked_right = labels.yours, labels.right
        for q in rules.shown_questions(attempt.draw, by_id):
            question = by_id[q.id]
            order = items[q.id]["options"]  # the drawn option ids: a shown option's is at its letter's place
            right_ids = question.correct_ids if answers_shown else ()
            chosen = set(attempt.answers.get(q.id) or ())
            options = []
            for o in q.options:  # an option the author has deleted since is not among them
                oid = order[rules.LETTERS.index(o.letter)]
                options.append(f"<li>{o.letter}. {o.html}{yours if oid in chosen else ''}"
                               f"{marked_right if oid in right_ids else ''}</li>")
            right = graded[q.id].right
            explanation = render_markdown(question.explanation) if answers_shown else ""
            reviewed.append(
                f'<li class="kkn-exam__review-item">\n<div class="kkn-prose">{render_markdown(q.text)}</div>\n'
                f'<p class="{"kkn-feedback--right" if right else "kkn-feedback--wrong"}">'
                f'{labels.right_feedback if right else labels.wrong_feedback}</p>\n'
                f'<ul class="kkn-exam__review-options">{"".join(options)}</ul>\n'
                + (f'<div class="kkn-exam__explanation"><p><strong>{labels.explanation}</strong></p>{explanation}</div>\n'
                   if explanation else "")
                + "</li>\n")
        return mark_safe("".join(reviewed))  # noqa: S308

    def _certificate_context(self, certificate):
        if certificate is None:
            return None
        status = certificate.status(clock.now())
        return {
            "code": certificate.code,
            "status": status,
            "status_text": self.gettext(_STATUS_LABELS[status]),
            "url": self.runtime.handler_url(self, "certificate"),
            "verify_url": self._verify_url(certificate.code),
        }

    @staticmethod
    def _verify_url(code=""):
        return verification.page_url(code)

    def student_view_data(self, context=None):
        """For the mobile apps: the exam's rules. No question, option or answer."""
        bank = self._bank() or ()
        return {
            "display_name": self.display_name,
            "programme_id": self.programme_id,
            "programme_title": self.programme_title,
            "exam_id": self.exam_id,
            "introduction_html": render_markdown(self.introduction),
            "required_modules": list(self.required_modules),
            "min_meetings": self.min_meetings,
            "question_count": min(self.draw_count or len(bank), len(bank)),
            "time_limit_minutes": self.time_limit_minutes,
            "attempts_allowed": self.attempts_allowed,
            "wait_minutes_between_attempts": self.wait_minutes_between_attempts,
            "pass_percent": self.pass_percent,
            "review_policy": self.review_policy,
            "certificate_valid_months": self.certificate_valid_months,
            "weight": self.weight,
        }

    def index_dictionary(self):
        """Searchable: the title and the instructions, never the questions."""
        index = super().index_dictionary()
        index.setdefault("content", {}).update({"display_name": self.display_name, "text": self.introduction})
        index["content_type"] = "Final exam"
        return index

    # --- learner handlers ----------------------------------------------------------------------------
    @json_handler
    def start(self, payload, suffix=""):
        person = self.require_learner()
        bank = self._bank_or_refuse()
        situation = self._situation(person, bank, mirror=False)
        if situation.open_attempt is not None:
            self._sync_with_record(situation)
            return {"html": self._learner_html(person, situation=situation), "resumed": True}
        if not situation.eligibility.eligible:
            raise Refusal(403, self._missing_text(situation.eligibility))
        now = clock.now()
        reason, when = self._start_block(situation, now)
        if reason:
            raise Refusal(409, self._start_block_text(reason, when), reason=reason)
        api.join_programme(person.key, self.programme_id, person.name)
        draw = rules.draw_questions(bank, self.draw_count, self.balance_topics, self.shuffle, _RANDOM)
        deadline = rules.deadline_for(now, self.time_limit_minutes, situation.accommodation.extra_minutes)
        started, _created = api.start_attempt(person.key, self.programme_id, self.exam_id,
                                              len(situation.attempts) + 1, draw, now, deadline,
                                              course_key=self.course_key_str)
        # Starting changes only her attempts: the rest of what was read above still holds.
        situation = replace(situation, attempts=[*situation.attempts, started])
        self._sync_with_record(situation, changed=True)
        return {"html": self._learner_html(person, situation=situation), "resumed": False}

    def _attempt_for(self, person, payload, attempts=None):
        """Her attempt named in the request, still open and in time; a Refusal otherwise.
        ``attempts``: all of hers, when the handler has read them anyway."""
        number = payload.integer("attempt", 1, 10_000)
        if attempts is None:
            attempt = api.attempt(person.key, self.programme_id, self.exam_id, number)
        else:
            attempt = next((a for a in attempts if a.number == number), None)
        if attempt is None:
            raise Refusal(404, self.gettext(_("You have no such attempt. Reload the page.")))
        if not attempt.open:
            raise Refusal(409, self.gettext(_("This attempt has already been submitted. Nothing was changed.")),
                          html=self._learner_html(person, sync=False))
        return attempt

    def _refuse_late(self, person, attempt, bank, now):
        """After the deadline: grade what was saved (kept: the refusal does not undo it), refuse what came late."""
        self._finalise(attempt, None, bank, now, api.BY_DEADLINE)
        raise Refusal(409, self.gettext(_(
            "The time ran out at {time}. Your answers saved until then have been submitted; later changes were not "
            "accepted.")).format(time=self.local_time_text(attempt.deadline)), keep=True,
            html=self._learner_html(person))

    def _read_answers(self, payload, attempt, bank):
        raw = payload.mapping("answers", max_items=rules.MAX_QUESTIONS)
        try:
            return rules.read_answers(attempt.draw, self._by_id(bank), raw, self.gettext)
        except ValueError as error:
            raise Refusal(400, str(error)) from None

    @json_handler
    def save_answers(self, payload, suffix=""):
        person = self.require_learner()
        bank = self._bank_or_refuse()
        attempt = self._attempt_for(person, payload)
        now = clock.now()
        if self._time_is_up(attempt, now):
            self._refuse_late(person, attempt, bank, now)
        answers = self._read_answers(payload, attempt, bank)
        cutoff = now - timedelta(seconds=self._grace_seconds())
        if not api.save_answers(attempt.pk, answers, now, cutoff=cutoff):
            # Submitted or timed out between our read and our write: answer as if we had seen it.
            self._attempt_for(person, payload)
            self._refuse_late(person, attempt, bank, now)
        return {
            "saved_text": self.gettext(_("Your answers were saved at {time}.")).format(time=self.local_time_text(now)),
            "answered": len(answers),
            "seconds_left": rules.seconds_left(attempt.deadline, now),
        }

    @json_handler
    def submit(self, payload, suffix=""):
        person = self.require_learner()
        bank = self._bank_or_refuse()
        # All her attempts in one read: the page she gets back needs them, with this one closed.
        attempts = api.attempts_of(person.key, self.programme_id, self.exam_id)
        attempt = self._attempt_for(person, payload, attempts)
        now = clock.now()
        if self._time_is_up(attempt, now):
            self._refuse_late(person, attempt, bank, now)
        answers = self._read_answers(payload, attempt, bank)
        closed, passed = self._finalise(attempt, answers, bank, now, api.BY_LEARNER)
        if not closed:
            raise Refusal(409, self.gettext(_("This attempt has already been submitted. Nothing was changed.")),
                          html=self._learner_html(person, sync=False))
        api.join_programme(person.key, self.programme_id, person.name)
        message = self.gettext(_("Your attempt has been submitted. You passed.") if passed
                               else _("Your attempt has been submitted. You did not reach the pass mark this time."))
        situation = self._situation(person, bank, attempts=_with_closed(attempts, closed),
                                    mirror=False)
        self._sync_with_record(situation, changed=True)
        return {"html": self._learner_html(person, situation=situation), "message": message, "passed": passed}

    @json_handler(writes=False)
    def review(self, payload, suffix=""):
        """Her answers to one of her submitted attempts, as far as the review policy shows them now:
        loaded when she opens them. A review of a hundred questions would otherwise be most of the
        weight of every page she opens after an attempt (and of the answer to her submit), on a
        phone too."""
        person = self.require_learner()
        bank = self._bank_or_refuse()
        number = payload.integer("attempt", 1, 10_000)
        attempts = api.attempts_of(person.key, self.programme_id, self.exam_id)
        attempt = next((a for a in attempts if a.number == number and not a.open), None)
        if attempt is None:
            raise Refusal(404, self.gettext(_("You have no submitted attempt with that number. Reload the page.")))
        level = rules.review_level(self.review_policy, self._finished(attempts))
        if level == rules.Review.SCORE:
            raise Refusal(403, self.gettext(_("Your answers to this attempt are not shown yet. Reload the page.")))
        return {"html": self._review_html(attempt, self._by_id(bank), level)}

    # --- certificate and verification --------------------------------------------------------------
    @XBlock.handler
    def certificate(self, request, suffix=""):
        """Her printable certificate (Swedish and English). Only her own."""
        person = self.person
        certificate = api.certificate_of(person.key, self.programme_id) if person.known else None
        if certificate is None:
            return self._page(self.gettext(_("Certificate")), self.render_template("exam/page_message.html", {
                "message": self.gettext(_("You have no certificate for this programme yet.")),
            }), status=404)
        verify_url = _absolute(self._verify_url(certificate.code), request)
        qr_svg = segno.make(verify_url, error="m").svg_inline(
            border=2, omitsize=True, title=self.gettext(_("QR code for verifying this certificate")))
        sections = [self._render_in(language, "exam/certificate_section.html", {
            "certificate": certificate,
            "status": certificate.status(clock.now()),
            "issued": self._date_text(certificate.issued_at, language),
            "expires": self._date_text(certificate.expires_at, language) if certificate.expires_at else "",
            "verify_url": verify_url,
        }) for language in ("sv", "en")]
        body = self.render_template("exam/certificate_page.html", {
            "sections": sections, "qr_svg": qr_svg, "verify_url": verify_url, "code": certificate.code,
            "badge": self._badge_links(certificate),
        })
        return self._page(f"{self.gettext(_('Certificate'))} \u2013 {certificate.name}", body)

    # --- the certificate as a portable Open Badges 3.0 credential --------------------------------
    def _achievement_texts(self):
        """The programme as the credential's achievement: each text in Swedish, then English."""
        title = self.programme_title or self.display_name
        catalogs = [bilingual.translations(language) for language in bilingual.LANGUAGES]
        description = " / ".join(catalog.gettext(_("Certification in the programme {title}.")).format(title=title)
                                 for catalog in catalogs)
        criteria = "\n\n".join(catalog.ngettext(
            "Completed every module of the programme ({modules}), attended at least {meetings} regional "
            "meeting and passed the final exam with at least {percent} % of the points.",
            "Completed every module of the programme ({modules}), attended at least {meetings} regional "
            "meetings and passed the final exam with at least {percent} % of the points.", self.min_meetings).format(
            modules=len(self.required_modules), meetings=self.min_meetings, percent=self.pass_percent)
            for catalog in catalogs)
        return api.AchievementTexts(name=title, description=description, criteria=criteria)

    def _credential(self, certificate):
        """``(credential, token)`` of her certificate, issued now if it has none yet; None where the
        operator has set up no issuer or the certificate may not carry one (revoked, retired)."""
        try:
            return api.credential_of(certificate.code, self._achievement_texts())
        except api.BadgesNotConfigured:
            return None

    def _badge_links(self, certificate):
        if not api.badges_configured() or not api.may_carry_credential_record(certificate):
            return None
        return {
            "json_url": self.runtime.handler_url(self, "open_badge", "json"),
            "svg_url": self.runtime.handler_url(self, "open_badge", "svg"),
            "check_url": verification.check_credential_url(),
        }

    @XBlock.handler
    def open_badge(self, request, suffix=""):
        """Her certificate as an Open Badges credential: ``json`` (the credential with its signed
        token, for a digital wallet) or ``svg`` (the badge with the credential baked in). Only her own."""
        if request.method not in ("GET", "HEAD"):
            return Response(status=405, allow=["GET", "HEAD"])
        person = self.person
        certificate = api.certificate_of(person.key, self.programme_id) if person.known else None
        found = self._credential(certificate) if certificate is not None and suffix in ("json", "svg") else None
        if found is None:
            return self._page(self.gettext(_("Digital credential")), self.render_template("exam/page_message.html", {
                "message": self.gettext(_("There is no digital credential for you here.")),
            }), status=404)
        credential, token = found
        if suffix == "json":
            body = json.dumps(api.with_jwt_proof(credential, token), ensure_ascii=False, indent=2).encode("utf-8")
            content_type = "application/json"
        else:
            body = api.badge_image(credential["name"], token)
            content_type = "image/svg+xml"
        return Response(body, content_type=content_type, charset="utf-8",
                        content_disposition=f'attachment; filename="{certificate.code}.{suffix}"')

    @XBlock.handler
    def verify(self, request, suffix=""):
        """Certificates printed before verification had a page of its own carry this address."""
        return Response(status=301, location=verification.page_url(request.GET.get("id", "")))

    @XBlock.handler
    def verify_json(self, request, suffix=""):
        """The machine answer's former address, likewise."""
        typed = request.GET.get("id", "")
        return Response(status=301, location=verification.page_url(typed, json=bool(typed)))

    def _page(self, title, body, status=200):
        html = self.render_template("page.html", {
            "title": title,
            "body_class": "kkn-exam-page",
            "body": body,
            "css_urls": [self.runtime.local_resource_url(self, "public/css/kkn.css"),
                         self.runtime.local_resource_url(self, "public/css/kkn-exam.css")],
            "js_url": self.runtime.local_resource_url(self, "public/js/kkn-exam.js"),
        })
        response = Response(html, status=status, content_type="text/html", charset="utf-8")
        response.headers["Cache-Control"] = "no-store"  # her own certificate and messages
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    def _render_in(self, language, template, context):
        """A template in one language, whatever the user's (the certificate is in Swedish and English)."""
        return bilingual.render_in(language, template, {**context, "dom_id": self.dom_id("root")})

    def _date_text(self, moment, language):
        return bilingual.date_text(moment, language, self.operator_setting("TIME_ZONE", "Europe/Stockholm"))

    # --- staff ---------------------------------------------------------------------------------------
    def _staff_html(self, message=""):
        gettext = self.gettext
        bank = self._bank()
        if bank:
            self._finalise_overdue(bank)
        rows = api.exam_overview(self.programme_id, self.exam_id, self.required_modules)
        return self.render_template("exam/staff.html", {
            "block": self,
            "message": message,
            "bank_problem": rules.bank_problem(self.questions, gettext),
            "rows": [dict(self._overview_context(row), extract=self._extract_urls(row.learner_key)) for row in rows],
            "learners": [(row.learner_key, row.name or row.learner_key) for row in rows],
            "certificates": [row.certificate.code for row in rows
                             if row.certificate and row.certificate.revoked_at is None],
            "modules_total": len(self.required_modules),
            "csv_url": self.runtime.handler_url(self, "report_csv"),
            "verify_url": self._verify_url(),
        })

    def _extract_urls(self, learner_key):
        return {kind: self.runtime.handler_url(self, "register_extract",
                                               query=urlencode({"learner_key": learner_key, "format": kind}))
                for kind in ("document", "json")}

    def _finalise_overdue(self, bank):
        """Attempts whose time ran out while the learner was away: graded now, so reports are true.
        Her grade and certificate follow on her next visit (the runtime grades only the current user)."""
        now = clock.now()
        for _key, attempt in api.overdue_attempts(self.programme_id, self.exam_id,
                                                  now - timedelta(seconds=self._grace_seconds())):
            self._finalise(attempt, None, bank, now, api.BY_DEADLINE)

    def _overview_context(self, row):
        gettext = self.gettext
        accommodation = row.accommodation
        eligibility = rules.eligibility(self.required_modules, row.completed_modules, row.meetings,
                                        self.min_meetings, accommodation.eligibility_exempt)
        certificate = row.certificate
        done = len(self.required_modules) - len(eligibility.missing_modules)
        return {
            "key": row.learner_key,
            "name": row.name or row.learner_key,
            "modules": f"{done}/{len(self.required_modules)}" if self.required_modules else "\u2013",
            "modules_done": done,
            "meetings": f"{row.meetings}/{self.min_meetings}" if self.min_meetings else str(row.meetings),
            "eligible": eligibility.eligible,
            "exempt": accommodation.eligibility_exempt,
            "eligible_text": (gettext(_("Exempt")) if accommodation.eligibility_exempt and not
                              eligibility.requirements_met else gettext(_("Yes") if eligibility.eligible else _("No"))),
            "exemption_note": self.gettext(_("{name}, {time}: {reason}")).format(
                name=accommodation.exemption_by_name, time=self.local_time_text(accommodation.exemption_at),
                reason=accommodation.exemption_reason) if accommodation.exemption_at else "",
            "extra_minutes": accommodation.extra_minutes,
            "extra_note": self.gettext(_("{name}, {time}: {reason}")).format(
                name=accommodation.extra_time_by_name, time=self.local_time_text(accommodation.extra_time_at),
                reason=accommodation.extra_time_reason) if accommodation.extra_time_at else "",
            "attempts": row.attempts,
            "open": row.open_attempt,
            "best": (f"{rules.percent_floor(row.best_earned, row.best_possible)} %"
                     if row.best_possible else "\u2013"),
            "passed": row.passed,
            "certificate": certificate.code if certificate else "",
            "certificate_status": gettext(_STATUS_LABELS[certificate.status(clock.now())]) if certificate else "",
            "revoked_note": self.gettext(_("{name}, {time}: {reason}")).format(
                name=certificate.revoked_by_name, time=self.local_time_text(certificate.revoked_at),
                reason=certificate.revoked_reason) if certificate and certificate.revoked_at else "",
        }

    @json_handler
    def staff_panel(self, payload, suffix=""):
        self.require_staff()
        return {"html": self._staff_html()}

    @json_handler
    def accommodate(self, payload, suffix=""):
        """Extra time and/or an exemption from the eligibility requirements for one learner."""
        staff = self.require_staff()
        learner_key = payload.text("learner_key", 64)
        extra = payload.integer("extra_minutes", 0, 24 * 60)
        exempt = payload.boolean("exempt")
        reason = self._reason(payload)
        if not api.is_participant(learner_key, self.programme_id):
            raise Refusal(400, self.gettext(_("This person is not a participant of the programme. Reload the page.")))
        before = api.accommodation_for(learner_key, self.programme_id, self.exam_id)
        if extra == before.extra_minutes and exempt == before.eligibility_exempt:
            raise Refusal(409, self.gettext(_("Nothing to change: the learner already has exactly this.")))
        if extra != before.extra_minutes:
            api.grant_extra_time(learner_key, self.programme_id, self.exam_id, extra, reason, staff.key or "",
                                 staff.name)
        if exempt != before.eligibility_exempt:
            api.set_exemption(learner_key, self.programme_id, self.exam_id, exempt, reason, staff.key or "",
                              staff.name)
        name = api.names_of(self.programme_id, [learner_key]).get(learner_key) or learner_key
        message = self.gettext(_("Saved for {name}: {minutes} extra, {exempt}.")).format(
            name=name, minutes=self._duration_text(extra),
            exempt=self.gettext(_("exempt from the requirements") if exempt else _("not exempt")))
        return {"message": message, "html": self._staff_html()}

    @json_handler
    def revoke(self, payload, suffix=""):
        staff = self.require_staff()
        read = ids.normalise(payload.text("code", 64))
        if read.problem:
            raise Refusal(400, verification.code_problem_text(read, self.gettext))
        reason = self._reason(payload)
        certificate = api.find_certificate(read.code)
        if certificate is None or certificate.programme_id != self.programme_id:
            raise Refusal(404, self.gettext(_("This programme has no certificate with the id {id}.")).format(
                id=read.code))
        if not api.revoke_certificate(read.code, self.programme_id, staff.key or "", staff.name, reason):
            raise Refusal(409, self.gettext(_("The certificate {id} has already been revoked. Nothing was changed."))
                          .format(id=read.code))
        message = self.gettext(_("The certificate {id} of {name} has been revoked.")).format(
            id=read.code, name=certificate.name)
        return {"message": message, "html": self._staff_html()}

    @XBlock.handler
    def register_extract(self, request, suffix=""):
        """Staff: everything the record holds about one participant of this programme (GDPR art. 15),
        as JSON (``format=json``) or as a readable Swedish document (``format=document``)."""
        try:
            self.require_staff()
            key = request.GET.get("learner_key", "").strip()
            kind = request.GET.get("format", "document")
            if kind not in ("json", "document"):
                raise Refusal(400, self.gettext(_("Choose the extract as a document or as JSON.")))
            if not key or len(key) > 64 or not api.is_participant(key, self.programme_id):
                raise Refusal(404, self.gettext(_(
                    "This person is not a participant of the programme. Reload the page.")))
        except Refusal as refusal:
            return refusal.get_response()
        extract = api.extract_learner(key, programme_id=self.programme_id)
        if kind == "json":
            body, content_type, extension = api.as_json(extract), "application/json", "json"
        else:
            body, content_type, extension = api.as_document(extract), "text/markdown", "md"
        return Response(body.encode("utf-8"), content_type=content_type, charset="utf-8",
                        content_disposition=f'attachment; filename="{api.extract_file_stem(key)}.{extension}"')

    def _reason(self, payload):
        reason = payload.text("reason", MAX_REASON_CHARS)
        if not reason:
            raise Refusal(400, self.gettext(_("Write the reason. It is kept with the decision.")))
        return reason

    @XBlock.handler
    def report_csv(self, request, suffix=""):
        try:
            self.require_staff()
        except Refusal as refusal:
            return refusal.get_response()
        gettext = self.gettext
        header = [gettext(_("Learner")), gettext(_("Learner key")), gettext(_("Modules complete")),
                  gettext(_("Meetings attended")), gettext(_("Eligible")), gettext(_("Extra minutes")),
                  gettext(_("Attempts")), gettext(_("Best score (%)")), gettext(_("Passed")),
                  gettext(_("Certificate")), gettext(_("Certificate status"))]
        rows = []
        for row in api.exam_overview(self.programme_id, self.exam_id, self.required_modules):
            shown = self._overview_context(row)
            rows.append([
                row.name, row.learner_key, shown["modules_done"], row.meetings, shown["eligible_text"],
                row.accommodation.extra_minutes, row.attempts,
                rules.percent_floor(row.best_earned, row.best_possible) if row.best_possible else "",
                gettext(_("Yes") if row.passed else _("No")), shown["certificate"], shown["certificate_status"],
            ])
        return self.csv_response(f"{self.exam_id}-rapport.csv", header, rows)

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the LMS's "problem responses" report: each learner's attempts here."""
        count = 0
        for user_state in user_state_iterator:
            if limit_responses is not None and count >= limit_responses:
                return
            summary = (user_state.state or {}).get("summary") or {}
            if not summary.get("attempts"):
                continue
            count += 1
            yield user_state.username, {
                "Attempts": summary["attempts"],
                "Best score (%)": summary.get("best_percent"),
                "Passed": bool(summary.get("passed")),
                "Certificate": summary.get("certificate", ""),
            }

    @staticmethod
    def workbench_scenarios():
        from .scenarios.exam import exam_scenarios  # pylint: disable=import-outside-toplevel
        return exam_scenarios()


_STATUS_LABELS = verification.STATUS_LABELS


def _number(value):
    return f"{value:g}" if value is not None else "0"


def _absolute(url, request):
    """The verification address is absolute in Open edX (``LMS_ROOT_URL``); the local preview gives a path."""
    if url.startswith("/") and request is not None:
        return request.host_url + url
    return url


class _QuestionLabels:
    """What the question HTML says around the author's text, translated once per request and
    escaped (translations are ours; the author's text is escaped where it is inserted)."""

    def __init__(self, block):
        gettext = block.gettext
        self.ngettext = block.ngettext
        self._metas = {}
        self.types = {kind: gettext(label) for kind, label in rules.TYPE_LABELS.items()}
        self.question = gettext(_("Question %(number)s"))
        yours, right = escape(gettext(_("your answer"))), escape(gettext(_("right answer")))
        self.yours = f" <strong>({yours})</strong>"
        self.right = f' <strong class="kkn-exam__right">({right})</strong>'
        self.right_feedback = escape(gettext(_("Right.")))
        self.wrong_feedback = escape(gettext(_("Not right.")))
        self.explanation = escape(gettext(_("Explanation")))

    def meta(self, points, kind):
        """"2 points; One right answer", escaped: made once per points and type on a page."""
        meta = self._metas.get((points, kind))
        if meta is None:
            meta = self._metas[points, kind] = escape_text("{}; {}".format(
                self.ngettext("{count} point", "{count} points", points).format(count=points), self.types[kind]))
        return meta
