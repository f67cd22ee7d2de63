"""Rules of the distance-module block, as plain functions (no runtime needed to test them).

Authors write the self-check and the reading list as plain text in Studio and in the course
source; these functions turn that text into field values and back, score a self-check and decide
when a module is complete.
"""
import re

from .errors import AuthorError

MAX_QUESTIONS = 20
MAX_TASK_CHARS = 50_000  # a development task's text, individual or shared
MAX_OPTIONS = 8
MODULE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _(text):
    return text


class CompletionRule:
    """What a learner must do for the module to count as complete."""

    TASK = "task"
    SELF_CHECK = "self_check"
    TASK_AND_SELF_CHECK = "task_and_self_check"
    CHOICES = (
        (TASK, _("Submit the development task")),
        (SELF_CHECK, _("Pass the self-check")),
        (TASK_AND_SELF_CHECK, _("Submit the development task and pass the self-check")),
    )
    VALUES = frozenset(value for value, _label in CHOICES)


# --- Self-check: plain text <-> questions ---------------------------------------------------------
#
#   ? Vad står KKN för?
#   * Kulturella och kreativa näringar      <- the correct option
#   - Kommunala kulturnämnder
#
# A blank line between questions is optional. Question ids are q1, q2, ... in order.

def parse_self_check(text, gettext):
    """Self-check questions from the author's text; AuthorError names the line to fix."""
    questions = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        marker, body = line[0], line[1:].strip()
        if marker == "?":
            if not body:
                raise AuthorError(gettext(_("Line {line}: write the question after the question mark.")).format(line=number))
            questions.append({"id": f"q{len(questions) + 1}", "text": body, "options": [], "correct": None, "line": number})
        elif marker in "*-":
            if not questions:
                raise AuthorError(gettext(_("Line {line}: an option comes before any question. Start a question with \u201c?\u201d.")).format(line=number))
            if not body:
                raise AuthorError(gettext(_("Line {line}: the option has no text.")).format(line=number))
            current = questions[-1]
            if marker == "*":
                if current["correct"] is not None:
                    raise AuthorError(gettext(_("Line {line}: a question can have only one correct option (marked \u201c*\u201d).")).format(line=number))
                current["correct"] = len(current["options"])
            current["options"].append(body)
        else:
            raise AuthorError(gettext(_("Line {line}: start the line with \u201c?\u201d for a question, \u201c*\u201d for the correct option or \u201c-\u201d for a wrong one.")).format(line=number))
    if len(questions) > MAX_QUESTIONS:
        raise AuthorError(gettext(_("A self-check can have at most {limit} questions.")).format(limit=MAX_QUESTIONS))
    for question in questions:
        line = question.pop("line")
        if not 2 <= len(question["options"]) <= MAX_OPTIONS:
            raise AuthorError(gettext(_("The question on line {line} needs from 2 to {limit} options.")).format(line=line, limit=MAX_OPTIONS))
        if question["correct"] is None:
            raise AuthorError(gettext(_("The question on line {line} has no correct option: mark it with \u201c*\u201d.")).format(line=line))
    return questions


def self_check_to_text(questions):
    blocks = []
    for question in questions or []:
        lines = [f"? {question['text']}"]
        lines += [("* " if i == question["correct"] else "- ") + option for i, option in enumerate(question["options"])]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def public_questions(questions):
    """The self-check as a learner may see it: no correct option."""
    return [{"id": q["id"], "text": q["text"], "options": list(q["options"])} for q in questions or []]


def self_check_with_answers(questions):
    """The self-check as its author checks it: each option with whether it is the right one.
    Only for those who may edit the block (imported OLX may hold odd entries: they are skipped)."""
    shown = []
    for question in questions or []:
        if not isinstance(question, dict) or not isinstance(question.get("options"), list):
            continue
        right = question.get("correct")
        shown.append({"text": str(question.get("text", "")), "options": [
            {"text": str(option), "correct": index == right} for index, option in enumerate(question["options"])
        ]})
    return shown


def score_self_check(questions, answers):
    """``(correct ids, percent)`` for ``answers`` = {question id: chosen option index}."""
    correct = [q["id"] for q in questions if answers.get(q["id"]) == q["correct"]]
    percent = round(100 * len(correct) / len(questions)) if questions else 0
    return correct, percent


