"""A fake Open edX (LMS + Studio) on 127.0.0.1 that answers the push's API calls as upstream does.

Two real HTTP servers on loopback ports share one state: the LMS issues tokens and lists blocks,
Studio (the CMS) imports, reports task state and validates. Each route cites the upstream file
whose request and response shapes it follows (openedx/openedx-platform unless stated). The
import is real in the way that matters here: the uploaded archive is unpacked and its OLX tree
walked (course > chapter > sequential > vertical > components, pointers followed), so what the
fake reports is what was actually sent, minus what a test tells it to drop.

Fault knobs live on :class:`Faults`; :attr:`FakeOpenEdx.log` records every request so tests can
assert what was (and was not) sent, e.g. that an upload happened exactly once.
"""
import io
import json
import re
import secrets
import socket
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lxml import etree

CONTAINERS = ("course", "chapter", "sequential", "vertical")
# UserTaskStatus states an import passes through (cms/djangoapps/contentstore/tasks.py import_olx:
# set_state('Unpacking'), 'Verifying', 'Updating'; user_tasks: Pending, Succeeded, Failed).
IMPORT_STATES = ("Pending", "Unpacking", "Verifying", "Updating")
COURSE_RE = r"course-v1:[^/+]+\+[^/+]+\+[^/+]+"


@dataclass
class User:
    username: str
    is_staff: bool = False
    # course id -> role ("staff", "instructor", or "read" for a read-only Studio role), as
    # student_courseaccessrole.
    roles: dict = field(default_factory=dict)


@dataclass
class Course:
    course_id: str
    # What Studio (draft = published after an import) holds, and what the LMS shows (its
    # block-structure cache, refreshed by a background task after publishing).
    blocks: list = field(default_factory=list)
    policy: dict = field(default_factory=dict)
    lms_blocks: list | None = None
    lms_pending: list | None = None
    lms_lag: int = 0


@dataclass
class Task:
    task_id: str
    course_id: str
    filename: str
    user: str
    outcome: str  # "Succeeded" or "Failed"
    result: tuple | None  # (blocks, policy) to install on success
    polls: int = 0


@dataclass
class Faults:
    """What the fake does wrong; every knob defaults to a healthy Open edX."""

    token_status: int | None = None  # answer every token request with this status
    token_expires_in: int = 3600
    expire_tokens_after_polls: int | None = None  # after N status polls every issued token expires
    proxy_max_body: int | None = None  # a proxy in front of Studio: 413 above this Content-Length
    upload_status: int | None = None  # answer the upload with this status (502, 504, 500, ...)
    upload_drop_after: int | None = None  # close the connection after reading N body bytes
    upload_delay: float = 0.0  # seconds to sit on the upload before answering
    upload_stall_after: int | None = None  # stop reading the body after N bytes, for 3 s
    status_errors: list = field(default_factory=list)  # statuses for the next status polls, in order
    status_delay: list = field(default_factory=list)  # seconds to stall the next status polls, in order
    polls_per_state: int = 1
    fail_import: bool = False
    drop_components: dict = field(default_factory=dict)  # block type -> how many the import loses
    lms_lag: int = 0  # blocks requests that still see the previous structure after an import
    blocks_status: int | None = None
    validation_status: int | None = None
    course_details_status: int | None = None


