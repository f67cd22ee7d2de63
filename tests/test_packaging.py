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
    expected += [builder / "locale/sv/LC_MESSAGES/kkn_course.mo", builder / "preview/locale/sv/LC_MESSAGES/django.mo",
                 builder / "default_course_image.png"]
    # the author reference, for "kkn-course docs" and the messages that point to it
    expected += [builder / "docs" / path.name for path in (ROOT / "docs").glob("*.md")]
    missing = [str(p.relative_to(ROOT)) for p in expected if str(p.relative_to(ROOT)) not in names]
    assert not missing
    assert not any(n.startswith(("tests/", "bench/", "scripts/")) for n in names)


def test_the_xblock_range_setup_cfg_declares_is_the_one_dev_py_tests():
    """``python3 dev.py test`` runs the block tests with both ends of the declared XBlock range."""
    from packaging.requirements import Requirement  # pylint: disable=import-outside-toplevel
    from packaging.version import Version  # pylint: disable=import-outside-toplevel

    sys.path.insert(0, str(ROOT))
    try:
        import dev  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.remove(str(ROOT))
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    (xblock,) = [Requirement(line) for line in parser["options"]["install_requires"].split("\n")
                 if line.strip().lower().startswith("xblock")]
    lowest, highest = (Version(v) for v in dev.XBLOCK_RANGE_ENDS)
    lower_bound = next(Version(spec.version) for spec in xblock.specifier if spec.operator == ">=")
    upper_bound = next(Version(spec.version) for spec in xblock.specifier if spec.operator == "<")
    assert lowest == lower_bound and highest in xblock.specifier and highest.major == upper_bound.major - 1
    pinned = next(line for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines()
                  if line.lower().startswith("xblock=="))
    assert Version(pinned.split("==")[1]) in xblock.specifier