def check_self_check_answers(questions, answers, gettext):
    """Answers as sent by the browser -> {question id: index}; AuthorError-free ValueError on misuse."""
    known = {q["id"]: len(q["options"]) for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise ValueError(gettext(_("These questions are not in this self-check: {ids}.")).format(ids=", ".join(unknown)))
    missing = [qid for qid in known if qid not in answers]
    if missing:
        raise ValueError(gettext(_("Answer every question before you check your answers.")))
    checked = {}
    for qid, choice in answers.items():
        if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < known[qid]:
            raise ValueError(gettext(_("The answer to question {id} is not one of its options.")).format(id=qid))
        checked[qid] = choice
    return checked


# --- Reading list: "Title | https://link" per line ------------------------------------------------

def parse_reading_list(text, gettext):
    items = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        title, _sep, url = (part.strip() for part in line.partition("|"))
        if not title:
            raise AuthorError(gettext(_("Line {line}: write the title before \u201c|\u201d.")).format(line=number))
        if url and not re.match(r"^https?://\S+$", url):
            raise AuthorError(gettext(_("Line {line}: the link must start with https:// (or http://) and contain no spaces.")).format(line=number))
        items.append({"title": title, "url": url})
    return items


def safe_reading_list(items):
    """Reading-list items fit to link: imported OLX bypasses the editor, so links are re-checked."""
    return [
        {"title": i.get("title", ""), "url": i.get("url", "") if re.match(r"^https?://\S+$", i.get("url", "")) else ""}
        for i in items or [] if isinstance(i, dict) and i.get("title")
    ]


def reading_list_to_text(items):
    return "\n".join(f"{i['title']} | {i['url']}" if i.get("url") else i["title"] for i in items or [])


def parse_module_ids(text, gettext):
    ids = [part.strip() for part in re.split(r"[\s,]+", text or "") if part.strip()]
    for module_id in ids:
        if not MODULE_ID.match(module_id):
            raise AuthorError(gettext(_("\u201c{id}\u201d is not a valid module id: use lowercase letters, digits, \u201c-\u201d and \u201c_\u201d.")).format(id=module_id))
    if len(set(ids)) != len(ids):
        raise AuthorError(gettext(_("Each module id may appear only once.")))
    return ids


def module_ids_to_text(ids):
    return "\n".join(ids or [])


# --- Completion ---------------------------------------------------------------------------------

def completion_met(rule, task_submitted, self_check_passed):
    if rule == CompletionRule.TASK:
        return task_submitted
    if rule == CompletionRule.SELF_CHECK:
        return self_check_passed
    return task_submitted and self_check_passed


def safe_link(url):
    """A module link fit for an href: http(s) or a path on this site; anything else is dropped."""
    if isinstance(url, str) and (re.match(r"^https?://\S+$", url) or re.match(r"^/(?!/)\S*$", url)):
        return url
    return ""


def module_lines_problems(values, module_ids, unlisted, gettext):
    """Problems of the ``module_titles`` and ``module_links`` fields (the module's and the exam's):
    keys not in ``module_ids`` (said with the message ``unlisted``), links that are no links."""
    problems = {}
    for field in ("module_titles", "module_links"):
        extra = sorted(set(values.get(field) or {}) - set(module_ids))
        if extra:
            problems[field] = unlisted.format(ids=", ".join(extra))
    bad = sorted(k for k, url in (values.get("module_links") or {}).items() if not safe_link(url))
    if bad and "module_links" not in problems:
        problems["module_links"] = gettext(_(
            "A link must start with https:// (or http://, or / for a page on this site): {ids}.")).format(
            ids=", ".join(bad))
    return problems


def module_problems(values, gettext):
    """Cross-field checks of the module's settings: {field: translated message}."""
    problems = {}
    if not MODULE_ID.match(values.get("module_id", "")):
        problems["module_id"] = gettext(_("Use 1 to 64 lowercase letters, digits, \u201c-\u201d or \u201c_\u201d, for example \u201cmodul-1\u201d."))
    modules = values.get("programme_modules") or []
    if modules and values.get("module_id") not in modules:
        problems["programme_modules"] = gettext(_("List this module\u2019s own id ({id}) among the programme\u2019s modules.")).format(id=values.get("module_id"))
    problems.update(module_lines_problems(values, modules or [values.get("module_id")], gettext(_(
        "These modules are not among the programme\u2019s modules: {ids}.")), gettext))
    rule = values.get("completion_rule")
    if rule in (CompletionRule.SELF_CHECK, CompletionRule.TASK_AND_SELF_CHECK) and not values.get("self_check"):
        problems["completion_rule"] = gettext(_("This rule needs a self-check: add questions, or choose \u201cSubmit the development task\u201d."))
    return problems


def draft_expired(saved_at, days, now, run_end=None):
    """True when a draft saved at ``saved_at`` (ISO text, UTC) is older than ``days`` days at
    ``now``: it is then discarded (retention of drafts, ``KKN_RECORDS_RETENTION_DAYS["DRAFTS"]``).
    With ``run_end`` (the end of its course run, when known) the days count from the later of the
    two. A draft without a readable time is treated as expired: its age cannot be shown to be within."""
    from datetime import datetime, timedelta  # pylint: disable=import-outside-toplevel
    try:
        moment = datetime.fromisoformat(saved_at)
    except (TypeError, ValueError):
        return True
    if moment.tzinfo is None:
        return True
    return now - max(moment, run_end or moment) > timedelta(days=days)
