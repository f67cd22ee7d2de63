#!/usr/bin/env python3
"""Developer entry point: set-up from nothing, then run the preview, the tests or the benchmarks.

    python3 dev.py serve [HOST:PORT]   build the example programme into var/build/ and serve its preview
                                       on http://127.0.0.1:8000/kurs/ (or HOST:PORT); Ctrl+C stops it
    python3 dev.py test [PYTEST ARGS]  run the test suite (SQLite, then the records tests on MariaDB; without
                                       PYTEST ARGS also the block tests on the lowest and the highest
                                       XBlock that setup.cfg allows)
    python3 dev.py bench               run the benchmarks and print their figures
    python3 dev.py messages            re-extract and compile the Swedish catalogs

Needs only Python 3.11+. It creates ``.venv`` from the pinned requirements on first use (and again
whenever a requirements file changes); ``.venv/bin/kkn-course`` is then the course builder. The whole
test run also creates one ``.venv-xblock-<version>`` per end of the declared XBlock range, pinned
alike but for XBlock.
``test`` also installs what the tests need: with apt-get when run as root, MariaDB (server and
client headers), Chromium and its driver; with npm, axe-core (``npm ci``) for the browser tests'
accessibility audit. It starts a private MariaDB server under ``var/`` that stops when the tests
end. Under ``CI=true`` a tool that could not be installed fails the run instead of being skipped.
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VAR = ROOT / "var"
PY = VENV / "bin" / "python"
EXAMPLE = ROOT / "examples" / "naringslivsutvecklare"
APT_PACKAGES = ["mariadb-server", "libmariadb-dev", "pkg-config", "chromium", "chromium-driver"]
# setup.cfg declares XBlock>=5.1,<7 (Open edX Ulmo has 5.x, Verawood 6.x): the block tests also run
# with its lowest and its highest release; .venv has the version constraints.txt pins.
XBLOCK_RANGE_ENDS = ("5.1.0", "6.1.0")
BLOCK_TESTS = ["tests/module", "tests/checkin", "tests/exam", "tests/records", "tests/test_identity.py",
               "tests/test_platform_fields.py", "tests/test_scenarios.py"]


def say(message):
    print(f"[dev] {message}", flush=True)


def run(*args, check=True, **kwargs):
    return subprocess.run([str(a) for a in args], check=check, **kwargs)


def _requirements_digest(requirements, xblock=None):
    digest = hashlib.sha256((xblock or "").encode())
    for path in [ROOT / "requirements" / requirements, ROOT / "requirements" / "constraints.txt",
                 ROOT / "setup.cfg", ROOT / "pyproject.toml"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _installed(requirements, folder=VENV, xblock=None):
    stamp = folder / f".installed-{requirements}"
    return stamp.exists() and stamp.read_text() == _requirements_digest(requirements, xblock)


def ensure_venv(requirements, folder=VENV, xblock=None):
    """Create or refresh a virtual environment from a requirements file; skip when nothing changed.
    ``xblock``: the same pins but this XBlock release (the folder gets its own constraints file)."""
    # test.txt installs everything preview.txt does (the package with its workbench extra).
    if _installed(requirements, folder, xblock) or (
            requirements == "preview.txt" and _installed("test.txt", folder, xblock)):
        return
    req = ROOT / "requirements" / requirements
    python = folder / "bin" / "python"
    if not python.exists():
        say(f"creating {folder.name}")
        venv.EnvBuilder(with_pip=True).create(folder)
    if xblock:  # requirements/*.txt read "-c constraints.txt" beside themselves: copy both, re-pinned
        pins = (ROOT / "requirements" / "constraints.txt").read_text()
        (folder / "constraints.txt").write_text(re.sub(r"(?im)^xblock==.*$", f"XBlock=={xblock}", pins))
        req = folder / requirements
        req.write_text((ROOT / "requirements" / requirements).read_text())
    say(f"installing requirements/{requirements} into {folder.name} (first run takes a minute)")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip==25.3")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", req, cwd=ROOT)
    (folder / f".installed-{requirements}").write_text(_requirements_digest(requirements, xblock))


def ensure_node_tools():
    """axe-core for the browser tests' accessibility audit, pinned by package-lock.json."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".installed-lock"
    if stamp.exists() and stamp.read_text() == hashlib.sha256(lock.read_bytes()).hexdigest():
        return True
    if not shutil.which("npm"):
        say("npm is missing: the browser tests need it for axe-core (apt-get install npm)")
        return False
    say("installing axe-core from package-lock.json")
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=ROOT)
    stamp.write_text(hashlib.sha256(lock.read_bytes()).hexdigest())
    return True


