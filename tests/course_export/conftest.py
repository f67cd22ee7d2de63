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
