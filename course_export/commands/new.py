"""``kkn-course new FOLDER``: a small, valid course source to start from (in Swedish)."""
import shutil
import sys
from pathlib import Path

from ..i18n import _

TEMPLATE = Path(__file__).resolve().parent.parent / "template"


def register(subparsers):
    parser = subparsers.add_parser(
        "new", help=_("write a small, valid course source to start from"),
        description=_("Write a small course source (one module, one regional meeting, a final exam) into FOLDER."))
    parser.add_argument("folder", metavar="FOLDER", help=_("a folder that does not exist yet, or is empty"))
    parser.set_defaults(func=run)
    return parser


def create(folder):
    """Copy the template course into ``folder`` (new or empty); return the folder."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(folder)
    shutil.copytree(TEMPLATE, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return folder


def run(options, stdout=None, stderr=None):
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        folder = create(options.folder)
    except FileExistsError:
        stderr.write(_("{folder} already exists and is not empty. Choose a new folder name.").format(
            folder=options.folder) + "\n")
        return 2
    except OSError as error:
        stderr.write(_("Could not write {folder}: {error}.").format(folder=options.folder,
                                                                    error=error.strerror or error) + "\n")
        return 2
    stdout.write(_("Wrote a new course in {folder}. Next: kkn-course preview {folder}").format(folder=folder) + "\n")
    return 0
