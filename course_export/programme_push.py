"""``kkn-course push PROGRAMME.programme.json``: push every course of a programme, resumably.

Each course goes through the very push of one course (:func:`course_export.push.push`: the same
checks, retries, polling and verification). What a programme adds is a record of how far it got,
``<manifest>.push-state.json`` beside the manifest, written after every step:

* a course verified in Studio is not pushed again while its archive is the same (sha256);
* a course whose import Studio started but that did not end verified (a network failure while
  polling, an interrupt) is continued with that import task: the archive is not uploaded again;
* a course that failed before its upload, or whose import Studio reports as failed, is pushed anew.

So a failure in course 3 of 7 stops the push there with the usual message for that course, and the
same command run again continues with course 3: every course is imported exactly once.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_atomic
from .build import load_programme_manifest
from .i18n import _, ngettext
from .push import PushFailure, push

VERIFIED, IMPORTING = "verified", "importing"


@dataclass
class ProgrammePushResult:
    programme_id: str
    courses: list = field(default_factory=list)  # [{"course_id", "outcome", "task_id"}] in push order
    failed: str | None = None  # the course id the push stopped at


def state_path(manifest: Path) -> Path:
    return manifest.with_name(manifest.name[: -len(".json")] + ".push-state.json")


def _read_state(path, programme_id):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("programme_id") != programme_id:
        return {}  # another programme's (or a damaged) record: start from the beginning
    courses = data.get("courses")
    return courses if isinstance(courses, dict) else {}


def _write_state(path, programme_id, courses):
    write_atomic(path, (json.dumps({"programme_id": programme_id, "courses": courses}, indent=2, sort_keys=True)
                        + "\n").encode("utf-8"))


def push_programme(options, settings, console, validate, **timing) -> ProgrammePushResult:
    """Push every course of the programme manifest ``options.archive``. Raises the failing course's
    ``PushFailure``, with ``programme`` set to the result so far."""
    manifest = Path(options.archive)
    data, entries = load_programme_manifest(manifest)
    programme_id = str(data.get("programme_id", ""))
    record = state_path(manifest)
    state = _read_state(record, programme_id)
    result = ProgrammePushResult(programme_id)
    for number, (entry, archive) in enumerate(entries, start=1):
        course_id = entry["course_id"]
        known = state.get(course_id) if isinstance(state.get(course_id), dict) else {}
        same = known.get("sha256") == entry.get("sha256")
        console.say(_("Course {number} of {total}: {course}").format(number=number, total=len(entries),
                                                                     course=course_id))
        if same and known.get("state") == VERIFIED:
            console.say(_("Already pushed and verified; skipped"))
            result.courses.append({"course_id": course_id, "outcome": "skipped", "task_id": known.get("task_id")})
            continue
        resume = known.get("task_id") if same and known.get("state") == IMPORTING else None
        course_options = argparse.Namespace(**{**vars(options), "archive": str(archive), "course_id": course_id,
                                               "resume": resume})
        try:
            pushed = push(course_options, settings, console, validate, **timing)
        except PushFailure as failure:
            task_id = getattr(getattr(failure, "result", None), "task_id", None)
            started = task_id and getattr(failure, "slug", "") not in ("import_failed", "verify")
            state[course_id] = ({"sha256": entry.get("sha256"), "state": IMPORTING, "task_id": task_id} if started
                                else {"sha256": entry.get("sha256"), "state": "failed"})
            _write_state(record, programme_id, state)
            result.failed = course_id
            result.courses.append({"course_id": course_id, "outcome": "failed", "task_id": task_id})
            failure.programme = result
            failure.hint = " ".join(part for part in (failure.hint, ngettext(
                "{done} course of {total} is in Studio. Run the same command again to continue with {course}.",
                "{done} courses of {total} are in Studio. Run the same command again to continue with {course}.",
                number - 1).format(done=number - 1, total=len(entries), course=course_id)) if part)
            raise
        state[course_id] = {"sha256": entry.get("sha256"), "state": VERIFIED, "task_id": pushed.task_id}
        _write_state(record, programme_id, state)
        result.courses.append({"course_id": course_id, "outcome": "pushed", "task_id": pushed.task_id})
    return result