def is_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_system_packages(packages):
    """Install Debian packages the tests need, when we may; say clearly what is missing otherwise."""
    missing = [p for p in packages if run("dpkg", "-s", p, check=False, capture_output=True).returncode != 0]
    if not missing:
        return True
    if not (is_root() and shutil.which("apt-get")):
        say(f"missing system packages: {' '.join(missing)} (install them with apt-get as root)")
        return False
    say(f"installing system packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env, stdout=subprocess.DEVNULL)
    return True


class MariaDB:
    """A private MariaDB server for the tests: its own data folder and socket, no TCP port."""

    def __init__(self):
        # One folder per run, so that two test runs on one machine never share a server.
        self.base = VAR / f"mariadb-{os.getpid()}"
        self.data = self.base / "data"
        self.socket = self.base / "mysqld.sock"
        self.process = None

    def start(self):
        server = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        if not Path(server).exists():
            raise RuntimeError("mariadbd is not installed")
        self.base.mkdir(parents=True, exist_ok=True)
        user = ["--user=root"] if is_root() else []
        if not (self.data / "mysql").exists():
            say(f"initialising a private MariaDB server in {self.base.relative_to(ROOT)}")
            run("mariadb-install-db", "--no-defaults", f"--datadir={self.data}", "--auth-root-authentication-method=normal",
                "--skip-test-db", *user, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.socket.unlink(missing_ok=True)
        log = open(self.base / "server.log", "ab")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [server, "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}", "--skip-networking",
             f"--pid-file={self.base / 'mysqld.pid'}", "--innodb-buffer-pool-size=64M", "--max-connections=400",
             *user],
            stdout=log, stderr=log,
        )
        for _ in range(300):
            if self.socket.exists():
                probe = run("mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", "SELECT 1",
                            check=False, capture_output=True)
                if probe.returncode == 0:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        log_tail = (self.base / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"MariaDB did not start:\n{log_tail}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)


def cmd_serve(argv):
    """Build the example programme (archive + manifest in var/build/), then serve it in the local preview.

    Ctrl+C (SIGINT) or SIGTERM stops the preview; a stop asked for is a normal end (exit code 0).
    """
    ensure_venv("preview.txt")
    VAR.mkdir(exist_ok=True)
    address = argv[0] if argv else "127.0.0.1:8000"
    host, _sep, port = address.rpartition(":")
    env = {**os.environ, "KKN_VAR_DIR": str(VAR)}
    kkn_course = [PY, "-m", "course_export.cli"]
    # Not build/: setuptools writes its own output there.
    if run(*kkn_course, "build", EXAMPLE, "--out", VAR / "build", check=False, cwd=ROOT, env=env).returncode:
        return 1
    return run_until_stopped([str(a) for a in (*kkn_course, "preview", EXAMPLE, "--host", host or "127.0.0.1",
                                                "--port", port or "8000")], cwd=ROOT, env=env)


def run_until_stopped(command, **kwargs):
    """Run a server until it ends or we are asked to stop (SIGINT, SIGTERM); a stop exits 0."""
    stopped = []

    def stop(signum, _frame):
        stopped.append(signum)
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)  # kkn-course preview ends cleanly on SIGTERM

    child = subprocess.Popen(command, **kwargs)  # pylint: disable=consider-using-with
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # Ctrl+C reaches the child too (same process group)
                stopped.append(signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopped and code in (0, 130, -signal.SIGINT, -signal.SIGTERM):
        return 0
    return code


def cmd_test(argv):
    system_ok = ensure_system_packages(APT_PACKAGES)
    node_ok = ensure_node_tools()
    ensure_venv("test.txt")
    if os.environ.get("CI") and not (system_ok and node_ok):
        say("CI needs MariaDB, Chromium and npm; they could not be installed")
        return 1
    pytest = [PY, "-m", "pytest", *argv]
    say("test suite on SQLite")
    first = run(*pytest, check=False, cwd=ROOT).returncode
    if not system_ok:
        say("skipping the MariaDB run (see the message above)")
        return first
    db = MariaDB()
    try:
        db.start()
        say("records and concurrency tests on MariaDB")
        env = {**os.environ, "KKN_TEST_DB": "mariadb", "KKN_MARIADB_SOCKET": str(db.socket)}
        second = run(*pytest, "-m", "mariadb", "-p", "no:cacheprovider", check=False, cwd=ROOT, env=env).returncode
    finally:
        db.stop()
    if second == 5:  # pytest: nothing selected; the chosen tests have no MariaDB part
        second = 0
    third = 0 if argv else test_xblock_range()
    return first or second or third


def test_xblock_range():
    """The block tests with each end of the declared XBlock range (a whole-suite run only)."""
    failed = 0
    for version in XBLOCK_RANGE_ENDS:
        folder = ROOT / f".venv-xblock-{version}"
        ensure_venv("test.txt", folder, xblock=version)
        say(f"block tests with XBlock {version}")
        code = run(folder / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *BLOCK_TESTS,
                   check=False, cwd=ROOT).returncode
        failed = failed or code
    return failed


def cmd_bench(argv):
    ensure_venv("test.txt")
    return run(PY, ROOT / "bench" / "run.py", *argv, check=False, cwd=ROOT).returncode


def cmd_messages(argv):
    ensure_venv("test.txt")
    return run(PY, ROOT / "scripts" / "messages.py", *argv, check=False, cwd=ROOT).returncode


COMMANDS = {"serve": cmd_serve, "test": cmd_test, "bench": cmd_bench, "messages": cmd_messages}


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    try:
        return COMMANDS[sys.argv[1]](sys.argv[2:])
    except KeyboardInterrupt:  # Ctrl+C while setting up or building: no traceback
        return 130


if __name__ == "__main__":
    sys.exit(main())
