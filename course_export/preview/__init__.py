"""The local preview of a course source: the whole course in the local runtime, as a learner sees it.

    serve(source, host, port)     check the source, then serve it on http://host:port/kurs/

Our blocks run live in the xblock-sdk workbench runtime (with the records app on SQLite), loaded
from the very OLX the builder writes; html pages, practice problems and videos are shown as the LMS
shows them. The preview re-reads the source when a file changes, so an author edits and reloads.
"""
from __future__ import annotations

import errno
import importlib.util
import os
import signal
import socket
import sys
import threading
from pathlib import Path

from ..i18n import _

SETTINGS = "kkn_xblocks.devserver.settings"


class AddressInUse(OSError):
    """Something else listens on the preview's address."""


class WorkbenchMissing(ImportError):
    """The preview's runtime (the ``workbench`` extra: xblock-sdk) is not installed."""


def check_workbench():
    """``WorkbenchMissing`` unless the xblock-sdk workbench, which runs the blocks, can be imported."""
    if importlib.util.find_spec("workbench") is None:
        raise WorkbenchMissing("workbench")


def check_address(host, port):
    """``AddressInUse`` when ``host:port`` cannot be listened on (said before Django's own start-up)."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise AddressInUse(error.errno, error.strerror) from None
        raise


def serve(source, host="127.0.0.1", port=8000, stderr=None, packaging=None):
    """Serve the programme in ``source`` until interrupted, as one course or a course per module
    (``packaging`` overrides course.yaml's).

    ``SourceError`` if it cannot be read; ``AddressInUse`` if the address is taken;
    ``WorkbenchMissing`` without the ``workbench`` extra.
    """
    from ..source import read_programme  # pylint: disable=import-outside-toplevel

    stderr = stderr or sys.stderr
    source = Path(source).resolve()
    programme = read_programme(source, packaging)
    check_workbench()
    check_address(host, port)
    os.environ["KKN_PREVIEW_SOURCE"] = str(source)
    # Addresses the preview writes into what leaves it (Open Badges credentials) name this server.
    os.environ.setdefault("KKN_BASE_URL", f"http://{host}:{port}")
    if packaging:
        os.environ["KKN_PREVIEW_PACKAGING"] = packaging
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django  # pylint: disable=import-outside-toplevel
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel

    django.setup()
    # xblock-sdk ships no migrations for its own app: --run-syncdb creates those tables.
    call_command("migrate", run_syncdb=True, verbosity=0)
    stderr.write(_("Preview of {title} on http://{host}:{port}/kurs/ (Ctrl+C stops it)").format(
        title=programme.title, host=host, port=port) + "\n")
    stderr.write(_("Learners' answers in the preview are kept in {database} (set KKN_VAR_DIR to keep them "
                   "elsewhere).").format(database=settings.DATABASES["default"]["NAME"]) + "\n")
    if threading.current_thread() is threading.main_thread():
        # A stop by SIGTERM (a service manager, a script) ends the server as Ctrl+C does, with exit code 0.
        signal.signal(signal.SIGTERM, _stop)
    # Without the static handler, /static/<name> reaches the preview's URLs (course assets live there, as
    # in the LMS); the runtime's own files are still served by the workbench's staticfiles patterns.
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_static_handler=False)


def _stop(_signum, _frame):
    raise KeyboardInterrupt
