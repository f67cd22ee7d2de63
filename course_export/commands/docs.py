"""``kkn-course docs [NAME]``: the author reference, from the installed package.

The files are the project's ``docs/`` folder itself, shipped as package data (``course_export/docs``
is a link to it), so an installed ``kkn-course`` carries the same reference as the repository.
"""
import sys
from pathlib import Path

from ..i18n import _

DOCS = Path(__file__).resolve().parent.parent / "docs"
DEFAULT = "course-source"


def available():
    return sorted(path.stem for path in DOCS.glob("*.md"))


def register(subparsers):
    parser = subparsers.add_parser(
        "docs", help=_("show the reference for course authors (the course source format)"),
        description=_("Print a reference document that ships with kkn-course: course-source (the course source "
                      "format, the default), exam (the exam block and its question bank) or operator-guide."))
    parser.add_argument("name", metavar="NAME", nargs="?", default=DEFAULT,
                        help=_("which document (default: course-source)"))
    parser.add_argument("--path", action="store_true", help=_("print where the file is instead of its text"))
    parser.set_defaults(func=run)
    return parser


def run(options, stdout=None, stderr=None):
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    names = available()
    if options.name not in names:
        stderr.write(_("There is no document \u201c{name}\u201d. Choose one of: {names}.").format(
            name=options.name, names=", ".join(names) or "-") + "\n")
        return 2
    path = DOCS / f"{options.name}.md"
    stdout.write(f"{path}\n" if options.path else path.read_text(encoding="utf-8"))
    return 0
