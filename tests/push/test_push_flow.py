"""The push's happy paths against the fake Open edX: import, create, resume, output forms."""
import argparse
import json
import re
from pathlib import Path

from course_export import push
from tests.push.conftest import COURSE


def test_push_imports_verifies_and_reports_counts(edx, archive, run_push):
    edx.add_course(COURSE)

    result = run_push(archive)

    assert result.code == 0, result.output
    assert "import" in result.stdout and "succeeded" in result.stdout
    # Exactly one upload, carrying the whole archive in the multipart body.
    posts = edx.requests("POST", "/api/courses/v0/import/")
    assert len(posts) == 1
    task_id = next(iter(edx.tasks))
    assert edx.uploads[task_id] == archive.read_bytes()
    # The token came from the LMS and was sent to Studio as a JWT.
    assert len(edx.requests("POST", "/oauth2/access_token")) == 1
    assert posts[0]["authorization"].startswith("JWT ")
    # Verification asked Studio for the full validation and the LMS for every block.
    validation = edx.requests("GET", "/api/courses/v1/validation/")
    assert validation and validation[0]["query"]["all"] == ["true"]
    blocks = edx.requests("GET", "/api/courses/v2/blocks/")
    assert blocks[0]["query"]["course_id"] == [COURSE] and blocks[0]["query"]["all_blocks"] == ["true"]
    assert "kkn_exam: 1" in result.stdout and "vertical: 3" in result.stdout


def test_json_output_is_one_object_with_the_outcome(edx, archive, run_push):
    edx.add_course(COURSE)

    result = run_push(archive, "--json")

    assert result.code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["exit_code"] == 0
    assert payload["course_id"] == COURSE and payload["state"] == "Succeeded"
    assert payload["task_id"] in edx.tasks
    assert payload["counts"]["kkn_module"] == {"built": 1, "studio": 1}
    assert payload["differences"] == [] and payload["error"] is None
    assert result.stderr == ""  # not a terminal: nothing but the JSON


def test_json_output_on_failure_names_code_message_and_hint(edx, archive, run_push):
    result = run_push(archive, "--json")  # the course does not exist

    payload = json.loads(result.stdout)
    assert result.code == 6 and payload["ok"] is False and payload["exit_code"] == 6
    assert payload["error"]["code"] == "course_missing"
    assert COURSE in payload["error"]["message"] and "--create" in payload["error"]["hint"]


def test_progress_bar_redraws_in_place_on_a_terminal(edx, archive, run_push):
    edx.add_course(COURSE)

    result = run_push(archive, tty=True)

    assert result.code == 0
    assert "\r\x1b[K" in result.stderr
    assert "100%" in result.stderr and "[" + "#" * 30 + "]" in result.stderr
    # The live status line shows Studio's stages with a clock.
    assert "unpacking (00:00)" in result.stderr and "updating the course" in result.stderr


def test_a_log_gets_sparse_progress_lines_and_one_line_per_state(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.polls_per_state = 3

    result = run_push(archive)

    assert result.code == 0
    assert "\r" not in result.stderr
    assert "Uploading: 0%" in result.stderr and "Uploading: 100%" in result.stderr
    # Three polls per state, but each state is written once.
    assert result.stderr.count("Importing in Studio: unpacking") == 1
    assert result.stderr.count("Importing in Studio: updating the course") == 1
    assert len(edx.requests("GET", "/api/courses/v0/import/")) == 13


def test_quiet_prints_no_progress_even_on_a_terminal(edx, archive, run_push):
    edx.add_course(COURSE)

    result = run_push(archive, "--quiet", tty=True)

    assert result.code == 0
    assert result.stderr == ""
    assert "succeeded" in result.stdout


def test_json_on_a_terminal_keeps_the_progress_bar_but_no_step_lines(edx, archive, run_push):
    edx.add_course(COURSE)

    result = run_push(archive, "--json", tty=True)

    assert json.loads(result.stdout)["ok"] is True
    assert "100%" in result.stderr and "Archive kurs.tar.gz" not in result.stderr


def test_create_makes_the_course_through_the_course_runs_api_when_global_staff(edx, archive, run_push):
    edx.users[edx.app_user].is_staff = True

    result = run_push(archive, "--create", "--json")

    assert result.code == 0, result.stdout
    assert json.loads(result.stdout)["created"] is True
    created = edx.requests("POST", "/api/v1/course_runs/")
    assert len(created) == 1
    body = created[0]["json"]
    # Title, schedule and pacing come from the archive's policy.
    assert body == {"title": "Näringslivsutveckling", "org": "KKN", "number": "NOV101", "run": "2026",
                    "schedule": {"start": "2026-01-12T08:00:00Z", "end": "2026-12-18T16:00:00Z"},
                    "pacing_type": "instructor_paced"}
    assert len(edx.requests("POST", "/api/courses/v0/import/")) == 1
    assert len(edx.courses[COURSE].blocks) > 1


def test_create_is_not_used_when_the_course_exists(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.users[edx.app_user].is_staff = True

    assert run_push(archive, "--create").code == 0
    assert edx.requests("POST", "/api/v1/course_runs/") == []


def test_resume_polls_an_earlier_import_without_uploading_again(edx, archive, run_push):
    edx.add_course(COURSE)
    first = run_push(archive, poll_timeout=0.0001)  # gives up at once, prints how to continue
    assert first.code == 12
    task_id = next(iter(edx.tasks))
    assert f"--resume {task_id}" in first.stderr

    second = run_push(archive, "--resume", task_id)

    assert second.code == 0, second.output
    assert len(edx.requests("POST", "/api/courses/v0/import/")) == 1
    # Only the first push asked whether the course exists; the resumed one went straight to polling.
    assert len(edx.requests("GET", "/api/contentstore/v1/course_details/")) == 1


def test_verification_waits_for_the_lms_to_refresh_its_course_structure(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.lms_lag = 2  # the LMS shows the old (empty) course twice more

    result = run_push(archive, verify_wait=5)

    assert result.code == 0, result.output
    assert len(edx.requests("GET", "/api/courses/v2/blocks/")) == 3
    assert "Waiting for the LMS to show the new course structure" in result.stderr


def test_exit_codes_in_the_operator_guide_and_help_match_the_code():
    guide = (Path(__file__).parents[2] / "docs" / "operator-guide.md").read_text(encoding="utf-8")
    table = guide.split("## 6. Exit codes and fixes", 1)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}
    assert documented == set(push.EXIT_CODES)
    assert set(push.exit_code_meanings()) == set(push.EXIT_CODES)
    help_text = parse_help()
    for code in push.EXIT_CODES:
        assert re.search(rf"^\s+{code}\s+\S", help_text, flags=re.MULTILINE), code


def parse_help():
    parser = argparse.ArgumentParser(prog="kkn-course")
    sub = parser.add_subparsers()
    return push.register(sub).format_help()
