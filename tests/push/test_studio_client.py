"""StudioClient on its own: token life, the multipart body, retries only where safe."""
import pytest

from course_export.push_config import PushSettings, Secret
from course_export.studio_client import StudioClient, StudioError, _MultipartFile, split_course_id
from tests.push.conftest import COURSE, FAST
from tests.push.fake_openedx import _multipart_file


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def settings_for(edx, **changes):
    values = {"studio_url": edx.studio_url, "lms_url": edx.lms_url, "client_id": edx.client_id,
              "client_secret": Secret(edx.client_secret), **FAST}
    values.update(changes)
    return PushSettings(**values)


def test_token_is_reused_until_near_expiry_then_renewed(edx):
    edx.add_course(COURSE)
    clock = Clock()
    client = StudioClient(settings_for(edx), clock=clock, sleep=lambda s: None)

    assert client.course_exists(COURSE)
    assert client.course_exists(COURSE)
    assert len(edx.requests("POST", "/oauth2/access_token")) == 1
    clock.now += 3600 - 59  # within the last minute of the hour the LMS granted
    assert client.course_exists(COURSE)
    assert len(edx.requests("POST", "/oauth2/access_token")) == 2
    tokens = {entry["authorization"] for entry in edx.requests("GET")}
    assert len(tokens) == 2 and all(token.startswith("JWT ") for token in tokens)


def test_token_request_is_client_credentials_for_a_jwt(edx):
    edx.add_course(COURSE)
    client = StudioClient(settings_for(edx))
    client.course_exists(COURSE)

    (token_request,) = edx.requests("POST", "/oauth2/access_token")
    assert token_request["form"] == {"grant_type": "client_credentials", "client_id": edx.client_id,
                                     "client_secret": edx.client_secret, "token_type": "jwt"}
    assert edx.requests("GET")[0]["authorization"].startswith("JWT ")


def test_a_course_missing_is_false_but_a_missing_api_is_an_error(edx):
    client = StudioClient(settings_for(edx))
    assert client.course_exists(COURSE) is False

    wrong = StudioClient(settings_for(edx, studio_url=edx.lms_url))
    with pytest.raises(StudioError) as caught:
        wrong.course_exists(COURSE)
    assert caught.value.kind == "endpoint_missing" and caught.value.status == 404


def test_the_upload_is_refused_a_second_time_in_one_client(edx, archive):
    edx.add_course(COURSE)
    client = StudioClient(settings_for(edx))
    task_id = client.start_import(COURSE, archive)
    assert task_id in edx.tasks

    with pytest.raises(RuntimeError):
        client.start_import(COURSE, archive)
    assert len(edx.requests("POST", "/api/courses/v0/import/")) == 1


def test_a_failed_upload_is_not_repeated_by_the_client(edx, archive):
    edx.add_course(COURSE)
    edx.faults.upload_status = 503
    client = StudioClient(settings_for(edx), sleep=lambda s: None)

    with pytest.raises(StudioError) as caught:
        client.start_import(COURSE, archive)

    assert caught.value.kind == "server" and caught.value.maybe_started is True
    assert len(edx.requests("POST", "/api/courses/v0/import/")) == 1


def test_multipart_body_is_what_a_django_parser_reads_and_progress_counts_every_byte(tmp_path):
    path = tmp_path / "kurs.tar.gz"
    payload = bytes(range(256)) * 1000
    path.write_bytes(payload)
    seen = []
    body = _MultipartFile(path, "course_data", "kurs.tar.gz", lambda sent, total: seen.append((sent, total)))
    raw = b"".join(iter(lambda: body.read(8192), b""))
    body.close()

    assert len(raw) == len(body) == body.total
    assert seen[-1] == (body.total, body.total)
    assert [sent for sent, _total in seen] == sorted(sent for sent, _total in seen)
    assert _multipart_file(body.content_type, raw, "course_data") == ("kurs.tar.gz", payload)


def test_status_retries_are_bounded_and_spaced_by_exponential_backoff(edx):
    edx.add_course(COURSE)
    edx.faults.status_errors = [503] * 10
    delays = []
    client = StudioClient(settings_for(edx, retries=3, backoff=1.0, backoff_max=3.0), sleep=delays.append)

    with pytest.raises(StudioError) as caught:
        client.import_state(COURSE, "task", "kurs.tar.gz")

    assert caught.value.kind == "server" and caught.value.status == 503
    assert delays == [1.0, 2.0, 3.0]
    assert len(edx.requests("GET", "/api/courses/v0/import/")) == 4


def test_an_expired_token_gets_one_renewal_then_an_auth_error(edx):
    edx.add_course(COURSE)
    edx.faults.token_expires_in = -1  # every token the LMS issues is already expired
    client = StudioClient(settings_for(edx), sleep=lambda s: None)

    with pytest.raises(StudioError) as caught:
        client.course_exists(COURSE)

    assert caught.value.kind == "auth" and "Token has expired." in caught.value.detail
    assert len(edx.requests("GET", "/api/contentstore/v1/course_details/")) == 2


def test_course_keys_are_split_and_checked():
    assert split_course_id("course-v1:KKN+NOV101+2026") == ("KKN", "NOV101", "2026")
    for bad in ("KKN/NOV101/2026", "course-v1:KKN+NOV101", "course-v1:KKN+NOV 101+2026", "", None):
        with pytest.raises(ValueError):
            split_course_id(bad)
