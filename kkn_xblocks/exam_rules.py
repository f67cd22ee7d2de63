"""Rules of the final exam, as plain functions (no runtime needed to test them).

* The question bank: a plain-text format for Studio and the course source, parsed and written
  back, and the same checks for a bank that arrives as a field value (OLX, the course builder).
* The draw: N questions, optionally balanced over topics, questions and options shuffled with a
  random source the caller passes (the block passes the operating system's CSPRNG).
* Scoring: raw points per question, all or nothing; the pass rule in whole numbers.
* Who may start, when time is up, and what a learner may see of her attempts afterwards.

Learners never see option ids: the browser names an option by its letter in the order she was
shown (A, B, C...), and the server maps letters to ids through the stored draw. So nothing in the
page hints at the order the author wrote the options in (authors tend to write the right one first).
"""
import marshal
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from html import escape
from typing import NamedTuple

from .module_rules import module_lines_problems, parse_module_ids, safe_link  # noqa: F401 (safe_link: part of these rules too)
from .errors import AuthorError

SINGLE, MULTIPLE, TRUEFALSE = "single", "multiple", "truefalse"
TYPES = (SINGLE, MULTIPLE, TRUEFALSE)
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
OPTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")
LETTERS = "ABCDEFGHIJ"
MAX_QUESTIONS = 500
MAX_OPTIONS = len(LETTERS)
MAX_POINTS = 100
MAX_QUESTION_CHARS = 5000
MAX_OPTION_CHARS = 1000
MAX_TOPIC_CHARS = 64
MAX_TITLE_CHARS = 255
MAX_SHOWN_ORDERS = 120  # every order of 5 options; a bank has 4 to a question as a rule


def _(text):
    return text


TYPE_LABELS = {
    SINGLE: _("One right answer"),
    MULTIPLE: _("One or more right answers"),
    TRUEFALSE: _("True or false"),
}


# --- The question bank ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    options: tuple
    points: int = 1
    explanation: str = ""
    topic: str = ""

    # Worked out once per question: a bank is parsed once per content and shared by every request
    # (``usable_bank``), and grading and the review look these up for every drawn option.
    @cached_property
    def correct_ids(self):
        return frozenset(o.id for o in self.options if o.correct)

    @cached_property
    def _options_by_id(self):
        by_id = {}
        for o in self.options:  # the first of a repeated id, as a scan finds it (a checked bank has none)
            by_id.setdefault(o.id, o)
        return by_id

    def option(self, option_id):
        return self._options_by_id.get(option_id)

    @cached_property
    def _shown(self):
        return {}

    def shown_options(self, option_ids):
        """The options in a drawn order (their ids) as the learner sees them: letter and text, an id
        the bank no longer has left out. Remembered per order on the question, which is immutable and
        shared by every request for the same bank content (``usable_bank``); at most
        ``MAX_SHOWN_ORDERS`` orders are kept, the rest made each time."""
        key = tuple(option_ids)
        shown = self._shown.get(key)
        if shown is None:
            options = [self.option(oid) for oid in key]
            shown = tuple(ShownOption(LETTERS[i], o.text, escape(o.text)) for i, o in enumerate(options) if o is not None)
            if len(self._shown) < MAX_SHOWN_ORDERS:
                self._shown[key] = shown
        return shown

    def to_field(self):
        return {
            "id": self.id,
            "type": self.type,
            "text": self.text,
            "options": [{"id": o.id, "text": o.text, "correct": o.correct} for o in self.options],
            "points": self.points,
            "explanation": self.explanation,
            "topic": self.topic,
        }


