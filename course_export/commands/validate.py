"""``kkn-course validate PATH [--json]``: check a course source, OLX folder or archive before import.

Exit codes: 0 ready for import (warnings allowed), 1 errors found, 2 PATH does not exist or is
not a course.
"""
import argparse
import json
import sys

from ..i18n import _, ngettext
from ..validation import ERROR, NotACourse, validate_path

EXIT_OK, EXIT_ERRORS, EXIT_NOT_A_COURSE = 0, 1, 2


def register(subparsers):
    parser = subparsers.add_parser(
        "validate", help=_("check a course source, OLX folder or archive before importing it"),
        description=_("Check a course the way Studio's import would read it, and more strictly: Open edX's own "
                      "validator (olxcleaner), the OLX rules Studio applies silently, and every kkn block through "
                      "its own class. PATH is a course source folder (course.yaml), an OLX folder (course.xml) or "
                      "a .tar.gz archive."),
        epilog=_("Exit codes: 0 ready for import (warnings allowed), 1 errors found, 2 PATH is not a course."),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", metavar="PATH", help=_("course source folder, OLX folder or .tar.gz archive"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object with the result on stdout"))
    parser.set_defaults(func=run)
    return parser


def run(options, *, stdout=None, stderr=None):
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        report = validate_path(options.path)
    except NotACourse as error:
        if options.json:
            stdout.write(json.dumps({"ok": False, "course_id": None, "counts": {}, "problems": [
                {"severity": ERROR, "code": "not-a-course", "location": str(options.path), "message": str(error)}]},
                ensure_ascii=False) + "\n")
        else:
            stderr.write(str(error) + "\n")
        return EXIT_NOT_A_COURSE
    if options.json:
        stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print(report, stdout)
    return EXIT_OK if report.ok else EXIT_ERRORS


def _print(report, out):
    labels = {"error": _("error"), "warning": _("warning")}
    for problem in report.problems:
        where = f" {problem.location}" if problem.location else ""
        out.write(f"{labels.get(problem.severity, problem.severity)}{where}: {problem.message}\n")
    blocks = ", ".join(f"{count} {tag}" for tag, count in report.counts.items()) or "-"
    errors = ngettext("{count} error", "{count} errors", len(report.errors)).format(count=len(report.errors))
    warnings = ngettext("{count} warning", "{count} warnings", len(report.warnings)).format(
        count=len(report.warnings))
    if report.course_id:
        out.write(_("{course}: {blocks}; {errors}, {warnings}.").format(
            course=report.course_id, blocks=blocks, errors=errors, warnings=warnings) + "\n")
    else:  # the course could not be read: nothing was counted, and there is no key to name
        out.write(_("The course could not be read: {errors}, {warnings}.").format(
            errors=errors, warnings=warnings) + "\n")
    out.write((_("Ready for import.") if report.ok else _("Not ready for import: fix the errors above.")) + "\n")
