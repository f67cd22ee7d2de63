"""The wheel operators pip-install carries the entry points, templates, assets, catalogs and migrations."""
import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.checkout import copy_checkout

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # Build from a copy of the tracked and new files, so no stale build/ folder can leak into the wheel.
    source = copy_checkout(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(source)], check=True)
    (path,) = out.glob("kkn_xblocks-*.whl")
    return zipfile.ZipFile(path)


def test_entry_points_are_lowercase_and_register_the_records_app(wheel):
    (name,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(name).decode())
    blocks = dict(parser["xblock.v1"])
    assert blocks["kkn_module"] == "kkn_xblocks.module:DistanceModuleBlock"
    assert all(key == key.lower() for key in blocks)
    for group in ("lms.djangoapp", "cms.djangoapp"):
        assert dict(parser[group]) == {"kkn_records": "kkn_xblocks.records.apps:RecordsConfig"}


def test_package_data_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    package = ROOT / "kkn_xblocks"
    expected = [p for folder in ("templates", "public") for p in (package / folder).rglob("*") if p.is_file()]
    expected += [package / "translations/sv/LC_MESSAGES/text.mo", package / "records/migrations/0001_initial.py"]
    expected += list((package / "records/management").rglob("*.py"))  # the operator commands
    builder = ROOT / "course_export"
    expected += [p for folder in ("template", "preview/templates") for p in (builder / folder).rglob("*") if p.is_file()]
    expected += [builder / "locale/sv/LC_MESSAGES/kkn_course.mo", builder / "preview/locale/sv/LC_MESSAGES/django.mo"]
    # the author reference, for "kkn-course docs" and the messages that point to it
    expected += [builder / "docs" / path.name for path in (ROOT / "docs").glob("*.md")]
    missing = [str(p.relative_to(ROOT)) for p in expected if str(p.relative_to(ROOT)) not in names]
    assert not missing
    assert not any(n.startswith(("tests/", "bench/", "scripts/")) for n in names)
