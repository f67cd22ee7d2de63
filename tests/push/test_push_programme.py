"""A programme built a course per module, pushed to the fake Open edX: every course imported and
verified, and a failure in the middle followed by a rerun imports each course exactly once."""
import io
import json
import shutil
import time
from collections import Counter

import pytest

from course_export import push
from course_export.build import build_programme
from tests.course_export.conftest import EXAMPLES
from tests.push.conftest import FAST, environ_for, parse_push

IMPORT_PATH = "/api/courses/v0/import/"


@pytest.fixture(scope="module")
def built_programme(tmp_path_factory):
    return build_programme(EXAMPLES / "naringslivsutvecklare", tmp_path_factory.mktemp("programme"), "modules")


@pytest.fixture
def programme(built_programme, tmp_path):
    """A private copy of the build, so each test starts without a push record."""
    folder = tmp_path / "build"
    shutil.copytree(built_programme.manifest.parent, folder)
    return folder / built_programme.manifest.name, [r.course.course_id for r in built_programme.courses]


def run_programme_push(edx, target, *args, sleep=time.sleep):
    options = parse_push([str(target), *args])
    stdout, stderr = io.StringIO(), io.StringIO()
    code = push.run(options, environ=environ_for(edx), stdout=stdout, stderr=stderr, tune=FAST, sleep=sleep)
    return code, stdout.getvalue(), stderr.getvalue()


def uploads_per_course(edx):
    return Counter(entry["path"].split(IMPORT_PATH)[1].strip("/") for entry in edx.requests("POST", IMPORT_PATH))


def test_every_course_of_the_programme_is_imported_and_verified(edx, programme):
    manifest, course_ids = programme
    assert len(course_ids) == 7
    for course_id in course_ids:
        edx.add_course(course_id)
    code, stdout, stderr = run_programme_push(edx, manifest.parent, "--json")  # the build folder will do
    payload = json.loads(stdout)
    assert code == 0, stderr
    assert payload["ok"] and [c["course_id"] for c in payload["courses"]] == course_ids
    assert {c["outcome"] for c in payload["courses"]} == {"pushed"}
    assert uploads_per_course(edx) == Counter({course_id: 1 for course_id in course_ids})
    # What Studio holds is what was built, course by course (the fake walks each uploaded tree).
    listed = json.loads(manifest.read_text(encoding="utf-8"))["courses"]
    for entry in listed:
        types = Counter(block["type"] for block in edx.courses[entry["course_id"]].blocks)
        assert types["kkn_module"] == entry["counts"].get("kkn_module", 0)
        assert types["kkn_exam"] == entry["counts"].get("kkn_exam", 0)
    # Pushed again unchanged: nothing is uploaded.
    code, stdout, _stderr = run_programme_push(edx, manifest)
    assert code == 0 and uploads_per_course(edx) == Counter({course_id: 1 for course_id in course_ids})
    assert "Already in Studio, unchanged" in stdout or "Redan i Studio" in stdout


def test_a_course_missing_in_the_middle_stops_the_push_and_a_rerun_continues_there(edx, programme):
    manifest, course_ids = programme
    for course_id in course_ids:
        if course_id != course_ids[2]:
            edx.add_course(course_id)
    code, _stdout, stderr = run_programme_push(edx, manifest)
    assert code == push.EXIT["course_missing"]
    assert course_ids[2] in stderr and "2" in stderr  # says which course, and how many are in
    assert uploads_per_course(edx) == Counter({course_ids[0]: 1, course_ids[1]: 1})
    edx.add_course(course_ids[2])  # the operator creates it in Studio, then runs the same command
    code, _stdout, stderr = run_programme_push(edx, manifest)
    assert code == 0, stderr
    assert uploads_per_course(edx) == Counter({course_id: 1 for course_id in course_ids})


def test_a_network_failure_after_the_upload_resumes_that_import_without_uploading_again(edx, programme):
    manifest, course_ids = programme
    for course_id in course_ids:
        edx.add_course(course_id)
    injected = []

    def sleep(seconds):
        # Once course 3 has been uploaded, Studio stops answering the status polls (beyond the retries).
        if len(edx.uploads) == 3 and not injected:
            injected.append(True)
            edx.faults.status_errors = [503] * 20
        time.sleep(min(seconds, 0.01))

    code, _stdout, stderr = run_programme_push(edx, manifest, sleep=sleep)
    assert code == push.EXIT["server"], stderr
    state = json.loads(manifest.with_name("naringslivsutvecklare.programme.push-state.json").read_text())
    assert state["courses"][course_ids[2]]["state"] == "importing"
    edx.faults.status_errors = []
    code, _stdout, stderr = run_programme_push(edx, manifest)
    assert code == 0, stderr
    assert uploads_per_course(edx) == Counter({course_id: 1 for course_id in course_ids})
    assert all(edx.courses[course_id].blocks for course_id in course_ids)


def test_a_programme_refuses_course_id_and_resume(edx, programme):
    manifest, course_ids = programme
    code, _stdout, stderr = run_programme_push(edx, manifest, "--course-id", course_ids[0])
    assert code == push.EXIT["settings"] and "--course-id" in stderr
    assert not edx.requests("POST", IMPORT_PATH)


def test_a_broken_programme_manifest_is_refused_before_anything_is_sent(edx, tmp_path):
    manifest = tmp_path / "x.programme.json"
    manifest.write_text('{"courses": "nej"}', encoding="utf-8")
    code, _stdout, stderr = run_programme_push(edx, manifest)
    assert code == push.EXIT["archive"] and "x.programme.json" in stderr
    assert not edx.log