def _check_question(question, gettext, where):
    """AuthorError unless ``question`` is usable. ``where()`` names it for the author (built only
    when something is wrong: a bank is checked on every request)."""
    def refuse(message, **values):
        raise AuthorError(where() + gettext(message).format(**values))

    if not question.text.strip():
        refuse(_("the question has no text."))
    if len(question.text) > MAX_QUESTION_CHARS or len(question.explanation) > MAX_QUESTION_CHARS:
        refuse(_("the question or its explanation is longer than {limit} characters."), limit=MAX_QUESTION_CHARS)
    if not 1 <= question.points <= MAX_POINTS:
        refuse(_("points must be a whole number from 1 to {limit}."), limit=MAX_POINTS)
    if len(question.topic) > MAX_TOPIC_CHARS:
        refuse(_("the topic is longer than {limit} characters."), limit=MAX_TOPIC_CHARS)
    count = len(question.options)
    if question.type == TRUEFALSE and count != 2:
        refuse(_("a true-or-false question has exactly 2 options (true and false)."))
    if not 2 <= count <= MAX_OPTIONS:
        refuse(_("a question needs from 2 to {limit} options."), limit=MAX_OPTIONS)
    seen = set()
    for option in question.options:
        if not OPTION_ID.match(option.id):
            refuse(_("the option id \u201c{id}\u201d may only use letters, digits, \u201c-\u201d and \u201c_\u201d "
                     "(at most 16)."), id=option.id)
        if option.id in seen:
            refuse(_("the option id \u201c{id}\u201d is used twice."), id=option.id)
        seen.add(option.id)
        if not option.text.strip():
            refuse(_("an option has no text."))
        if len(option.text) > MAX_OPTION_CHARS:
            refuse(_("an option is longer than {limit} characters."), limit=MAX_OPTION_CHARS)
    right = sum(1 for o in question.options if o.correct)
    if question.type in (SINGLE, TRUEFALSE) and right != 1:
        refuse(_("mark exactly one option as right (with \u201c*\u201d), or make it a \u201cmultiple\u201d question."))
    if question.type == MULTIPLE and right < 1:
        refuse(_("mark at least one option as right (with \u201c*\u201d)."))


def _check_bank(questions, gettext):
    if len(questions) > MAX_QUESTIONS:
        raise AuthorError(gettext(_("A question bank can have at most {limit} questions.")).format(limit=MAX_QUESTIONS))
    seen = set()
    for question in questions:
        if question.id in seen:
            raise AuthorError(gettext(_(
                "The question id \u201c{id}\u201d is used twice. Give each question its own id.")).format(id=question.id))
        seen.add(question.id)


def bank_from_field(value, gettext):
    """The questions of a ``questions`` field value (from Studio, OLX or the course builder).

    Raises AuthorError naming the question and what to fix: imported OLX bypasses the editor.
    """
    if not isinstance(value, list):
        raise AuthorError(gettext(_("The question bank must be a list of questions.")))
    questions = []
    for index, raw in enumerate(value, start=1):
        if not isinstance(raw, dict):
            raise AuthorError(gettext(_("Question {number}: ")).format(number=index) + gettext(_(
                "it must be an object with id, type, text and options.")))
        qid = raw.get("id")
        if not isinstance(qid, str) or not ID.match(qid):
            raise AuthorError(gettext(_("Question {number}: ")).format(number=index) + gettext(_(
                "the id must be 1 to 64 letters, digits, \u201c-\u201d or \u201c_\u201d.")))

        def where(qid=qid):
            return gettext(_("Question {id}: ")).format(id=qid)
        qtype = raw.get("type", SINGLE)
        if qtype not in TYPES:
            raise AuthorError(where() + gettext(_("the type must be one of: {types}.")).format(types=", ".join(TYPES)))
        points = raw.get("points", 1)
        if isinstance(points, bool) or not isinstance(points, int):
            raise AuthorError(where() + gettext(_("points must be a whole number from 1 to {limit}.")).format(
                limit=MAX_POINTS))
        texts = {key: raw.get(key, "") for key in ("text", "explanation", "topic")}
        if not all(isinstance(text, str) for text in texts.values()):
            raise AuthorError(where() + gettext(_("text, explanation and topic must be text.")))
        options = []
        raw_options = raw.get("options")
        if not isinstance(raw_options, list):
            raise AuthorError(where() + gettext(_("options must be a list.")))
        for raw_option in raw_options:
            if not (isinstance(raw_option, dict) and isinstance(raw_option.get("id"), str)
                    and isinstance(raw_option.get("text"), str) and isinstance(raw_option.get("correct", False), bool)):
                raise AuthorError(where() + gettext(_("each option needs an id, a text and correct (true or false).")))
            options.append(Option(raw_option["id"], raw_option["text"], raw_option.get("correct", False)))
        question = Question(qid, qtype, texts["text"], tuple(options), points, texts["explanation"], texts["topic"])
        _check_question(question, gettext, where)
        questions.append(question)
    _check_bank(questions, gettext)
    return tuple(questions)


