"""``kkn-course preview SOURCE``: serve the course in the local runtime, as a learner sees it."""
import argparse
import sys

from ..i18n import _
from ..spec import PACKAGINGS, SourceError
from .build import report_source_error


def register(subparsers):
    parser = subparsers.add_parser(
        "preview", help=_("serve the course locally, as a learner sees it"),
        description=_("Serve the whole course in the local runtime: navigation by module and unit, pages, "
                      "problems, videos and the programme's blocks live, with a switch between learners. "
                      "The preview re-reads the source when a file changes."))
    parser.add_argument("source", metavar="SOURCE", help=_("the course folder (the one holding course.yaml)"))
    parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)"))
    parser.add_argument("--port", type=_port, default=8000, help=_("port to listen on (default: 8000)"))
    parser.add_argument("--packaging", choices=PACKAGINGS,
                        help=_("override course.yaml's packaging: one course, or a course per module plus the "
                               "exam's course"))
    parser.set_defaults(func=run)
    return parser


def run(options, stderr=None):
    from ..preview import AddressInUse, WorkbenchMissing, serve  # pylint: disable=import-outside-toplevel
    stderr = stderr or sys.stderr
    try:
        serve(options.source, options.host, options.port, stderr=stderr, packaging=getattr(options, "packaging", None))
    except SourceError as error:
        report_source_error(error, stderr)
        return 1
    except WorkbenchMissing:
        stderr.write(_("The preview needs the package's \u201cworkbench\u201d extra (xblock-sdk, the runtime that "
                       "runs the blocks), which is not installed. Install the package again with it, for example: "
                       "pip install \"kkn-xblocks[workbench] @ git+https://<your git host>/kkn-xblocks.git\", or "
                       "pip install -e \".[workbench]\" in a clone of kkn-xblocks.") + "\n")
        return 2
    except AddressInUse:
        stderr.write(_("Cannot listen on {host}:{port}: something else uses it. Stop it, or choose another port "
                       "with --port.").format(host=options.host, port=options.port) + "\n")
        return 2
    except OSError as error:
        stderr.write(_("Cannot listen on {host}:{port}: {error}. Check the address given with --host.").format(
            host=options.host, port=options.port, error=error.strerror or error) + "\n")
        return 2
    return 0


def _port(text):
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(_("a port is a number from 1 to 65535"))
    return port
