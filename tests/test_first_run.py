"""A newcomer's first run, on a clean copy of the repository: the README's commands work as written,
``dev.py`` explains itself and stops cleanly, and no dependency's warning greets her."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import missing_tools_outcome
from tests.checkout import copy_checkout

ROOT = Path(__file__).resolve().parent.parent
# README commands that run a server or need Studio: the stop test below and tests/push hold those.
LONG_RUNNING = ("python3 dev.py serve", "kkn-course preview", "kkn-course push")


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The files git would check out (tracked and new ones), with this checkout's .venv, as CI has it.

    The copy's dev.py must find that .venv up to date, or it would reinstall the package into it
    from the copy (which is deleted after the tests)."""
    import dev  # pylint: disable=import-outside-toplevel
    if Path(sys.prefix).resolve() != dev.VENV.resolve() or not dev._installed("test.txt"):  # pylint: disable=protected-access
        pytest.skip("run through python3 dev.py test: .venv is missing or older than the requirements")
    folder = copy_checkout(tmp_path_factory.mktemp("clone"))
    (folder / ".venv").symlink_to(Path(sys.prefix))
    return folder


def readme_commands(section):
    """The shell lines of the first ``sh`` block under the README heading ``section``, without comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme.split(f"## {section}", 1)[1]
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def test_the_readme_commands_for_course_authors_work_as_written(clone):
    commands = readme_commands("Writing a course")
    assert commands[0] == "python3 dev.py serve" and commands[1] == "source .venv/bin/activate"
    script = [line for line in commands if not line.startswith(LONG_RUNNING)]
    assert any(line.startswith("kkn-course preview") for line in commands)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # no kkn-course on PATH but the one the README activates
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(script)], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ready for import." in done.stdout
    assert "# Course source format (reference)" in done.stdout
    archive = clone / "out" / "MinOrg-KURS101-2027.tar.gz"
    assert archive.is_file() and (clone / "out" / "MinOrg-KURS101-2027.manifest.json").is_file()
    assert not (clone / "build").exists()  # build/ is setuptools' own
    assert "pkg_resources" not in done.stderr and "Warning" not in done.stderr


def test_dev_py_help_exits_0_and_names_the_serve_address():
    done = subprocess.run([sys.executable, ROOT / "dev.py", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "http://127.0.0.1:8000/kurs/" in done.stdout and "serve [HOST:PORT]" in done.stdout
    wrong = subprocess.run([sys.executable, ROOT / "dev.py", "serv"], capture_output=True, text=True, check=False)
    assert wrong.returncode == 2 and "python3 dev.py serve" in wrong.stderr


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(process, port):
    for _attempt in range(600):
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_dev_py_serve_exits_0_and_stops_the_preview(clone, stop):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "KKN_VAR_DIR"}
    # Its own session: a stop reaches dev.py (and, for Ctrl+C, the group) as from a terminal.
    server = subprocess.Popen([sys.executable, "dev.py", "serve", f"127.0.0.1:{port}"], cwd=clone, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert _wait_until_listening(server, port), server.communicate()[0]
        if stop == signal.SIGINT:
            os.killpg(server.pid, signal.SIGINT)  # Ctrl+C: the terminal signals the whole group
        else:
            server.send_signal(signal.SIGTERM)  # a service manager or script stops dev.py only
        output = server.communicate(timeout=120)[0]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 0, output
    with socket.socket() as again:  # the preview itself has stopped, not only dev.py
        again.bind(("127.0.0.1", port))
    assert (clone / "var/build/KKN-NLU101-2027.tar.gz").is_file()
    assert f"kept in {clone / 'var' / 'preview.sqlite3'}" in output
    assert "pkg_resources" not in output and "Traceback" not in output


def test_the_workbench_dependencies_warnings_are_silenced_at_their_source():
    code = "import kkn_xblocks.devserver, fs"
    quiet = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "pkg_resources" not in quiet.stderr
    loud = subprocess.run([sys.executable, "-c", "import fs"], cwd=ROOT, capture_output=True, text=True, check=True)
    if "pkg_resources" not in loud.stderr:
        pytest.skip("this setuptools does not warn about pkg_resources")


def test_missing_browser_tools_fail_on_ci_and_are_skipped_elsewhere():
    assert missing_tools_outcome([], ci=True) is None
    action, reason = missing_tools_outcome(["/usr/bin/chromium"], ci=True)
    assert action is pytest.fail and "/usr/bin/chromium" in reason
    action, reason = missing_tools_outcome(["node_modules/axe-core/axe.min.js"], ci=False)
    assert action is pytest.skip and "python3 dev.py test" in reason
