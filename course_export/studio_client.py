"""HTTP client for the Open edX APIs the push uses, with their upstream shapes.

Every call names the upstream file its request and response follow (openedx/openedx-platform
unless stated):

* token: ``POST {LMS}/oauth2/access_token`` with ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``, ``token_type=jwt`` -> ``{"access_token", "expires_in", "token_type": "JWT",
  "scope"}``; a bad client is ``401 {"error": "invalid_client"}`` (django-oauth-toolkit's
  TokenView, wrapped by openedx/core/djangoapps/oauth_dispatch/views.py ``AccessTokenView``).
  The token is sent as ``Authorization: JWT <token>`` (edx-drf-extensions
  edx_rest_framework_extensions/auth/jwt/authentication.py).
* course exists: ``GET {CMS}/api/contentstore/v1/course_details/{course_id}`` -> 200, or 404
  ``{"developer_message", "error_code": "course_does_not_exist"}`` (rest_api/v1/views/
  course_details.py with ``verify_course_exists`` from openedx/core/lib/api/view_utils.py), 403
  without Studio access. The import API cannot tell "no such course" apart: for a course that does
  not exist it answers 403 to everyone but global staff (``has_course_author_access``).
* create: ``POST {CMS}/api/v1/course_runs/`` ``{"title", "org", "number", "run", "schedule":
  {"start", "end"}, "pacing_type"}`` -> 201; global staff only (``permissions.IsAdminUser``),
  cms/djangoapps/api/v1/views/course_runs.py and serializers/course_runs.py.
* import: ``POST {CMS}/api/courses/v0/import/{course_id}/`` multipart field ``course_data`` ->
  ``{"task_id"}``; status ``GET`` same URL ``?task_id=..&filename=..`` -> ``{"state"}`` with
  UserTaskStatus states Pending, Unpacking, Verifying, Updating, Succeeded, Failed, Canceled,
  Retrying (cms/djangoapps/contentstore/api/views/course_import.py, tasks.py ``import_olx``).
  Every error there, even a bad request, comes back as 500 ``{"developer_message",
  "error_code": "internal_error"}`` except the author check's 403 ``user_permissions``
  (api/views/utils.py ``course_author_access_required``).
* validation: ``GET {CMS}/api/courses/v1/validation/{course_id}/?all=true`` -> ``{"is_self_paced",
  "dates", "assignments", "grades", "certificates", "updates", "proctoring"}``
  (contentstore/api/views/course_validation.py).
* blocks: ``GET {LMS}/api/courses/v2/blocks/?course_id=..&all_blocks=true&depth=all
  &return_type=list&requested_fields=graded,format`` -> a list of ``{"id", "block_id", "type",
  "display_name", "graded", "format", ...}`` (lms/djangoapps/course_api/blocks/views.py
  ``BlocksInCourseView``). The validation API has no per-type counts, and an import can drop a
  component while reporting success, so this is where the components are counted.

Retries: only requests that change nothing (the token, status polls, GETs) are retried, with
exponential backoff. The upload is sent exactly once per :class:`StudioClient`: a second call
raises, and urllib3's own retries are off.
"""
import os
import re
import time
import uuid
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

TERMINAL_STATES = ("Succeeded", "Failed", "Canceled")
# Raised by the view for an unknown task: ``task_status`` is None and ``.state`` fails.
_UNKNOWN_TASK_HINT = "'NoneType' object has no attribute 'state'"
_CHUNK = 64 * 1024


@dataclass(eq=False)
class StudioError(Exception):
    """A failed call, classified so the push can explain it.

    ``kind`` is one of: ``auth`` (401/credentials), ``forbidden`` (403), ``not_found`` (404 for a
    course), ``endpoint_missing`` (404/405 where the API should be: wrong base URL or an older
    Open edX), ``too_large`` (413), ``bad_request`` (400), ``server`` (5xx), ``timeout``,
    ``network`` (refused, reset, dropped), ``bad_response`` (an answer that is not the API's
    shape), ``unknown_task`` (the status view does not know the task).
    """

    kind: str
    step: str
    status: int | None = None
    detail: str = ""
    url: str = ""
    # For the upload only: True when the request may have reached Studio (so an import may run).
    maybe_started: bool = False

    def __str__(self):
        parts = [f"{self.step}: {self.kind}"]
        if self.status:
            parts.append(f"HTTP {self.status}")
        if self.detail:
            parts.append(self.detail)
        return " - ".join(parts)


