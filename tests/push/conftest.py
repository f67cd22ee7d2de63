"""Push tests: a fake Open edX on loopback, a guard that nothing leaves loopback, a CLI runner."""
import argparse
import io
import ipaddress
import os
import socket
import time

import pytest

from tests.push.fake_openedx import FakeOpenEdx

# Fast clocks for retries and polling; short timeouts so "slow server" tests take a second.
FAST = {"poll_interval": 0.01, "poll_interval_max": 0.02, "backoff": 0.01, "backoff_max": 0.02, "retries": 2,
        "connect_timeout": 2.0, "read_timeout": 1.0, "upload_timeout": 1.0, "verify_wait": 0.3}
COURSE = "course-v1:KKN+NOV101+2026"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _is_loopback(address):
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Any connection to anything but loopback fails the test at once."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"push tests may only talk to loopback, not {address!r}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"push tests may only talk to loopback, not {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def archive(tmp_path):
    """The small sample course, built for COURSE, with its manifest."""
    from tests.push.olx_sample import sample_archive  # pylint: disable=import-outside-toplevel
    return sample_archive(tmp_path)


@pytest.fixture(scope="session")
def big_archive(tmp_path_factory):
    """The sample course with 24 MB of incompressible static data: more than loopback's socket
    buffers hold, so a connection cut on the server side really cuts the upload short."""
    from tests.push.olx_sample import sample_archive  # pylint: disable=import-outside-toplevel
    return sample_archive(tmp_path_factory.mktemp("big"), extra_files={"static/film.bin": os.urandom(24 * 1024 * 1024)})


@pytest.fixture
def edx():
    with FakeOpenEdx() as fake:
        yield fake


class TTYStream(io.StringIO):
    def isatty(self):
        return True


def environ_for(edx, **extra):
    env = {"KKN_STUDIO_URL": edx.studio_url, "KKN_LMS_URL": edx.lms_url, "KKN_CLIENT_ID": edx.client_id,
           "KKN_CLIENT_SECRET": edx.client_secret, "KKN_PUSH_CONFIG": "", "HOME": "/nonexistent"}
    env.update(extra)
    return env


def parse_push(argv):
    from course_export import push  # pylint: disable=import-outside-toplevel
    parser = argparse.ArgumentParser(prog="kkn-course")
    push.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["push", *argv])


class Run:
    def __init__(self, code, stdout, stderr):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    @property
    def output(self):
        return self.stdout + self.stderr


@pytest.fixture
def run_push(edx):
    """``run_push(archive, *args, env=..., tty=False, **tune)`` -> :class:`Run` of ``kkn-course push``."""
    from course_export import push  # pylint: disable=import-outside-toplevel

    def run(archive, *args, course_id=COURSE, env=None, tty=False, validate=None, sleep=time.sleep, **tune):
        argv = [str(archive), "--course-id", course_id, *args]
        options = parse_push(argv)
        stdout, stderr = io.StringIO(), (TTYStream() if tty else io.StringIO())
        code = push.run(options, environ=env if env is not None else environ_for(edx), stdout=stdout, stderr=stderr,
                        tune={**FAST, **tune}, validate=validate, sleep=sleep)
        return Run(code, stdout.getvalue(), stderr.getvalue())

    return run