def usable_bank(value):
    """The questions of a ``questions`` field value, or ``None`` when it is not a usable bank.

    Every request of the exam reads the field; its bank is parsed and checked once per content,
    not on every request. Banks are immutable, so all requests may share one. The key is the value
    serialised with ``marshal``: exact (it writes every list, dict, string, number, boolean and None
    with its type, and ``marshal.loads`` gives the value back, so equal keys mean equal content:
    an edited bank is never served stale) and three times faster than JSON. Format version 2 writes
    no references to objects written before, so the key does not depend on how the runtime shares
    equal strings. The same content in another dict order gives another key: a miss, not an error.
    """
    try:
        content = marshal.dumps(value, _MARSHAL_VERSION)
    except ValueError:  # a type marshal cannot write (never in a field value read from JSON): no cache
        content = None
    if content is not None and content in _BANKS:
        return _BANKS[content]
    try:
        bank = bank_from_field(value, _untranslated) or None
    except AuthorError:
        bank = None
    if content is not None:
        if len(_BANKS) >= _BANKS_KEPT:
            _BANKS.pop(next(iter(_BANKS)))  # the oldest: a few exams per process are the rule
        _BANKS[content] = bank
    return bank


_BANKS = {}
_MARSHAL_VERSION = 2  # version 3 added references to objects written before (Python docs, marshal)
_BANKS_KEPT = 32


def _untranslated(text):
    return text


def bank_problem(value, gettext):
    """The translated reason the field value is not a usable bank, or ""."""
    try:
        bank = bank_from_field(value, gettext)
    except AuthorError as error:
        return str(error)
    return "" if bank else gettext(_("The question bank is empty. Add questions."))


# --- The bank as text --------------------------------------------------------------------------------
#
#   ? modul-1-q1 | single | 2 | modul-1         <- "?" id | type | points | topic (all but "?" optional)
#   Vad står KKN för?                           <- the question (Markdown), one or more lines
#   * a) Kulturella och kreativa näringar       <- "*" a right option, "-" a wrong one; "a)" is its id
#   - b) Kommunala kulturnämnder
#   > KKN står för kulturella och kreativa näringar.   <- optional explanation (Markdown)
#
# Ids keep attempts in progress and results stable when the author edits: the text always shows
# them, and options typed without one get the next free letter.

_HEADER = re.compile(r"^\?\s*(?P<rest>.*)$")
_OPTION = re.compile(r"^(?P<mark>[*-])\s*(?:(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{0,15})\)\s+)?(?P<text>.*)$")


def parse_question_bank(text, gettext):
    """The bank as a field value from the author's text; AuthorError names the line to fix."""
    drafts = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        header = _HEADER.match(stripped)
        if header:
            drafts.append(_draft_from_header(header.group("rest"), number, gettext))
            continue
        if not drafts:
            if stripped:
                raise AuthorError(gettext(_("Line {line}: start each question with a line beginning with "
                                            "\u201c?\u201d.")).format(line=number))
            continue
        current = drafts[-1]
        option = _OPTION.match(stripped) if stripped[:1] in ("*", "-") else None
        if option:
            if current["explanation"]:
                raise AuthorError(gettext(_(
                    "Line {line}: options come before the explanation (\u201c>\u201d).")).format(line=number))
            if not option.group("text").strip():
                raise AuthorError(gettext(_("Line {line}: the option has no text.")).format(line=number))
            current["options"].append([option.group("id") or "", option.group("text").strip(),
                                       option.group("mark") == "*", number])
        elif stripped.startswith(">"):
            current["explanation"].append(stripped[1:].strip())
        elif current["options"] or current["explanation"]:
            if stripped:
                raise AuthorError(gettext(_(
                    "Line {line}: after the options, write \u201c>\u201d for the explanation or start the next "
                    "question with \u201c?\u201d.")).format(line=number))
        else:
            current["text"].append(line.strip())
    taken_ids = {d["id"] for d in drafts if d["id"]}
    questions = []
    for draft in drafts:
        if not draft["id"]:
            draft["id"] = _free_question_id(taken_ids)
            taken_ids.add(draft["id"])
        def where(line=draft["line"]):
            return gettext(_("Question on line {line}: ")).format(line=line)
        question = _question_from_draft(draft, where, gettext)
        _check_question(question, gettext, where)
        questions.append(question)
    _check_bank(questions, gettext)
    return [q.to_field() for q in questions]


