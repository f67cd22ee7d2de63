"""``kkn-course build SOURCE``: the course source -> a checked OLX archive and its manifest."""
import json
import sys
from pathlib import Path

from ..build import TreeRefused, build_programme
from ..i18n import _, ngettext
from ..spec import PACKAGINGS, SourceError


def register(subparsers):
    parser = subparsers.add_parser(
        "build", help=_("build the course archive (.tar.gz) from a course source"),
        description=_("Check the course source and write its OLX archive and build manifest."))
    parser.add_argument("source", metavar="SOURCE", help=_("the course folder (the one holding course.yaml)"))
    parser.add_argument("-o", "--out", metavar="DIR", default="build",
                        help=_("where to write the archive and manifest (default: build)"))
    parser.add_argument("--tree", metavar="DIR", help=_("also keep the OLX folder in DIR, to read or diff it"))
    parser.add_argument("--packaging", choices=PACKAGINGS,
                        help=_("override course.yaml's packaging: one course, or a course per module plus the "
                               "exam's course"))
    parser.add_argument("--json", action="store_true", help=_("print the outcome as one JSON object"))
    parser.set_defaults(func=run)
    return parser


def report_source_error(error, stream):
    for problem in error.problems:
        stream.write(f"{problem}\n")
    count = len(error.problems)
    stream.write(ngettext("{count} problem in the course source; nothing was written.",
                          "{count} problems in the course source; nothing was written.", count).format(count=count)
                 + "\n")


def run(options, stdout=None, stderr=None):
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        outcome = build_programme(Path(options.source), Path(options.out), getattr(options, "packaging", None),
                                  keep_tree=options.tree)
    except SourceError as error:
        if options.json:
            stdout.write(json.dumps({"ok": False, "problems": [
                {"location": str(p.location), "file": p.location.file, "line": p.location.line,
                 "key": p.location.key, "message": p.message, "hint": p.hint} for p in error.problems]},
                ensure_ascii=False) + "\n")
        else:
            report_source_error(error, stderr)
        return 1
    except TreeRefused as refused:
        stderr.write(_("{folder} is not an OLX folder written by kkn-course (or it holds the course source), so "
                       "--tree will not replace it. Choose an empty folder for --tree.").format(folder=refused) + "\n")
        return 2
    except OSError as error:
        stderr.write(_("Could not write the archive: {error}. Check that the output folder is writable and the "
                       "disk is not full.").format(error=error.strerror or error) + "\n")
        return 1
    courses = [{"ok": True, "course_id": result.course.course_id, "archive": str(result.archive),
                "manifest": str(result.manifest), "counts": result.course.counts()} for result in outcome.courses]
    if options.json:
        if outcome.manifest is None:
            stdout.write(json.dumps(courses[0], ensure_ascii=False) + "\n")
        else:
            stdout.write(json.dumps({"ok": True, "programme_id": outcome.programme.id,
                                     "programme_manifest": str(outcome.manifest), "courses": courses},
                                    ensure_ascii=False) + "\n")
        return 0
    for course in courses:
        stdout.write(_("Built {course_id}: {archive}").format(course_id=course["course_id"],
                                                             archive=course["archive"]) + "\n")
        stdout.write("  " + ", ".join(f"{tag} {count}" for tag, count in course["counts"].items()) + "\n")
    if outcome.manifest is not None:
        stdout.write(_("Programme manifest: {path} (push or validate it to handle every course)").format(
            path=outcome.manifest) + "\n")
    return 0
