"""The example programme, built by the real builder, pushed end to end to the fake Open edX."""
import json

import pytest

from course_export.build import build
from tests.course_export.conftest import EXAMPLES

EXAMPLE_COURSE = "course-v1:KKN+NLU101+2027"


@pytest.fixture(scope="module")
def example_archive(tmp_path_factory):
    return build(EXAMPLES / "naringslivsutvecklare", tmp_path_factory.mktemp("build")).archive


def test_the_example_imports_and_verifies(edx, example_archive, run_push):
    edx.add_course(EXAMPLE_COURSE)
    result = run_push(example_archive, "--json", course_id=EXAMPLE_COURSE)
    payload = json.loads(result.stdout)
    assert result.code == 0, result.output
    assert payload["ok"] and payload["differences"] == []
    manifest = json.loads(example_archive.with_name("KKN-NLU101-2027.manifest.json").read_text(encoding="utf-8"))
    assert payload["counts"]["kkn_module"] == {"built": manifest["counts"]["kkn_module"],
                                               "studio": manifest["counts"]["kkn_module"]}
    assert manifest["counts"]["kkn_module"] >= 5


def test_a_silently_dropped_component_of_the_example_is_caught(edx, example_archive, run_push):
    edx.add_course(EXAMPLE_COURSE)
    edx.faults.drop_components = {"html": 1}
    result = run_push(example_archive, "--json", course_id=EXAMPLE_COURSE)
    payload = json.loads(result.stdout)
    built = json.loads(example_archive.with_name("KKN-NLU101-2027.manifest.json").read_text())["counts"]["html"]
    assert result.code == 11 and not payload["ok"] and payload["error"]["code"] == "verify"
    assert payload["differences"] == [{"what": "html", "built": built, "in_studio": built - 1}]