def _draft_from_header(rest, line, gettext):
    parts = [part.strip() for part in rest.split("|")]
    parts += [""] * (4 - len(parts))
    if len(parts) > 4:
        raise AuthorError(gettext(_("Line {line}: a question line has at most four parts: ? id | type | points | "
                                    "topic.")).format(line=line))
    qid, qtype, points, topic = parts
    if qid and not ID.match(qid):
        raise AuthorError(gettext(_("Line {line}: the question id may only use letters, digits, \u201c-\u201d and "
                                    "\u201c_\u201d (at most 64).")).format(line=line))
    if qtype and qtype not in TYPES:
        raise AuthorError(gettext(_("Line {line}: the type must be one of: {types}.")).format(
            line=line, types=", ".join(TYPES)))
    if points and not points.isdigit():
        raise AuthorError(gettext(_("Line {line}: points must be a whole number from 1 to {limit}.")).format(
            line=line, limit=MAX_POINTS))
    return {"id": qid, "type": qtype, "points": int(points) if points else 1, "topic": topic, "line": line, "text": [],
            "options": [], "explanation": []}


def _free_question_id(taken):
    number = 1 + max((int(m.group(1)) for m in (re.match(r"^q(\d+)$", t) for t in taken) if m), default=0)
    return f"q{number}"


def _question_from_draft(draft, where, gettext):
    taken = {option[0] for option in draft["options"] if option[0]}
    options = []
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    for option_id, text, correct, _line in draft["options"]:
        if not option_id:
            option_id = next(letter for letter in letters if letter not in taken)
            taken.add(option_id)
        options.append(Option(option_id, text, correct))
    qtype = draft["type"] or (MULTIPLE if sum(1 for o in options if o.correct) > 1 else SINGLE)
    text = "\n".join(draft["text"]).strip("\n")
    if not options:
        raise AuthorError(where() + gettext(_(
            "add the options: \u201c*\u201d before a right one, \u201c-\u201d before a wrong one.")))
    return Question(draft["id"], qtype, text, tuple(options), draft["points"],
                    "\n".join(draft["explanation"]).strip("\n"), draft["topic"])


def question_bank_to_text(value):
    """The author's text for a bank field value (the inverse of ``parse_question_bank``)."""
    blocks = []
    for raw in value or []:
        if not isinstance(raw, dict):
            continue
        header = [raw.get("id", ""), raw.get("type", SINGLE), str(raw.get("points", 1))]
        if raw.get("topic"):
            header.append(raw["topic"])
        lines = ["? " + " | ".join(header), *str(raw.get("text", "")).splitlines()]
        for option in raw.get("options") or []:
            if isinstance(option, dict):
                mark = "*" if option.get("correct") else "-"
                lines.append(f"{mark} {option.get('id', '')}) {option.get('text', '')}")
        lines += [f"> {line}".rstrip() for line in str(raw.get("explanation", "")).splitlines()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# --- The draw ----------------------------------------------------------------------------------------

def draw_questions(bank, count, balance_topics, shuffle, rng):
    """``[{"id": question id, "options": [option ids in shown order]}]`` for a new attempt.

    ``count`` 0 (or more than the bank) takes every question. With ``balance_topics`` the draw
    takes questions from each topic in turn, so topics differ by at most one question where the
    bank allows. True-or-false options keep their order (true, false) even when shuffling.
    """
    pool = list(bank)
    wanted = len(pool) if not count or count >= len(pool) else count
    if wanted < len(pool):
        chosen = _balanced_sample(pool, wanted, rng) if balance_topics else rng.sample(pool, wanted)
        if not shuffle:
            order = {q.id: i for i, q in enumerate(pool)}
            chosen.sort(key=lambda q: order[q.id])
    else:
        chosen = pool
    if shuffle:
        chosen = list(chosen)
        rng.shuffle(chosen)
    draw = []
    for question in chosen:
        ids = [o.id for o in question.options]
        if shuffle and question.type != TRUEFALSE:
            rng.shuffle(ids)
        draw.append({"id": question.id, "options": ids})
    return draw


def _balanced_sample(pool, wanted, rng):
    groups = {}
    for question in pool:
        groups.setdefault(question.topic, []).append(question)
    queues = list(groups.values())
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)  # which topics get the one extra question is random too
    chosen = []
    while len(chosen) < wanted:
        for queue in queues:
            if queue and len(chosen) < wanted:
                chosen.append(queue.pop())
    return chosen