class FakeOpenEdx:
    """Start with ``with FakeOpenEdx() as edx:``; ``edx.lms_url`` and ``edx.studio_url`` are loopback."""

    def __init__(self, client_id="kkn-course-push", client_secret="s3cr3t-client-value", username="kkn_push"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.users = {username: User(username)}
        self.app_user = username
        self.courses = {}
        self.tasks = {}
        self.tokens = {}  # token -> (username, expires_at)
        self.uploads = {}  # task id -> bytes received
        self.faults = Faults()
        self.log = []
        self.status_polls = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._servers = []
        self.lms_url = self.studio_url = None

    # -- set-up ---------------------------------------------------------------------------------

    def add_course(self, course_id, role="staff"):
        """An existing (empty) course the push user has ``role`` on (None: no role)."""
        self.courses[course_id] = Course(course_id, lms_blocks=[])
        if role:
            self.users[self.app_user].roles[course_id] = role
        return self.courses[course_id]

    def __enter__(self):
        for name in ("lms", "cms"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self, name))
            server.daemon_threads = True
            server.handle_error = lambda request, address: None  # dropped connections are on purpose
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._servers.append((server, thread))
            url = f"http://127.0.0.1:{server.server_address[1]}"
            if name == "lms":
                self.lms_url = url
            else:
                self.studio_url = url
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(5)

    def requests(self, method=None, path_part=""):
        return [entry for entry in self.log
                if (method is None or entry["method"] == method) and path_part in entry["path"]]

    def stall(self, seconds):
        """Sleep, but end early when the fake shuts down."""
        self._stop.wait(seconds)

    # -- access rules (common/djangoapps/student/auth.py) ----------------------------------------

    def author(self, username, course_id):
        """has_course_author_access: global staff, or a staff/instructor role on the course.
        For a course that does not exist only global staff pass."""
        user = self.users.get(username)
        return bool(user) and (user.is_staff or user.roles.get(course_id) in ("staff", "instructor"))

    def reader(self, username, course_id):
        """has_studio_read_access: authors, plus read-only course roles ("read" here)."""
        user = self.users.get(username)
        return self.author(username, course_id) or (bool(user) and user.roles.get(course_id) == "read")

    # -- the import ------------------------------------------------------------------------------

    def run_import(self, course_id, data):
        """(outcome, (blocks, policy)) for an uploaded archive, as import_olx would end."""
        if course_id not in self.courses:
            # import_olx reads courselike_block.entrance_exam_enabled of a missing course and
            # fails with "Unknown error while unpacking".
            return "Failed", None
        if self.faults.fail_import:
            return "Failed", None
        try:
            blocks, policy = read_olx(data)
        except (tarfile.TarError, KeyError, etree.XMLSyntaxError, ValueError, EOFError):
            return "Failed", None
        for kind, how_many in self.faults.drop_components.items():
            # xml_importer logs and skips a child it cannot load; the import still succeeds.
            for _ in range(how_many):
                victim = next((b for b in blocks if b["type"] == kind), None)
                if victim:
                    blocks.remove(victim)
        return "Succeeded", (blocks, policy)