def _detail(response):
    """The server's own explanation, short and safe to show (never request data)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("developer_message", "detail", "error_description", "error", "message"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value[:500]
        field_errors = data.get("field_errors")
        if isinstance(field_errors, dict):
            return "; ".join(f"{name}: {value.get('developer_message', value)}" if isinstance(value, dict)
                             else f"{name}: {value}" for name, value in field_errors.items())[:500]
        return "; ".join(f"{key}: {value}" for key, value in data.items())[:500]
    text = re.sub(r"<[^>]+>", " ", response.text or "")
    return " ".join(text.split())[:200]


def _is_json(response):
    try:
        return isinstance(response.json(), (dict, list))
    except ValueError:
        return False


def _classify(response, step, missing_kind="endpoint_missing"):
    """Map an HTTP error answer to a :class:`StudioError` kind.

    A 404 means "no such thing" (``missing_kind``) only when it is the API's own JSON answer; an
    HTML 404 comes from a server that has no such route at all.
    """
    status = response.status_code
    detail = _detail(response)
    if status == 401:
        kind = "auth"
    elif status == 403:
        kind = "forbidden"
    elif status == 404 and _is_json(response):
        kind = missing_kind
    elif status in (404, 405):
        kind = "endpoint_missing"
    elif status == 413:
        kind = "too_large"
    elif status in (408, 429):
        kind = "server"
    elif status >= 500:
        kind = "server"
    elif status >= 400:
        kind = "bad_request"
    else:
        kind = "bad_response"
    return StudioError(kind, step, status, detail, response.url)


def _retryable(error):
    return error.kind in ("server", "timeout", "network")


class _MultipartFile:
    """A ``multipart/form-data`` body with one file field, read from disk in chunks.

    Streaming keeps memory flat for a 250 MB archive, and counting what http.client reads is what
    drives the progress bar. ``__len__`` lets requests send a Content-Length, which proxies need to
    reject an oversize body up front.
    """

    def __init__(self, path, field, filename, on_progress=None):
        self.boundary = uuid.uuid4().hex
        safe_name = filename.replace("\\", "_").replace('"', "_")
        self._head = (f"--{self.boundary}\r\n"
                      f'Content-Disposition: form-data; name="{field}"; filename="{safe_name}"\r\n'
                      "Content-Type: application/gzip\r\n\r\n").encode("ascii", "replace")
        self._tail = f"\r\n--{self.boundary}--\r\n".encode("ascii")
        self._size = os.path.getsize(path)
        self._file = open(path, "rb")  # pylint: disable=consider-using-with
        self._stage = 0  # 0 head, 1 file, 2 tail, 3 done
        self._sent = 0
        self._on_progress = on_progress
        self.total = len(self._head) + self._size + len(self._tail)

    @property
    def content_type(self):
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self):
        return self.total

    def read(self, size=-1):
        size = _CHUNK if size is None or size < 0 else max(size, 1)
        chunk = b""
        if self._stage == 0:
            chunk, self._stage = self._head, 1
        elif self._stage == 1:
            chunk = self._file.read(size)
            if not chunk:
                chunk, self._stage = self._tail, 3
        if chunk:
            self._sent += len(chunk)
            if self._on_progress:
                self._on_progress(self._sent, self.total)
        return chunk

    def close(self):
        self._file.close()


class StudioClient:
    """One push's conversation with the LMS (token, blocks) and Studio (everything else)."""

    def __init__(self, settings, *, sleep=time.sleep, clock=time.monotonic, on_retry=None):
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._on_retry = on_retry or (lambda error, attempt, delay: None)
        self._session = self._new_session()
        self._token = None
        self._token_type = "JWT"
        self._token_expires = 0.0
        self._upload_sent = False

    @staticmethod
    def _new_session():
        session = requests.Session()
        # No transport-level retries: this class decides what may be repeated.
        adapter = HTTPAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = "kkn-course-push"
        return session

    def close(self):
        self._session.close()

    # -- plumbing --------------------------------------------------------------------------------

    def _timeout(self, read=None):
        return (self.settings.connect_timeout, read or self.settings.read_timeout)

    def _send(self, step, method, url, **kwargs):
        """One HTTP exchange; transport failures become :class:`StudioError`."""
        kwargs.setdefault("timeout", self._timeout())
        try:
            return self._session.request(method, url, **kwargs)
        except requests.RequestException as error:
            raise _transport_error(error, step, url) from None

    def _with_retries(self, call):
        """Run a call that changes nothing, retrying transient failures with backoff."""
        attempt = 0
        while True:
            try:
                return call()
            except StudioError as error:
                if not _retryable(error) or attempt >= self.settings.retries:
                    raise
                delay = min(self.settings.backoff * (2 ** attempt), self.settings.backoff_max)
                attempt += 1
                self._on_retry(error, attempt, delay)
                self._sleep(delay)

    # -- token -----------------------------------------------------------------------------------

    def authenticate(self):
        """Get a JWT for the OAuth2 client (retried: asking for a token changes nothing)."""
        self._with_retries(self._fetch_token)

    def _fetch_token(self):
        url = f"{self.settings.lms_url}/oauth2/access_token"
        response = self._send("token", "POST", url, data={
            "grant_type": "client_credentials",
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret.reveal(),
            "token_type": "jwt",
        })
        if response.status_code in (400, 401):
            # DOT answers a wrong id or secret with 401 invalid_client; 400 for a client that is
            # not allowed the client-credentials grant.
            raise StudioError("auth", "token", response.status_code, _detail(response), url)
        if response.status_code != 200:
            raise _classify(response, "token")
        try:
            data = response.json()
            token = data["access_token"]
            expires_in = float(data["expires_in"]) if data.get("expires_in") is not None else 300.0
        except (ValueError, KeyError, TypeError):
            raise StudioError("bad_response", "token", 200, _detail(response)[:120], url) from None
        if not isinstance(token, str) or not token:
            raise StudioError("bad_response", "token", 200, "", url)
        self._token = token
        # A Bearer token comes back when the LMS refuses JWTs for this client; send what it gave.
        self._token_type = "Bearer" if str(data.get("token_type", "JWT")).lower() == "bearer" else "JWT"
        margin = min(60.0, expires_in / 2)
        self._token_expires = self._clock() + expires_in - margin

    def _auth_headers(self):
        if self._token is None or self._clock() >= self._token_expires:
            self.authenticate()
        return {"Authorization": f"{self._token_type} {self._token}"}

    def _safe_get(self, step, url, params=None, missing_kind="endpoint_missing", refine=None):
        """GET with retries; a 401 gets one fresh token (it may have expired during a long poll).

        ``refine(error)`` may reclassify an error before the retry decision.
        """
        def call():
            refreshed = False
            while True:
                response = self._send(step, "GET", url, params=params, headers=self._auth_headers())
                if response.status_code == 401 and not refreshed:
                    self._token = None
                    refreshed = True
                    continue
                return response

        def checked():
            response = call()
            if response.status_code == 200:
                return response
            error = _classify(response, step, missing_kind)
            if refine:
                refine(error)
            raise error

        return self._with_retries(checked)

    @staticmethod
    def _json(response, step, expected=dict):
        try:
            data = response.json()
        except ValueError:
            raise StudioError("bad_response", step, response.status_code, _detail(response), response.url) from None
        if not isinstance(data, expected):
            raise StudioError("bad_response", step, response.status_code, _detail(response), response.url)
        return data

    # -- course ----------------------------------------------------------------------------------

    def course_exists(self, course_id):
        """True if Studio has the course, False on its ``course_does_not_exist`` 404."""
        url = f"{self.settings.studio_url}/api/contentstore/v1/course_details/{course_id}"
        try:
            self._safe_get("course", url, missing_kind="not_found")
        except StudioError as error:
            if error.kind == "not_found":
                return False
            raise
        return True

    def create_course_run(self, course_id, title, start, end, pacing_type="instructor_paced"):
        """Create an empty course run (global staff only). Not retried: it creates something."""
        org, number, run = split_course_id(course_id)
        url = f"{self.settings.studio_url}/api/v1/course_runs/"
        body = {"title": title, "org": org, "number": number, "run": run,
                "schedule": {"start": start, "end": end}, "pacing_type": pacing_type}
        response = self._send("create", "POST", url, json=body, headers=self._auth_headers())
        if response.status_code == 401:
            self._token = None
            response = self._send("create", "POST", url, json=body, headers=self._auth_headers())
        if response.status_code != 201:
            raise _classify(response, "create")
        return self._json(response, "create")

    # -- import ----------------------------------------------------------------------------------

    def _import_url(self, course_id):
        return f"{self.settings.studio_url}/api/courses/v0/import/{course_id}/"

    def start_import(self, course_id, archive_path, on_progress=None):
        """Upload the archive once and return Studio's task id.

        Never retried, whatever happens: once bytes have left, Studio may have started an import
        and a second upload would start another one over it.
        """
        if self._upload_sent:
            raise RuntimeError("the archive was already sent once in this push")
        headers = self._auth_headers()  # a fresh enough token, so the upload is not wasted on a 401
        self._upload_sent = True
        url = self._import_url(course_id)
        body = _MultipartFile(archive_path, "course_data", os.path.basename(archive_path), on_progress)
        headers["Content-Type"] = body.content_type
        # A connection of its own: a pooled keep-alive connection the server has since closed
        # would fail before Studio saw a byte, and this request must not be repeated.
        session = self._new_session()
        try:
            response = session.post(url, data=body, headers=headers,
                                    timeout=self._timeout(self.settings.upload_timeout))
        except requests.RequestException as error:
            raise _transport_error(error, "upload", url, maybe_started=True) from None
        finally:
            body.close()
            session.close()
        if response.status_code != 200:
            error = _classify(response, "upload")
            # Only an answer from the import view itself says "no import was started"; a gateway
            # timeout or a proxy 5xx may come after Studio has begun.
            error.maybe_started = response.status_code in (502, 503, 504)
            raise error
        data = self._json(response, "upload")
        task_id = data.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise StudioError("bad_response", "upload", 200, _detail(response), url, maybe_started=True)
        return task_id

    def import_state(self, course_id, task_id, filename):
        """The import task's state string (retried; a 401 renews the token)."""
        def refine(error):
            if error.kind == "server" and _UNKNOWN_TASK_HINT in error.detail:
                error.kind = "unknown_task"  # not transient: no retry

        response = self._safe_get("status", self._import_url(course_id),
                                  params={"task_id": task_id, "filename": filename}, refine=refine)
        data = self._json(response, "status")
        state = data.get("state")
        if not isinstance(state, str):
            raise StudioError("bad_response", "status", 200, _detail(response), response.url)
        return state

    # -- verification ----------------------------------------------------------------------------

    def validation(self, course_id):
        url = f"{self.settings.studio_url}/api/courses/v1/validation/{course_id}/"
        return self._json(self._safe_get("validation", url, params={"all": "true"}), "validation")

    def course_blocks(self, course_id):
        """Every block of the published course as the LMS sees it (a list of dicts with ``type``)."""
        url = f"{self.settings.lms_url}/api/courses/v2/blocks/"
        params = {"course_id": course_id, "all_blocks": "true", "depth": "all", "return_type": "list",
                  "requested_fields": "graded,format"}
        data = self._json(self._safe_get("blocks", url, params=params, missing_kind="not_found"), "blocks",
                          expected=(list, dict))
        if isinstance(data, dict):  # return_type=dict on servers that ignore the parameter
            data = list((data.get("blocks") or {}).values())
        return [block for block in data if isinstance(block, dict)]