@dataclass(frozen=True)
class TopicStats:
    """One row of the bank's statistics: a topic (a module, usually), its questions per type and points."""

    topic: str
    by_type: dict
    questions: int
    points: int


def bank_statistics(bank):
    """The bank per topic, in the order topics first appear, then the whole bank as a last row
    (topic None): what an author checks against the draw and the balance of topics."""
    rows = {}
    for question in bank:
        row = rows.setdefault(question.topic, {"by_type": dict.fromkeys(TYPES, 0), "questions": 0, "points": 0})
        row["by_type"][question.type] += 1
        row["questions"] += 1
        row["points"] += question.points
    stats = [TopicStats(topic, **row) for topic, row in rows.items()]
    total = TopicStats(None, {kind: sum(s.by_type[kind] for s in stats) for kind in TYPES},
                       sum(s.questions for s in stats), sum(s.points for s in stats))
    return stats + [total]


def topic_counts(bank, draw):
    """``{topic: questions drawn}`` (for tests and the staff view)."""
    by_id = {q.id: q for q in bank}
    counts = {}
    for item in draw:
        topic = by_id[item["id"]].topic
        counts[topic] = counts.get(topic, 0) + 1
    return counts


# --- What the learner sees and sends -------------------------------------------------------------------

# Named tuples, not frozen dataclasses: a page makes one per drawn question and option (100 and
# 400 on a review), and a frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field)
# made these the largest part of ``shown_questions``. Immutable all the same.
class ShownOption(NamedTuple):
    letter: str
    text: str
    html: str  # the text escaped for HTML: once per drawn order, not on every page that shows it


class ShownQuestion(NamedTuple):
    """A drawn question as the learner sees it: no option ids, nothing about which is right."""

    number: int
    id: str
    type: str
    text: str
    options: tuple  # ShownOption, in the drawn order
    points: int


def shown_questions(draw, bank_by_id):
    """The drawn questions in the drawn order. A question the author has deleted since is left out."""
    shown = []
    for item in draw:
        question = bank_by_id.get(item["id"])
        if question is None:
            continue
        shown.append(ShownQuestion(len(shown) + 1, question.id, question.type, question.text,
                                   question.shown_options(item["options"]), question.points))
    return shown


def read_answers(draw, bank_by_id, raw, gettext):
    """The browser's ``{question id: [letters]}`` as ``{question id: [option ids]}``.

    Raises ValueError with a translated message: a question outside her draw, a letter that is
    not an option, two answers to a one-answer question. Unanswered questions are left out.
    """
    items = {item["id"]: (number, item) for number, item in enumerate(draw, start=1)}
    strangers = sorted(qid for qid in raw if qid not in items)
    if strangers:
        raise ValueError(gettext(_("These questions are not part of your attempt: {ids}. Reload the page.")).format(
            ids=", ".join(strangers)[:200]))
    answers = {}
    for qid, letters in raw.items():
        number, item = items[qid]
        if not isinstance(letters, list) or not all(isinstance(letter, str) for letter in letters):
            raise ValueError(gettext(_("The answer to question {number} must be a list of option letters.")).format(
                number=number))
        picked = []
        for letter in letters:
            index = LETTERS.find(letter) if len(letter) == 1 else -1
            if not 0 <= index < len(item["options"]):
                raise ValueError(gettext(_("The answer to question {number} is not one of its options.")).format(
                    number=number))
            if item["options"][index] not in picked:
                picked.append(item["options"][index])
        question = bank_by_id.get(qid)
        if question is not None and question.type != MULTIPLE and len(picked) > 1:
            raise ValueError(gettext(_("Question {number} takes one answer only.")).format(number=number))
        if picked:
            answers[qid] = picked
    return answers


