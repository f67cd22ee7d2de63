"""The course image: course.yaml names one in static/, or the builder ships its default. With it,
Open edX's own validator (olxcleaner, all eight steps, nothing ignored) finds nothing at all in a
built course, and ``kkn-course validate`` hides none of its findings about the course image."""
import filecmp
import json
import tarfile

import olxcleaner
import pytest

from course_export.build import build
from course_export.cli import main
from course_export.source import DEFAULT_COURSE_IMAGE
from course_export.spec import SourceError
from course_export.validation import _allowed_blocks, validate_archive, validate_folder

from .conftest import EXAMPLES, edit


def built_tree(source, tmp_path):
    result = build(source, tmp_path / "out")
    with tarfile.open(result.archive) as tar:
        tar.extractall(tmp_path / "tree", filter="data")
    return result, tmp_path / "tree" / "course"


def olxcleaner_findings(folder):
    """Everything olxcleaner reports at its last step (8), with no finding ignored."""
    _course, store, _names = olxcleaner.validate(str(folder), steps=8, ignore=[],
                                                 allowed_xblocks=sorted(_allowed_blocks()))
    return [f"{error.level} {error.name}: {error.description}" for error in store.errors]


@pytest.fixture(params=["naringslivsutvecklare", "kkn-seminarieserie", "kkn-course new"])
def source(request, tmp_path):
    if request.param == "kkn-course new":
        folder = tmp_path / "ny-kurs"
        assert main(["new", str(folder)]) == 0
        return folder
    return EXAMPLES / request.param


def test_every_example_and_new_course_passes_olxcleaner_at_all_steps_with_nothing_filtered(source, tmp_path):
    result, tree = built_tree(source, tmp_path)
    assert olxcleaner_findings(tree) == []
    policy = json.loads((tree / "policies" / result.course.run / "policy.json").read_text())
    image = policy[f"course/{result.course.run}"]["course_image"]
    assert image == "kursbild.png" and (tree / "static" / image).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    report = validate_archive(result.archive)
    assert report.problems == [], [str(p) for p in report.problems]


def test_without_a_course_image_the_builder_ships_its_default(tmp_path):
    folder = tmp_path / "kurs"
    assert main(["new", str(folder)]) == 0
    edit(folder / "course.yaml", "course_image: kursbild.png\n", "")
    result, tree = built_tree(folder, tmp_path)
    policy = json.loads((tree / "policies" / result.course.run / "policy.json").read_text())
    assert policy[f"course/{result.course.run}"]["course_image"] == DEFAULT_COURSE_IMAGE.name
    assert filecmp.cmp(tree / "static" / DEFAULT_COURSE_IMAGE.name, DEFAULT_COURSE_IMAGE, shallow=False)
    assert olxcleaner_findings(tree) == []


@pytest.mark.parametrize("value, message", [
    ("saknas.png", "static/saknas.png does not exist."),
    ("logo.svg", "“logo.svg” is not an image the course card can show."),
])
def test_a_course_image_that_is_missing_or_not_an_image_is_a_problem_at_its_key(value, message, tmp_path):
    folder = tmp_path / "kurs"
    assert main(["new", str(folder)]) == 0
    edit(folder / "course.yaml", "course_image: kursbild.png", f"course_image: {value}")
    with pytest.raises(SourceError) as raised:
        build(folder, tmp_path / "out")
    assert [(str(p.location).split(":")[0], p.message) for p in raised.value.problems] == [("course.yaml", message)]
    assert "course_image" in str(raised.value.problems[0].location)


def test_validate_reports_a_course_without_an_image(tmp_path):
    """Built by another tool or edited by hand: olxcleaner's finding reaches the author."""
    result, tree = built_tree(EXAMPLES / "naringslivsutvecklare", tmp_path)
    policy_file = tree / "policies" / result.course.run / "policy.json"
    policy = json.loads(policy_file.read_text())
    del policy[f"course/{result.course.run}"]["course_image"]
    policy_file.write_text(json.dumps(policy))
    found = [p for p in validate_folder(tree).problems if p.code == "olxcleaner"]
    assert [p.severity for p in found] == ["error"] and "course_image" in found[0].message