def read_olx(data):
    """Walk an OLX archive: a list of blocks ``{"type", "block_id", "display_name", "graded",
    "format", "due"}`` in tree order, and the course policy."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        files = {m.name: m for m in tar.getmembers() if m.isfile()}
        tops = [name for name in files if name.count("/") == 1 and name.endswith("/course.xml")]
        if len(tops) != 1:
            raise KeyError("course.xml")
        top = tops[0].split("/")[0]

        def read(name):
            return tar.extractfile(files[name]).read()

        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        course_ref = etree.fromstring(read(tops[0]), parser)
        run = course_ref.get("url_name")
        policy_name = f"{top}/policies/{run}/policy.json"
        policies = json.loads(read(policy_name)) if policy_name in files else {}
        grading_name = f"{top}/policies/{run}/grading_policy.json"
        grading = json.loads(read(grading_name)) if grading_name in files else {}
        blocks = []

        def element_for(tag, url_name):
            name = f"{top}/{tag}/{url_name}.xml"
            return etree.fromstring(read(name), parser) if name in files else None

        def visit(element, tag, url_name):
            settings = {**element.attrib, **policies.get(f"{tag}/{url_name}", {})}
            blocks.append({"type": tag, "block_id": url_name, "display_name": settings.get("display_name", ""),
                           "graded": str(settings.get("graded", "")).lower() == "true",
                           "format": settings.get("format"), "due": settings.get("due")})
            if tag not in CONTAINERS:
                return
            for child in element:
                if not isinstance(child.tag, str):
                    continue
                child_url = child.get("url_name") or uuid.uuid4().hex
                if set(child.attrib) == {"url_name"} and len(child) == 0:
                    # A pointer: the block's definition is in its own file (the html pair form's
                    # html/x.xml included).
                    target = element_for(child.tag, child_url)
                    visit(target if target is not None else child, child.tag, child_url)
                else:
                    visit(child, child.tag, child_url)

        root = element_for("course", run)
        if root is None:
            raise KeyError("course root")
        visit(root, "course", run)
        policy = policies.get(f"course/{run}", {})
        policy["_grading"] = grading
        return blocks, policy


def _iso(value):
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def validation_of(course):
    """CourseValidationView.get with all=true (cms/djangoapps/contentstore/api/views/course_validation.py)."""
    policy = course.policy
    start, end = _iso(policy.get("start")), _iso(policy.get("end"))
    sequentials = [b for b in course.blocks if b["type"] == "sequential"]
    dated = [b for b in sequentials if _iso(b.get("due"))]
    grader = (policy.get("_grading") or {}).get("GRADER") or []
    return {
        "is_self_paced": bool(policy.get("self_paced")),
        "dates": {"has_start_date": start is not None, "has_end_date": end is not None},
        "assignments": {
            "total_number": len(sequentials),
            "total_visible": len(sequentials),
            "assignments_with_dates_before_start": [
                {"id": b["block_id"], "display_name": b["display_name"]} for b in dated if start and _iso(b["due"]) < start],
            "assignments_with_dates_after_end": [
                {"id": b["block_id"], "display_name": b["display_name"]} for b in dated if end and _iso(b["due"]) > end],
            "assignments_with_ora_dates_before_start": [],
            "assignments_with_ora_dates_after_end": [],
        },
        "grades": {"has_grading_policy": bool(grader), "sum_of_weights": sum(float(g.get("weight", 0)) for g in grader)},
        "certificates": {"is_activated": False, "has_certificate": False, "is_enabled": False},
        "updates": {"has_update": False},
        "proctoring": {"needs_proctoring_escalation_email": False, "has_proctoring_escalation_email": False},
    }


def _handler_class(edx, side):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        # -- plumbing ---------------------------------------------------------------------------

        def _entry(self):
            parts = urlsplit(self.path)
            entry = {"side": side, "method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                     "authorization": self.headers.get("Authorization", ""), "body_bytes": 0}
            with edx._lock:
                edx.log.append(entry)
            return parts, entry

        def _send(self, status, payload=None, content_type="application/json", body=None):
            if body is None:
                body = json.dumps(payload).encode("utf-8") if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self, entry, limit=None):
            length = int(self.headers.get("Content-Length") or 0)
            to_read = length if limit is None else min(length, limit)
            chunks, got = [], 0
            while got < to_read:
                chunk = self.rfile.read(min(65536, to_read - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            entry["body_bytes"] = got
            return b"".join(chunks)

        def _user(self):
            """JwtAuthentication: ``Authorization: JWT <token>``; None when missing or expired."""
            header = self.headers.get("Authorization", "")
            if not header.startswith("JWT "):
                return None, "Authentication credentials were not provided."
            token = header[4:]
            with edx._lock:
                record = edx.tokens.get(token)
            if record is None:
                return None, "Invalid token."
            username, expires_at = record
            if time.time() >= expires_at:
                # drf-jwt's JSONWebTokenAuthentication message for an expired token.
                return None, "Token has expired."
            return username, None

        def _developer_error(self, status, message, error_code=None):
            """DeveloperErrorViewMixin._make_error_response (openedx/core/lib/api/view_utils.py)."""
            payload = {"developer_message": message}
            if error_code:
                payload["error_code"] = error_code
            self._send(status, payload)

        # -- routing ----------------------------------------------------------------------------

        def _route(self, routes):
            parts, entry = self._entry()
            for pattern, name in routes:
                match = re.fullmatch(pattern, parts.path)
                if match:
                    return getattr(self, name)(entry, *match.groups())
            if self.command == "POST":
                self._body(entry)  # read what was sent before answering
            return self._send(404, body=b"<h1>Not Found</h1>", content_type="text/html")

        def do_GET(self):  # noqa: N802 (http.server's naming)
            return self._route(LMS_GET if side == "lms" else CMS_GET)

        def do_POST(self):  # noqa: N802
            return self._route(LMS_POST if side == "lms" else CMS_POST)

        # -- LMS --------------------------------------------------------------------------------

        def token(self, entry):
            """POST /oauth2/access_token: django-oauth-toolkit TokenView through
            openedx/core/djangoapps/oauth_dispatch/views.py AccessTokenView (token_type=jwt turns
            the answer into {"access_token", "expires_in", "token_type": "JWT", "scope"})."""
            form = parse_qs(self._body(entry).decode("utf-8"))
            value = {key: values[0] for key, values in form.items()}
            entry["form"] = value
            if edx.faults.token_status:
                return self._send(edx.faults.token_status, {"error": "server_error"}
                                  if edx.faults.token_status >= 500 else {"error": "invalid_client"})
            if value.get("client_id") != edx.client_id or value.get("client_secret") != edx.client_secret:
                return self._send(401, {"error": "invalid_client"})
            if value.get("grant_type") != "client_credentials":
                return self._send(400, {"error": "unsupported_grant_type"})
            token = secrets.token_urlsafe(24)
            with edx._lock:
                edx.tokens[token] = (edx.app_user, time.time() + edx.faults.token_expires_in)
            token_type = "JWT" if value.get("token_type", "").lower() == "jwt" else "Bearer"
            return self._send(200, {"access_token": token, "expires_in": edx.faults.token_expires_in,
                                    "token_type": token_type, "scope": "read write email profile"})

        def blocks(self, entry):
            """GET /api/courses/v2/blocks/ (lms/djangoapps/course_api/blocks/views.py
            BlocksInCourseView): all_blocks=true needs course staff access; an unknown course
            is a 404 "Block not found"."""
            username, problem = self._user()
            if username is None:
                return self._developer_error(401, problem)
            if edx.faults.blocks_status:
                return self._developer_error(edx.faults.blocks_status, "injected failure")
            query = {key: values[0] for key, values in entry["query"].items()}
            course_id = query.get("course_id")
            if not course_id:
                return self._developer_error(400, "course_id is required.")
            user = edx.users[username]
            if query.get("all_blocks") == "true" and not (user.is_staff or user.roles.get(course_id)):
                return self._developer_error(403, "This user does not have access to all blocks.")
            course = edx.courses.get(course_id)
            with edx._lock:
                if course is not None and course.lms_pending is not None:
                    if course.lms_lag > 0:
                        course.lms_lag -= 1
                    else:
                        course.lms_blocks, course.lms_pending = course.lms_pending, None
                shown = None if course is None else course.lms_blocks
            if shown is None:
                return self._developer_error(404, f"Block not found: {course_id}")
            org_num_run = course_id.split(":", 1)[1]
            listed = [{"id": f"block-v1:{org_num_run}+type@course+block@course", "block_id": "course",
                       "type": "course", "display_name": course.policy.get("display_name", "")}]
            requested = set((query.get("requested_fields") or "").split(","))
            for block in shown:
                if block["type"] == "course":
                    continue
                item = {"id": f"block-v1:{org_num_run}+type@{block['type']}+block@{block['block_id']}",
                        "block_id": block["block_id"], "type": block["type"], "display_name": block["display_name"]}
                # serializers.py BlockSerializer: a requested field is returned only when it is not None.
                for name in ("graded", "format"):
                    if name in requested and block[name] is not None:
                        item[name] = block[name]
                listed.append(item)
            if query.get("return_type") == "list":
                return self._send(200, listed)
            return self._send(200, {"root": listed[0]["id"], "blocks": {b["id"]: b for b in listed}})

        # -- Studio -----------------------------------------------------------------------------

        def course_details(self, entry, course_id):
            """GET /api/contentstore/v1/course_details/{course_id}
            (cms/djangoapps/contentstore/rest_api/v1/views/course_details.py): verify_course_exists
            404s an unknown course, has_studio_read_access 403s the rest."""
            username, problem = self._user()
            if username is None:
                return self._developer_error(401, problem)
            if edx.faults.course_details_status:
                return self._developer_error(edx.faults.course_details_status, "injected failure")
            if course_id not in edx.courses:
                return self._developer_error(404, f"Unknown course {course_id}", "course_does_not_exist")
            if not edx.reader(username, course_id):
                return self._send(403, {"detail": "You do not have permission to perform this action."})
            org, number, run = course_id.split(":", 1)[1].split("+")
            return self._send(200, {"org": org, "course_id": number, "run": run, "title": "",
                                    "start_date": edx.courses[course_id].policy.get("start")})

        def course_runs_create(self, entry):
            """POST /api/v1/course_runs/ (cms/djangoapps/api/v1/views/course_runs.py,
            serializers/course_runs.py): IsAdminUser, CourseRunCreateSerializer, 201."""
            username, problem = self._user()
            body = self._body(entry)
            if username is None:
                return self._send(401, {"detail": problem})
            if not edx.users[username].is_staff:
                return self._send(403, {"detail": "You do not have permission to perform this action."})
            try:
                data = json.loads(body)
            except ValueError:
                return self._send(400, {"detail": "JSON parse error"})
            missing = {key: ["This field is required."] for key in ("title", "org", "number", "run") if not data.get(key)}
            if missing:
                return self._send(400, missing)
            course_id = f"course-v1:{data['org']}+{data['number']}+{data['run']}"
            if course_id in edx.courses:
                return self._send(400, {"run": [f"Course run {course_id} already exists"]})
            course = Course(course_id, lms_blocks=[])
            course.policy = {"display_name": data["title"], **(data.get("schedule") or {})}
            edx.courses[course_id] = course
            # create_new_course -> add_instructor: the creator gets the instructor role.
            edx.users[username].roles[course_id] = "instructor"
            entry["json"] = data
            schedule = data.get("schedule") or {}
            return self._send(201, {"id": course_id, "title": data["title"], "org": data["org"],
                                    "number": data["number"], "run": data["run"],
                                    "schedule": {"start": schedule.get("start"), "end": schedule.get("end"),
                                                 "enrollment_start": None, "enrollment_end": None},
                                    "pacing_type": data.get("pacing_type", "instructor_paced"),
                                    "team": [{"user": username, "role": "instructor"}],
                                    "images": {"card_image": f"{edx.studio_url}/static/images/pencils.jpg"}})

        def import_post(self, entry, course_id):
            """POST /api/courses/v0/import/{course_id}/ (cms/djangoapps/contentstore/api/views/
            course_import.py): course_author_access_required -> 403 user_permissions; the file in
            multipart field course_data; every other problem becomes a 500 internal_error."""
            faults = edx.faults
            length = int(self.headers.get("Content-Length") or 0)
            if faults.upload_drop_after is not None:
                self._body(entry, limit=faults.upload_drop_after)
                # The connection dies mid-upload: no answer, the socket is simply gone.
                self.close_connection = True
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return None
            if faults.upload_stall_after is not None:
                self._body(entry, limit=faults.upload_stall_after)
                edx.stall(3)
                self.close_connection = True
                return None
            if faults.proxy_max_body is not None and length > faults.proxy_max_body:
                # nginx/Caddy in front: client_max_body_size / request_body max_size. They read
                # (and discard) the body before answering, so the client sees the 413.
                self._body(entry)
                return self._send(413, content_type="text/html", body=(
                    b"<html><head><title>413 Request Entity Too Large</title></head><body>"
                    b"<center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center>"
                    b"</body></html>"))
            body = self._body(entry)
            if faults.upload_delay:
                edx.stall(faults.upload_delay)
            if faults.upload_status in (502, 503, 504):
                reason = {502: b"Bad Gateway", 503: b"Service Unavailable", 504: b"Gateway Time-out"}
                return self._send(faults.upload_status, content_type="text/html",
                                  body=b"<html><body><h1>%d %s</h1></body></html>" % (
                                      faults.upload_status, reason[faults.upload_status]))
            username, problem = self._user()
            if username is None:
                return self._developer_error(401, problem)
            if not edx.author(username, course_id):
                return self._developer_error(403, "The requesting user does not have course author permissions.",
                                             "user_permissions")
            if faults.upload_status:
                return self._developer_error(faults.upload_status, "[Errno 28] No space left on device",
                                             "internal_error")
            upload = _multipart_file(self.headers.get("Content-Type", ""), body, "course_data")
            if upload is None:
                # api_error(400, 'Missing required parameter') raised inside the view's try is
                # caught by its broad except and re-raised as a 500 with str(e) == "".
                return self._developer_error(500, "", "internal_error")
            filename, data = upload
            if not filename.endswith((".tar.gz", ".zip")):
                return self._developer_error(500, "", "internal_error")
            task_id = str(uuid.uuid4())
            outcome, result = edx.run_import(course_id, data)
            with edx._lock:
                edx.tasks[task_id] = Task(task_id, course_id, filename, username, outcome, result)
                edx.uploads[task_id] = data
            return self._send(200, {"task_id": task_id})

        def import_get(self, entry, course_id):
            """GET /api/courses/v0/import/{course_id}/?task_id=&filename= (course_import.py):
            UserTaskStatus found by name "Import of {key} from {filename}" and task id; an
            unknown one makes ``task_status.state`` fail, which the view turns into a 500."""
            faults = edx.faults
            with edx._lock:
                edx.status_polls += 1
                polls = edx.status_polls
                injected = faults.status_errors.pop(0) if faults.status_errors else None
                delay = faults.status_delay.pop(0) if faults.status_delay else 0
                if faults.expire_tokens_after_polls is not None and polls > faults.expire_tokens_after_polls:
                    faults.expire_tokens_after_polls = None
                    for token, (user, _expires) in list(edx.tokens.items()):
                        edx.tokens[token] = (user, 0)
            if delay:
                edx.stall(delay)
            if injected:
                if injected >= 500 and injected != 500:
                    return self._send(injected, content_type="text/html",
                                      body=b"<html><body><h1>%d</h1></body></html>" % injected)
                return self._developer_error(injected, "injected failure", "internal_error")
            username, problem = self._user()
            if username is None:
                return self._developer_error(401, problem)
            if not edx.author(username, course_id):
                return self._developer_error(403, "The requesting user does not have course author permissions.",
                                             "user_permissions")
            query = {key: values[0] for key, values in entry["query"].items()}
            if "task_id" not in query or "filename" not in query:
                return self._developer_error(500, f"'{'task_id' if 'task_id' not in query else 'filename'}'",
                                             "internal_error")
            with edx._lock:
                task = edx.tasks.get(query["task_id"])
                if task is None or task.course_id != course_id or task.filename != query["filename"]:
                    task = None
                else:
                    task.polls += 1
                    step = (task.polls - 1) // max(1, faults.polls_per_state)
                    if step < len(IMPORT_STATES):
                        state = IMPORT_STATES[step]
                    else:
                        state = task.outcome
                        if task.outcome == "Succeeded" and task.result is not None:
                            course = edx.courses[course_id]
                            course.blocks, course.policy = task.result
                            # course_published -> the LMS refreshes its cache later.
                            course.lms_pending = list(course.blocks)
                            course.lms_lag = faults.lms_lag
                            task.result = None
            if task is None:
                return self._developer_error(500, "'NoneType' object has no attribute 'state'", "internal_error")
            return self._send(200, {"state": state})

        def validation(self, entry, course_id):
            """GET /api/courses/v1/validation/{course_id}/?all=true (course_validation.py)."""
            username, problem = self._user()
            if username is None:
                return self._developer_error(401, problem)
            if edx.faults.validation_status:
                return self._developer_error(edx.faults.validation_status, "injected failure")
            # authz_permission_required(COURSES_VIEW_COURSE, LegacyAuthoringPermission.READ).
            if not edx.reader(username, course_id):
                return self._send(403, {"detail": "You do not have permission to perform this action."})
            course = edx.courses.get(course_id)
            if course is None:
                return self._developer_error(404, f"Unknown course {course_id}")
            payload = validation_of(course)
            if entry["query"].get("all") != ["true"]:
                payload = {"is_self_paced": payload["is_self_paced"]}
            return self._send(200, payload)

    return Handler


def _multipart_file(content_type, body, field_name):
    """(filename, bytes) of one file field of a multipart/form-data body, or None."""
    if not content_type.startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field_name and part.get_filename():
            return part.get_filename(), part.get_payload(decode=True)
    return None


# (regex on the path, handler method)
LMS_GET = [(r"/api/courses/v2/blocks/", "blocks")]
LMS_POST = [(r"/oauth2/access_token/?", "token")]
CMS_GET = [(rf"/api/contentstore/v1/course_details/({COURSE_RE})", "course_details"),
           (rf"/api/courses/v0/import/({COURSE_RE})/", "import_get"),
           (rf"/api/courses/v1/validation/({COURSE_RE})/", "validation")]
CMS_POST = [(r"/api/v1/course_runs/", "course_runs_create"),
            (rf"/api/courses/v0/import/({COURSE_RE})/", "import_post")]
