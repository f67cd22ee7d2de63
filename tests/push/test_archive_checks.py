"""Checks before upload: a refused archive never causes a single request."""
import json
import shutil

from tests.push.conftest import COURSE
from tests.push.olx_sample import sample_archive, sample_files, write_archive, write_manifest


def test_only_tar_gz_is_pushed(edx, archive, run_push, tmp_path):
    edx.add_course(COURSE)
    renamed = tmp_path / "kurs.zip"
    shutil.copy(archive, renamed)

    result = run_push(renamed)

    assert result.code == 3 and "does not end in .tar.gz" in result.stderr
    assert edx.log == []


def test_missing_archive(edx, run_push, tmp_path):
    result = run_push(tmp_path / "nothing.tar.gz")
    assert result.code == 3 and "does not exist" in result.stderr and "kkn-course build" in result.stderr
    assert edx.log == []


def test_malformed_course_key_is_a_usage_error(edx, archive, run_push):
    result = run_push(archive, course_id="KKN/NOV101/2026")
    assert result.code == 2 and "is not a course key like course-v1:ORG+NUMBER+RUN" in result.stderr
    assert edx.log == []


def test_archive_for_another_course_is_refused(edx, run_push, tmp_path):
    other = sample_archive(tmp_path, course_id="course-v1:KKN+NOV102+2026")
    edx.add_course(COURSE)

    result = run_push(other)

    assert result.code == 3
    assert "The archive holds course course-v1:KKN+NOV102+2026, not course-v1:KKN+NOV101+2026." in result.stderr
    assert "--course-id course-v1:KKN+NOV102+2026" in result.stderr
    assert edx.log == []


def test_archive_changed_after_the_build_is_refused(edx, archive, run_push):
    edx.add_course(COURSE)
    files, _counts, _graded = sample_files()
    files["html/extra.html"] = b"<p>added by hand</p>"
    write_archive(archive.parent, files)  # same name, the old manifest stays

    result = run_push(archive)

    assert result.code == 3 and "changed after the build" in result.stderr
    assert edx.log == []


def test_missing_manifest_is_refused(edx, archive, run_push):
    archive.with_name("kurs.manifest.json").unlink()

    result = run_push(archive)

    assert result.code == 3 and "kurs.manifest.json is missing" in result.stderr
    assert edx.log == []


def test_manifest_for_another_course_is_refused(edx, archive, run_push):
    manifest = archive.with_name("kurs.manifest.json")
    data = json.loads(manifest.read_text())
    data["course_id"] = "course-v1:KKN+OTHER+2026"
    manifest.write_text(json.dumps(data))

    result = run_push(archive)

    assert result.code == 3 and "is for course-v1:KKN+OTHER+2026" in result.stderr
    assert edx.log == []


def test_archive_with_two_course_roots_is_refused(edx, run_push, tmp_path):
    files, counts, graded = sample_files()
    files["second/course.xml"] = files["course.xml"]
    archive = write_archive(tmp_path, files)
    write_manifest(archive, COURSE, counts, graded)

    result = run_push(archive, validate=lambda path: type("Report", (), {"ok": True, "problems": []})())

    assert result.code == 3
    assert "must hold exactly one course.xml" in result.stderr and "course/second/course.xml" in result.stderr
    assert edx.log == []


def test_validation_problems_are_listed_and_nothing_is_sent(edx, archive, run_push):
    class Problem:
        def __init__(self, message, location, severity):
            self.message, self.location, self.severity = message, location, severity

    class Report:
        ok = False
        problems = [Problem("vertical u3 points to a missing file", "vertical/u3.xml", "error"),
                    Problem("display name is long", "chapter/ch1.xml", "warning")]

    result = run_push(archive, validate=lambda path: Report())

    assert result.code == 3
    assert "does not pass validation" in result.stderr
    assert "vertical/u3.xml: vertical u3 points to a missing file" in result.stderr
    assert "display name is long" not in result.stderr  # warnings do not block and are not repeated as errors
    assert edx.log == []