def chosen_letters(item, answer_ids):
    """The letters of the options she chose, for showing saved answers again."""
    return [LETTERS[i] for i, oid in enumerate(item["options"]) if oid in (answer_ids or ())]


# --- Scoring -------------------------------------------------------------------------------------------

class QuestionResult(NamedTuple):
    """One question's points (a named tuple, as the shown questions: one per drawn question)."""

    id: str
    earned: int
    possible: int

    @property
    def right(self):
        return self.earned == self.possible


@dataclass(frozen=True)
class Grade:
    earned: int
    possible: int
    results: tuple  # QuestionResult, in the drawn order

    @property
    def fraction(self):
        return self.earned / self.possible if self.possible else 0.0


def grade(draw, bank_by_id, answers):
    """Raw points of an attempt. All or nothing per question: exactly the right options.

    Questions deleted from the bank after the draw count neither way; a fixed answer key counts
    for attempts graded after the fix.
    """
    results = []
    for item in draw:
        question = bank_by_id.get(item["id"])
        if question is None:
            continue
        chosen = frozenset(answers.get(question.id) or ())
        earned = question.points if chosen == question.correct_ids else 0
        results.append(QuestionResult(question.id, earned, question.points))
    return Grade(sum(r.earned for r in results), sum(r.possible for r in results), tuple(results))


def passes(earned, possible, pass_percent):
    """In whole numbers, so 79.99 % never rounds up to a pass."""
    return bool(possible) and earned * 100 >= pass_percent * possible


def percent_floor(earned, possible):
    """The percentage shown: rounded down, so the number shown agrees with ``passes``."""
    return math.floor(earned * 100 / possible) if possible else 0


# --- Eligibility -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Eligibility:
    missing_modules: tuple
    meetings_attended: int
    meetings_required: int
    exempt: bool = False

    @property
    def meetings_missing(self):
        return max(0, self.meetings_required - self.meetings_attended)

    @property
    def requirements_met(self):
        return not self.missing_modules and not self.meetings_missing

    @property
    def eligible(self):
        return self.exempt or self.requirements_met


def eligibility(required_modules, completed_modules, meetings_attended, min_meetings, exempt=False):
    done = set(completed_modules)
    return Eligibility(
        missing_modules=tuple(m for m in required_modules if m not in done),
        meetings_attended=meetings_attended,
        meetings_required=max(0, min_meetings),
        exempt=exempt,
    )


# --- Attempts and time ----------------------------------------------------------------------------------

class StartBlock:
    """Why a new attempt cannot start now (besides eligibility)."""

    NO_ATTEMPTS_LEFT = "no_attempts_left"
    WAIT = "wait"
    PASSED = "passed"


def attempts_left(used, attempts_allowed):
    """None when attempts are unlimited (``attempts_allowed`` 0)."""
    return None if not attempts_allowed else max(0, attempts_allowed - used)


def start_block(used, attempts_allowed, last_submitted_at, wait_minutes, already_passed, now):
    """``(reason, when)``: reason None means she may start; WAIT comes with the time she may."""
    if already_passed:
        return StartBlock.PASSED, None
    if attempts_allowed and used >= attempts_allowed:
        return StartBlock.NO_ATTEMPTS_LEFT, None
    if wait_minutes and last_submitted_at is not None:
        ready = last_submitted_at + timedelta(minutes=wait_minutes)
        if now < ready:
            return StartBlock.WAIT, ready
    return None, None


def deadline_for(started_at, limit_minutes, extra_minutes=0):
    """Start + time limit + her extra time; None when the exam has no time limit."""
    if not limit_minutes:
        return None
    return started_at + timedelta(minutes=limit_minutes + max(0, extra_minutes))


def time_is_up(deadline, now, grace_seconds=0):
    """The grace covers the network: an answer sent in the last second arrives a little later."""
    return deadline is not None and now > deadline + timedelta(seconds=max(0, grace_seconds))


