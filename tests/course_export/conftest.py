"""Course sources to build: the scaffold ``kkn-course new`` writes, copied so each test may break it."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_export import i18n
from course_export.commands.new import TEMPLATE

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def english():
    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.fixture
def course_source(tmp_path):
    """A fresh copy of the scaffold course; returns its folder."""
    folder = tmp_path / "kurs"
    shutil.copytree(TEMPLATE, folder)
    return folder


@pytest.fixture
def unreadable_page(course_source, monkeypatch):
    """A page of ``course_source`` the builder may not read (its permissions), refused as the
    operating system refuses it: made here, since root reads everything. Returns its path."""
    from course_export import loading  # pylint: disable=import-outside-toplevel
    page = next(course_source.glob("modules/*/*.md"))
    real = loading._read_bytes  # pylint: disable=protected-access

    def read_bytes(path, size):
        if str(path) == str(page):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, size)

    monkeypatch.setattr(loading, "_read_bytes", read_bytes)
    return page


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, fragment):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def in_fresh_process(code, value):
    """Run ``code`` in a new Python process: ``(value, every module it imported)``, ``value`` being the
    expression evaluated after ``code`` (what a process imports is what its start-up costs)."""
    script = f"import json, sys\n{code}\nprint(json.dumps([{value}, sorted(sys.modules)]))\n"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])