def _transport_error(error, step, url, maybe_started=False):
    """A failure below HTTP as a :class:`StudioError`: ``timeout`` or ``network``."""
    # A send that times out mid-upload reaches requests as ConnectionError("Connection aborted.",
    # TimeoutError("timed out")), not as requests.Timeout.
    if isinstance(error, requests.Timeout) or "timed out" in str(error):
        return StudioError("timeout", step, None, "timed out", url, maybe_started=maybe_started)
    return StudioError("network", step, None, _connection_reason(error), url, maybe_started=maybe_started)


def _connection_reason(error):
    """A short, secret-free reason for a transport failure (the exception text holds the URL)."""
    text = str(error)
    for needle, reason in (("Connection refused", "connection refused"),
                           ("Connection reset", "connection reset by peer"),
                           ("RemoteDisconnected", "server closed the connection without an answer"),
                           ("Connection aborted", "connection aborted"),
                           ("Broken pipe", "connection broken"),
                           ("Name or service not known", "host name not found"),
                           ("nodename nor servname", "host name not found"),
                           ("Temporary failure in name resolution", "host name not found"),
                           ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted")):
        if needle in text:
            return reason
    return type(error).__name__


COURSE_ID_RE = re.compile(r"^course-v1:([A-Za-z0-9_.~-]+)\+([A-Za-z0-9_.~-]+)\+([A-Za-z0-9_.~-]+)$")


def split_course_id(course_id):
    """``course-v1:ORG+NUM+RUN`` -> ``(ORG, NUM, RUN)``; ValueError for anything else."""
    match = COURSE_ID_RE.match(course_id or "")
    if not match:
        raise ValueError(course_id)
    return match.groups()