def seconds_left(deadline, now):
    if deadline is None:
        return None
    return max(0, math.ceil((deadline - now).total_seconds()))


# --- Review ----------------------------------------------------------------------------------------------

class Review:
    """What a learner sees of a submitted attempt: her score only, which answers were right, or
    also the right answers and the explanations; either after each attempt or only once she has
    passed or used all her attempts."""

    SCORE, RIGHT, ANSWERS = "score", "right", "answers"
    AFTER_ATTEMPT, AFTER_FINAL = "attempt", "final"
    POLICIES = {
        "score_only": (SCORE, AFTER_ATTEMPT),
        "right_after_attempt": (RIGHT, AFTER_ATTEMPT),
        "right_after_final": (RIGHT, AFTER_FINAL),
        "answers_after_attempt": (ANSWERS, AFTER_ATTEMPT),
        "answers_after_final": (ANSWERS, AFTER_FINAL),
    }
    CHOICES = (
        ("score_only", _("Score only")),
        ("right_after_attempt", _("Which answers were right, after each attempt")),
        ("right_after_final", _("Which answers were right, once she has passed or used all attempts")),
        ("answers_after_attempt", _("The right answers and explanations, after each attempt")),
        ("answers_after_final", _("The right answers and explanations, once she has passed or used all attempts")),
    )


def review_level(policy, finished):
    """SCORE, RIGHT or ANSWERS for a submitted attempt. ``finished``: she passed or has no attempts left.

    An unknown policy (hand-edited OLX) shows the score only: never more than the author chose.
    """
    level, when = Review.POLICIES.get(policy, (Review.SCORE, Review.AFTER_ATTEMPT))
    if when == Review.AFTER_FINAL and not finished:
        return Review.SCORE
    return level


# --- Author settings ------------------------------------------------------------------------------------

def parse_module_lines(text, gettext):
    """``{module id: text}`` from lines "modul-1 | text" (titles or links of the required modules)."""
    values = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        module_id, sep, value = (part.strip() for part in line.partition("|"))
        if not sep or not value:
            raise AuthorError(gettext(_("Line {line}: write the module id, \u201c|\u201d and the text, for example "
                                        "\u201cmodul-1 | Näringslivsutvecklarens roll\u201d.")).format(line=number))
        parse_module_ids(module_id, gettext)
        if len(value) > MAX_TITLE_CHARS:
            raise AuthorError(gettext(_("Line {line}: at most {limit} characters after \u201c|\u201d.")).format(
                line=number, limit=MAX_TITLE_CHARS))
        values[module_id] = value
    return values


def module_lines_to_text(values):
    return "\n".join(f"{key} | {value}" for key, value in (values or {}).items())


def parse_weight(text, gettext):
    cleaned = (text or "").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise AuthorError(gettext(_("Write a number, for example 1 or 2,5."))) from None
    if not 0 <= value <= 1000 or math.isnan(value):
        raise AuthorError(gettext(_("Write a number from 0 to 1000.")))
    return value


def weight_to_text(value):
    return f"{value:g}" if value is not None else "1"


def exam_problems(values, gettext):
    """Cross-field checks of the exam's settings: ``{field: translated message}``."""
    problems = {}
    for field in ("programme_id", "exam_id"):
        if field in values and not ID.match(values.get(field) or ""):
            problems[field] = gettext(_("Use 1 to 64 letters, digits, \u201c-\u201d or \u201c_\u201d, for example "
                                        "\u201cslutprov\u201d."))
    questions = values.get("questions")
    problem = bank_problem(questions, gettext) if "questions" in values else ""
    if problem:
        problems["questions"] = problem
    elif questions is not None and (values.get("draw_count") or 0) > len(questions):
        problems["draw_count"] = gettext(_(
            "The exam draws {count} questions but the bank has only {bank}. Draw fewer, or 0 for all.")).format(
            count=values["draw_count"], bank=len(questions))
    problems.update(module_lines_problems(values, values.get("required_modules") or [], gettext(_(
        "These modules are not among the required modules: {ids}.")), gettext))
    if "review_policy" in values and values["review_policy"] not in Review.POLICIES:
        problems["review_policy"] = gettext(_("Choose one of the listed options."))
    return problems
