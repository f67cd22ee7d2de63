"""Every fault the push must survive or explain, injected into the fake Open edX.

Each test checks the exit code (the documented contract), the message (what went wrong and how to
fix it), and what was sent: safe steps are retried, the upload never twice.
"""
import json
import socket

import pytest

from tests.push.conftest import COURSE, environ_for


def uploads(edx):
    return edx.requests("POST", "/api/courses/v0/import/")


def test_bad_client_credentials_exit_4_before_anything_is_sent_to_studio(edx, archive, run_push):
    edx.add_course(COURSE)
    env = environ_for(edx, KKN_CLIENT_SECRET="wrong-secret")

    result = run_push(archive, env=env)

    assert result.code == 4
    assert "refused the OAuth2 client credentials (HTTP 401: invalid_client)" in result.stderr
    assert "KKN_CLIENT_SECRET" in result.stderr  # says where the wrong value came from
    assert [entry["side"] for entry in edx.log] == ["lms"]  # no retry of a wrong secret, nothing to Studio


def test_token_endpoint_failing_is_retried_then_exit_8(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.token_status = 503

    result = run_push(archive)

    assert result.code == 8
    assert len(edx.requests("POST", "/oauth2/access_token")) == 3  # retries=2 in the test tuning
    assert "trying again" in result.stderr and "The LMS kept failing (HTTP 503" in result.stderr
    assert uploads(edx) == []


def test_lms_that_refuses_connections_exit_9(edx, archive, run_push):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = environ_for(edx, KKN_LMS_URL=f"http://127.0.0.1:{port}")

    result = run_push(archive, env=env)

    assert result.code == 9
    assert "could not be reached" in result.stderr and "connection refused" in result.stderr


def test_lms_url_pointing_at_studio_is_a_settings_error(edx, archive, run_push):
    edx.add_course(COURSE)
    env = environ_for(edx, KKN_LMS_URL=edx.studio_url)

    result = run_push(archive, env=env)

    assert result.code == 2
    assert "did not answer like the LMS token endpoint (HTTP 404" in result.stderr
    assert "KKN_LMS_URL" in result.stderr


def test_studio_url_without_the_apis_is_a_settings_error(edx, archive, run_push):
    edx.add_course(COURSE)
    env = environ_for(edx, KKN_STUDIO_URL=edx.lms_url)

    result = run_push(archive, env=env)

    assert result.code == 2
    assert "there is no such API there" in result.stderr and "KKN_STUDIO_URL" in result.stderr
    assert uploads(edx) == []


def test_missing_course_exit_6_and_explains_how_to_create_it(edx, archive, run_push):
    result = run_push(archive)

    assert result.code == 6
    assert f"The course {COURSE} does not exist in Studio." in result.stderr
    assert "organization KKN, course number NOV101, course run 2026" in result.stderr
    assert "--create" in result.stderr
    assert uploads(edx) == []


def test_create_without_global_staff_exit_5_and_uploads_nothing(edx, archive, run_push):
    result = run_push(archive, "--create")

    assert result.code == 5
    assert "Only global staff may create courses" in result.stderr
    assert "Staff status" in result.stderr
    assert len(edx.requests("POST", "/api/v1/course_runs/")) == 1
    assert uploads(edx) == []


def test_no_rights_on_the_course_exit_5_before_upload(edx, archive, run_push):
    edx.add_course(COURSE, role=None)

    result = run_push(archive)

    assert result.code == 5
    assert f"no author rights on {COURSE}" in result.stderr and "Course Team" in result.stderr
    assert uploads(edx) == []


def test_read_only_role_is_refused_at_upload_with_exit_5(edx, archive, run_push):
    edx.add_course(COURSE, role="read")  # may read the course in Studio, not import into it

    result = run_push(archive)

    assert result.code == 5
    assert "HTTP 403: The requesting user does not have course author permissions." in result.stderr
    assert len(uploads(edx)) == 1 and edx.tasks == {}


def test_proxy_413_exit_7_with_the_limit_explained(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.proxy_max_body = 1000

    result = run_push(archive)

    assert result.code == 7
    assert "HTTP 413: 413 Request Entity Too Large" in result.stderr and "250 MB" in result.stderr
    assert len(uploads(edx)) == 1 and edx.tasks == {}


def test_archive_over_the_configured_limit_is_refused_before_any_request(edx, archive, run_push):
    edx.add_course(COURSE)
    env = environ_for(edx, KKN_MAX_UPLOAD_MB="0.0005")  # 524 bytes

    result = run_push(archive, env=env)

    assert result.code == 7
    assert "more than the upload limit of 0.5 kB" in result.stderr
    assert edx.log == []


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_error_on_upload_exit_8_warns_the_import_may_run_and_never_resends(edx, archive, run_push, status):
    edx.add_course(COURSE)
    edx.faults.upload_status = status

    result = run_push(archive)

    assert result.code == 8
    assert f"answered the upload with HTTP {status}" in result.stderr
    assert "may still have received it" in result.stderr
    assert len(uploads(edx)) == 1


def test_studio_500_on_upload_exit_8_shows_studios_reason(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.upload_status = 500

    result = run_push(archive)

    assert result.code == 8
    assert "Studio failed while receiving the archive (HTTP 500: [Errno 28] No space left on device)" in result.stderr
    assert "tutor local logs" in result.stderr
    assert len(uploads(edx)) == 1


def test_connection_dropped_mid_upload_exit_9_and_is_not_retried(edx, big_archive, run_push):
    edx.add_course(COURSE)
    edx.faults.upload_drop_after = 1024 * 1024

    result = run_push(big_archive, upload_timeout=10)

    assert result.code == 9, result.output
    assert "The connection broke during the upload" in result.stderr
    assert "of 24.0 MB sent" in result.stderr and "no import started" in result.stderr
    assert len(uploads(edx)) == 1 and uploads(edx)[0]["body_bytes"] == 1024 * 1024 and edx.tasks == {}


def test_connection_dropped_after_a_small_upload_warns_the_import_may_have_started(edx, archive, run_push):
    # The whole (small) archive fits in the socket buffers before the server hangs up: the push
    # cannot know what Studio read, so it must not claim that nothing was imported.
    edx.add_course(COURSE)
    edx.faults.upload_drop_after = 200

    result = run_push(archive)

    assert result.code == 9
    assert "The connection broke after the whole archive was sent" in result.stderr
    assert "may have started the import" in result.stderr
    assert len(uploads(edx)) == 1


def test_studio_too_slow_to_answer_the_upload_exit_9_and_is_not_retried(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.upload_delay = 3  # upload_timeout is 1 s in the test tuning

    result = run_push(archive)

    assert result.code == 9
    assert "did not answer within 1 s after the upload" in result.stderr
    assert "may have started the import anyway" in result.stderr
    assert len(uploads(edx)) == 1


def test_upload_stalled_by_the_server_exit_9_and_says_no_import_started(edx, big_archive, run_push):
    edx.add_course(COURSE)
    edx.faults.upload_stall_after = 1024 * 1024  # then Studio stops reading for longer than upload_timeout

    result = run_push(big_archive)

    assert result.code == 9, result.output
    assert "The upload stalled: Studio took no data for 1 s" in result.stderr
    assert "no import started" in result.stderr
    assert len(uploads(edx)) == 1 and edx.tasks == {}


def test_slow_status_answer_is_retried_and_the_push_succeeds(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.status_delay = [2.5]  # read_timeout is 1 s

    result = run_push(archive)

    assert result.code == 0, result.output
    assert "import status: no answer within 1 s; trying again" in result.stderr
    assert len(uploads(edx)) == 1


def test_transient_5xx_while_polling_is_retried(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.status_errors = [503, 502]

    result = run_push(archive)

    assert result.code == 0, result.output
    assert "import status: HTTP 503; trying again" in result.stderr
    assert "import status: HTTP 502; trying again" in result.stderr


def test_persistent_5xx_while_polling_exit_8_with_the_resume_command(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.status_errors = [500] * 10

    result = run_push(archive)

    assert result.code == 8
    assert "Studio kept failing (HTTP 500: injected failure) after 3 tries." in result.stderr
    task_id = next(iter(edx.tasks))
    assert f"--resume {task_id}" in result.stderr
    assert len(uploads(edx)) == 1


def test_expired_token_while_polling_is_renewed_once(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.polls_per_state = 2
    edx.faults.expire_tokens_after_polls = 3

    result = run_push(archive)

    assert result.code == 0, result.output
    assert len(edx.requests("POST", "/oauth2/access_token")) == 2
    assert len(uploads(edx)) == 1


def test_failed_import_exit_10_and_points_at_the_worker_log(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.fail_import = True

    result = run_push(archive)

    assert result.code == 10
    assert f"Studio reports the import of {COURSE} as Failed." in result.stderr
    assert "cms-worker" in result.stderr
    assert edx.requests("GET", "/api/courses/v1/validation/") == []


def test_silently_dropped_component_is_caught_exit_11(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.drop_components = {"kkn_exam": 1}

    result = run_push(archive, "--json")

    assert result.code == 11
    payload = json.loads(result.stdout)
    assert payload["state"] == "Succeeded"
    assert {"what": "kkn_exam", "built": 1, "in_studio": 0} in payload["differences"]
    assert payload["error"]["code"] == "verify" and "Advanced Module List" in payload["error"]["hint"]


def test_dropped_component_is_listed_in_the_human_output(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.drop_components = {"html": 1}

    result = run_push(archive)

    assert result.code == 11
    assert "differs from the build" in result.stderr
    assert "  html: built 1, in Studio 0" in result.stderr


def test_resume_with_an_unknown_task_exit_2(edx, archive, run_push):
    edx.add_course(COURSE)

    result = run_push(archive, "--resume", "00000000-0000-0000-0000-000000000000")

    assert result.code == 2
    assert "Studio knows no import task 00000000-0000-0000-0000-000000000000 for the file kurs.tar.gz" in result.stderr
    assert uploads(edx) == []
    # Not transient: asked once, not retried.
    assert len(edx.requests("GET", "/api/courses/v0/import/")) == 1


def test_poll_timeout_exit_12_with_the_resume_command(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.polls_per_state = 1000

    result = run_push(archive, poll_timeout=0.2)

    assert result.code == 12
    task_id = next(iter(edx.tasks))
    assert "still importing" in result.stderr
    assert f"kkn-course push {archive} --course-id {COURSE} --resume {task_id}" in result.stderr


def test_interrupt_while_polling_exit_130_and_says_how_to_continue(edx, archive, run_push):
    edx.add_course(COURSE)

    def interrupt(_seconds):
        raise KeyboardInterrupt

    result = run_push(archive, sleep=interrupt)

    assert result.code == 130
    task_id = next(iter(edx.tasks))
    assert "The import goes on in Studio" in result.stderr and f"--resume {task_id}" in result.stderr


def test_verification_without_lms_staff_rights_exit_5(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.blocks_status = 403

    result = run_push(archive)

    assert result.code == 5
    assert "The import succeeded, but the push user may not read the course" in result.stderr


def test_lms_down_during_verification_exit_8_and_says_the_import_succeeded(edx, archive, run_push):
    edx.add_course(COURSE)
    edx.faults.blocks_status = 503

    result = run_push(archive)

    assert result.code == 8
    assert "The import itself succeeded; only the check failed." in result.stderr
    assert "--resume" in result.stderr
