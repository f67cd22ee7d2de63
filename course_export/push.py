"""``kkn-course push``: import a built course archive into Studio and prove it arrived whole.

The flow, top to bottom (:func:`push`):

1. check the archive on disk: name, size, the builder's validation, the course key in
   ``course.xml``, the build manifest beside it; nothing leaves the machine before these pass;
2. get a token from the LMS (OAuth2 client credentials, JWT);
3. make sure the course exists in Studio (``--create`` makes an empty run through the
   course-runs API, which only global staff may use);
4. upload the archive once, with a progress bar;
5. poll the import task until Studio says Succeeded, Failed or Canceled (``--resume TASK_ID``
   starts here for an import an earlier push started);
6. verify: Studio's validation API and the LMS's block list must match the build manifest,
   because Studio reports success even when it silently dropped a component.

Every failure ends with one message that says what went wrong and how to fix it, and a distinct
exit code (:data:`EXIT_CODES`, also in ``docs/operator-guide.md``).
"""
import argparse
import dataclasses
import json
import sys
import tarfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from . import push_config
from .build import NotAProgramme, programme_manifest_path, sha256_of
from .i18n import _
from .push_config import ConfigError
from .studio_client import TERMINAL_STATES, StudioClient, StudioError, split_course_id

# exit code -> slug; the codes are a contract with scripts (docs/operator-guide.md, section 6).
EXIT_CODES = {
    0: "ok",
    2: "settings",
    3: "archive",
    4: "auth",
    5: "forbidden",
    6: "course_missing",
    7: "too_large",
    8: "server",
    9: "network",
    10: "import_failed",
    11: "verify",
    12: "poll_timeout",
    130: "interrupted",
}
EXIT = {slug: code for code, slug in EXIT_CODES.items()}


def exit_code_meanings():
    """What each exit code means, in the reader's language (for --help)."""
    return {
        0: _("pushed and verified"),
        2: _("usage or settings error, or a URL without the expected API"),
        3: _("archive refused before upload (name, size, validation, course key, manifest)"),
        4: _("authentication failed (client id or secret, token refused)"),
        5: _("permission denied (no author rights on the course; --create without global staff)"),
        6: _("the course does not exist in Studio and was not created"),
        7: _("upload refused by Studio or its proxy for size or time limits"),
        8: _("Studio or the LMS failed (5xx after retries, or an answer of the wrong shape)"),
        9: _("network failure: timeout, connection refused or dropped"),
        10: _("Studio reports the import as Failed or Canceled"),
        11: _("the imported course differs from the build"),
        12: _("the import was still running when --poll-timeout ran out"),
        130: _("interrupted (Ctrl-C)"),
    }


def step_label(step):
    """A request's step as the operator reads it in retry messages."""
    return {"token": _("token"), "course": _("course check"), "create": _("course creation"),
            "upload": _("upload"), "status": _("import status"), "validation": _("validation"),
            "blocks": _("block list")}.get(step, step)


ARCHIVE_SUFFIX = ".tar.gz"
# Manifest keys that count things which are not blocks of the course tree.
_NOT_BLOCK_COUNTS = {"course", "static", "assets", "files"}


class PushFailure(Exception):
    """The push stops here: ``message`` says what happened, ``hint`` how to fix it."""

    def __init__(self, slug, message, hint="", details=None, error=None):
        super().__init__(message)
        self.slug = slug
        self.exit_code = EXIT[slug]
        self.message = message
        self.hint = hint
        self.details = details or []
        self.error = error
        self.result = None  # what the push had done when it stopped, for --json


# -- the archive on disk ---------------------------------------------------------------------------

@dataclass
class ArchiveFacts:
    path: Path
    course_id: str
    size: int
    manifest: dict
    title: str = ""
    start: str | None = None
    end: str | None = None
    self_paced: bool = False


def manifest_path(archive):
    name = archive.name[: -len(ARCHIVE_SUFFIX)] if archive.name.endswith(ARCHIVE_SUFFIX) else archive.stem
    return archive.with_name(f"{name}.manifest.json")


def _size(nbytes):
    if nbytes < 1024 * 1024:
        return f"{max(nbytes, 0) / 1024:.1f} kB"
    return f"{nbytes / (1024 * 1024):.1f} MB"


def _read_course_xml(archive):
    """``(top folder, org, course, run, tar members by name)`` from the archive."""
    safe = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {member.name: member for member in tar.getmembers() if member.isfile()}
            # Studio takes the first course.xml its directory walk meets, so a second one anywhere
            # could make it import the wrong tree.
            course_files = [name for name in members if name.rsplit("/", 1)[-1] == "course.xml"]
            if len(course_files) != 1 or course_files[0].count("/") != 1:
                raise PushFailure("archive", _("{path} must hold exactly one course.xml, in its top folder; it holds "
                                               "{names}.").format(path=archive, names=", ".join(course_files) or "-"),
                                  _("Build the archive with kkn-course build."))
            top = course_files[0].split("/")[0]
            root = etree.fromstring(tar.extractfile(members[course_files[0]]).read(), safe)
            run = root.get("url_name") or ""
            texts = {}
            for name in (f"{top}/policies/{run}/policy.json", f"{top}/course/{run}.xml"):
                if name in members:
                    texts[name] = tar.extractfile(members[name]).read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise PushFailure("archive", _("{path} is not a readable .tar.gz archive ({error}).")
                          .format(path=archive, error=error), _("Build the archive again with kkn-course build.")) from None
    except etree.XMLSyntaxError as error:
        raise PushFailure("archive", _("course.xml in {path} is not well-formed XML ({error}).")
                          .format(path=archive, error=error), _("Build the archive again with kkn-course build.")) from None
    return top, root.get("org") or "", root.get("course") or "", run, texts


def check_archive(path, course_id, max_bytes, validate):
    """Everything that can be checked without the network; :class:`PushFailure` on the first problem."""
    archive = Path(path)
    if not archive.name.endswith(ARCHIVE_SUFFIX):
        raise PushFailure("archive", _("{path} does not end in .tar.gz; Studio imports only .tar.gz archives here.")
                          .format(path=archive), _("Push the .tar.gz file that kkn-course build wrote."))
    if not archive.is_file():
        raise PushFailure("archive", _("{path} does not exist.").format(path=archive),
                          _("Build the course first (kkn-course build) and give the path of the archive it wrote."))
    try:
        split_course_id(course_id)
    except ValueError:
        raise PushFailure("settings", _("'{course_id}' is not a course key like course-v1:ORG+NUMBER+RUN.")
                          .format(course_id=course_id),
                          _("Give --course-id as shown in Studio's address bar for the course.")) from None
    size = archive.stat().st_size
    if size > max_bytes:
        raise PushFailure("too_large", _("{path} is {size}, more than the upload limit of {limit}.")
                          .format(path=archive, size=_size(size), limit=_size(max_bytes)),
                          _("Tutor's proxy accepts 250 MB for Studio. Move large files (videos) out of the course's "
                            "static files, or raise the proxy's limit and --max-upload-mb together."))

    report = validate(archive)
    errors = [problem for problem in report.problems if getattr(problem, "severity", "error") == "error"]
    if not report.ok or errors:
        raise PushFailure("archive", _("{path} does not pass validation; Studio would import it incompletely.")
                          .format(path=archive), _("Fix the course source and build again."),
                          details=[f"{problem.location}: {problem.message}" if problem.location else problem.message
                                   for problem in (errors or report.problems)])

    _top, org, number, run, texts = _read_course_xml(archive)
    archive_key = f"course-v1:{org}+{number}+{run}"
    if archive_key != course_id:
        raise PushFailure("archive", _("The archive holds course {archive_key}, not {course_id}.")
                          .format(archive_key=archive_key, course_id=course_id),
                          _("Importing would overwrite another course's content. Push to --course-id {archive_key}, "
                            "or change org, course number and run in the course source and build again.")
                          .format(archive_key=archive_key))

    mpath = manifest_path(archive)
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PushFailure("archive", _("The build manifest {path} is missing; without it the import cannot be verified.")
                          .format(path=mpath), _("Build the course again with kkn-course build; it writes "
                                                 "the manifest beside the archive.")) from None
    except (OSError, ValueError) as error:
        raise PushFailure("archive", _("The build manifest {path} cannot be read ({error}).")
                          .format(path=mpath, error=error), _("Build the course again with kkn-course build.")) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("counts"), dict):
        raise PushFailure("archive", _("The build manifest {path} has no block counts.").format(path=mpath),
                          _("Build the course again with kkn-course build."))
    if manifest.get("course_id") != course_id:
        raise PushFailure("archive", _("The build manifest {path} is for {manifest_id}, not {course_id}.")
                          .format(path=mpath, manifest_id=manifest.get("course_id"), course_id=course_id),
                          _("Build the course again so archive and manifest belong together."))
    if manifest.get("bytes") != size or manifest.get("sha256") != sha256_of(archive):
        raise PushFailure("archive", _("{path} is not the archive the manifest {manifest} describes "
                                       "(size or checksum differ): it changed after the build.")
                          .format(path=archive, manifest=mpath.name),
                          _("Build the course again and push the fresh archive."))

    facts = ArchiveFacts(archive, course_id, size, manifest, title=number)
    policy_name = f"{_top}/policies/{run}/policy.json"
    if policy_name in texts:
        try:
            policy = json.loads(texts[policy_name]).get(f"course/{run}", {})
        except (ValueError, AttributeError):
            policy = {}
        facts.title = policy.get("display_name") or facts.title
        facts.start, facts.end = policy.get("start"), policy.get("end")
        facts.self_paced = bool(policy.get("self_paced"))
    course_name = f"{_top}/course/{run}.xml"
    if course_name in texts and facts.title == number:
        try:
            facts.title = etree.fromstring(texts[course_name]).get("display_name") or facts.title
        except etree.XMLSyntaxError:
            pass
    return facts


# -- verification ----------------------------------------------------------------------------------

@dataclass
class Difference:
    what: str
    built: object
    in_studio: object

    def line(self):
        return _("  {what}: built {built}, in Studio {in_studio}").format(
            what=self.what, built=self.built, in_studio=self.in_studio)


def block_counts(blocks):
    return Counter(block.get("type") for block in blocks if block.get("type") and block.get("type") != "course")


def compare_blocks(manifest, blocks):
    """Differences between the manifest's counts and graded subsections and the LMS's block list."""
    built = {kind: int(count) for kind, count in manifest.get("counts", {}).items()
             if kind not in _NOT_BLOCK_COUNTS and isinstance(count, int)}
    seen = block_counts(blocks)
    differences = [Difference(kind, built.get(kind, 0), seen.get(kind, 0))
                   for kind in sorted(set(built) | set(seen)) if built.get(kind, 0) != seen.get(kind, 0)]
    sequentials = {block.get("block_id"): block for block in blocks if block.get("type") == "sequential"}
    for graded in manifest.get("graded_subsections") or []:
        url_name, fmt = graded.get("url_name"), graded.get("format")
        block = sequentials.get(url_name)
        if block is None:
            differences.append(Difference(_("graded subsection {name}").format(name=url_name), fmt, _("missing")))
        elif not block.get("graded") or (fmt and block.get("format") != fmt):
            shown = block.get("format") if block.get("graded") else _("not graded")
            differences.append(Difference(_("graded subsection {name}").format(name=url_name), fmt, shown))
    return differences


def compare_validation(manifest, validation):
    """Differences between the manifest and Studio's course validation (subsections, dates)."""
    differences = []
    counts = manifest.get("counts", {})
    assignments = validation.get("assignments") or {}
    if "sequential" in counts and assignments.get("total_number") != counts["sequential"]:
        differences.append(Difference(_("subsections (Studio validation)"), counts["sequential"],
                                      assignments.get("total_number")))
    dates = validation.get("dates") or {}
    if dates.get("has_start_date") is not True:
        differences.append(Difference(_("course start date"), _("set"), _("missing")))
    if dates.get("has_end_date") is not True:
        differences.append(Difference(_("course end date"), _("set"), _("missing")))
    for key, label in (("assignments_with_dates_before_start", _("subsections due before the course starts")),
                       ("assignments_with_dates_after_end", _("subsections due after the course ends"))):
        outside = assignments.get(key) or []
        if outside:
            names = ", ".join(str(item.get("display_name") or item.get("id")) for item in outside[:5])
            differences.append(Difference(label, 0, f"{len(outside)} ({names})"))
    return differences


# -- the terminal ----------------------------------------------------------------------------------

class Console:
    """Progress and status on stderr; redrawn in place on a terminal, sparse lines in a log.

    ``lines`` turns the step messages on; ``progress`` the upload bar and the live status line.
    """

    def __init__(self, stream, lines=True, progress=True, clock=time.monotonic):
        self.stream = stream
        self.lines = lines
        self.show_progress = progress
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._clock = clock
        self._open_line = False
        self._last_draw = 0.0
        self._last_quarter = -1
        self._last_status = None

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def end_line(self):
        if self._open_line:
            self._write("\n")
            self._open_line = False

    def say(self, text):
        if not self.lines:
            return
        self.end_line()
        self._write(text + "\n")

    def progress(self, sent, total):
        if not self.show_progress:
            return
        fraction = sent / total if total else 1.0
        if self.tty:
            now = self._clock()
            if sent < total and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            width = 30
            filled = int(width * fraction)
            bar = "#" * filled + "-" * (width - filled)
            self._write("\r\x1b[K" + _("Uploading [{bar}] {percent:3d}% {sent}/{total}").format(
                bar=bar, percent=int(fraction * 100), sent=_size(sent), total=_size(total)))
            self._open_line = True
            if sent >= total:
                self.end_line()
        else:
            quarter = int(fraction * 4)
            if quarter != self._last_quarter:
                self._last_quarter = quarter
                self._write(_("Uploading: {percent}% of {total}").format(percent=quarter * 25, total=_size(total)) + "\n")

    def status(self, text, elapsed=None):
        """The live line while Studio works; a log gets one line per change of ``text``."""
        if not self.show_progress:
            return
        if self.tty:
            clock = f" ({int(elapsed) // 60:02d}:{int(elapsed) % 60:02d})" if elapsed is not None else ""
            self._write("\r\x1b[K" + text + clock)
            self._open_line = True
        elif text != self._last_status:
            self._write(text + "\n")
        self._last_status = text


# -- the flow --------------------------------------------------------------------------------------

@dataclass
class PushResult:
    course_id: str
    archive: str
    task_id: str | None = None
    state: str | None = None
    created: bool = False
    counts: dict = field(default_factory=dict)
    differences: list = field(default_factory=list)


def _resume_command(facts, task_id):
    return f"kkn-course push {facts.path} --course-id {facts.course_id} --resume {task_id}"


def _studio_course_url(settings, course_id):
    return f"{settings.studio_url}/course/{course_id}"


def _network_text(error, settings):
    if error.kind == "timeout":
        return _("no answer within {seconds} s").format(seconds=int(settings.read_timeout))
    return error.detail or _("connection failed")


def explain(error, settings, facts, task_id=None, sent=None):
    """Turn a :class:`StudioError` into the failure the operator reads."""
    step, kind, status = error.step, error.kind, error.status
    detail = error.detail or "-"
    course = facts.course_id
    org, number, run = split_course_id(course)
    resume = _("Continue with: {command}").format(command=_resume_command(facts, task_id)) if task_id else ""
    lms_src, studio_src = settings.source_of("lms_url"), settings.source_of("studio_url")

    if kind in ("server", "timeout", "network") and step not in ("upload", "create"):
        at_lms = step in ("token", "blocks")
        tries = settings.retries + 1
        if kind == "server":
            message = (_("The LMS kept failing (HTTP {status}: {detail}) after {tries} tries.") if at_lms else
                       _("Studio kept failing (HTTP {status}: {detail}) after {tries} tries.")).format(
                status=status, detail=detail, tries=tries)
            slug = "server"
        else:
            message = (_("The LMS could not be reached at {url}: {reason} (after {tries} tries).") if at_lms else
                       _("Studio could not be reached at {url}: {reason} (after {tries} tries).")).format(
                url=error.url, reason=_network_text(error, settings), tries=tries)
            slug = "network"
        hint = resume or (_("Check that the LMS is up and its URL is right ({source}), then push again.") if at_lms else
                          _("Check that Studio is up and its URL is right ({source}), then push again.")).format(
            source=lms_src if at_lms else studio_src)
        if step in ("validation", "blocks"):
            hint = _("The import itself succeeded; only the check failed.") + " " + hint
        return PushFailure(slug, message, hint, error=error)

    if step == "token":
        if kind == "auth":
            return PushFailure("auth", _("The LMS refused the OAuth2 client credentials (HTTP {status}: {detail}).")
                               .format(status=status, detail=detail),
                               _("Check the client id ({id_source}) and secret ({secret_source}) against the "
                                 "application in {lms}/admin/oauth2_provider/application/ ; its grant type must be "
                                 "'Client credentials'.").format(id_source=settings.source_of("client_id"),
                                                                 secret_source=settings.source_of("client_secret"),
                                                                 lms=settings.lms_url), error=error)
        if kind == "forbidden":
            return PushFailure("auth", _("The LMS refused to issue a token (HTTP 403: {detail}).").format(detail=detail),
                               _("The LMS limits token requests per address; wait a minute and push again."), error=error)
        return PushFailure("settings", _("{url} did not answer like the LMS token endpoint (HTTP {status}: {detail}).")
                           .format(url=error.url, status=status, detail=detail),
                           _("Check the LMS URL ({source}): it is the LMS address, e.g. https://lms.example.org, "
                             "not Studio's.").format(source=lms_src), error=error)

    if kind == "auth":
        return PushFailure("auth", _("Studio or the LMS did not accept the push user's token (HTTP 401: {detail}).")
                           .format(detail=detail),
                           _("Studio and the LMS must be the same Open edX (they share the JWT keys); check "
                             "{studio_source} and {lms_source}.").format(studio_source=studio_src, lms_source=lms_src),
                           error=error)

    if kind == "forbidden":
        if step == "create":
            return PushFailure("forbidden", _("Only global staff may create courses through the course-runs API, "
                                              "and the push user is not global staff."),
                               _("Create the course in Studio (New course: organization {org}, course number {number}, "
                                 "course run {run}) and push again, or give the OAuth application's user 'Staff status' "
                                 "in the LMS Django admin.").format(org=org, number=number, run=run), error=error)
        if step in ("validation", "blocks"):
            return PushFailure("forbidden", _("The import succeeded, but the push user may not read the course "
                                              "to verify it (HTTP 403: {detail}).").format(detail=detail),
                               _("Add the OAuth application's user to the course team as Staff (Studio: Settings > "
                                 "Course Team), then verify with: {command}").format(
                                   command=_resume_command(facts, task_id)), error=error)
        return PushFailure("forbidden", _("The push user has no author rights on {course} (HTTP 403: {detail}).")
                           .format(course=course, detail=detail),
                           _("In Studio, open the course, Settings > Course Team, and add the OAuth application's user "
                             "as Staff or Admin (or give that user global staff). If the course does not exist yet, "
                             "create it first: Studio answers 403, not 404, for a course that does not exist."),
                           error=error)

    if kind == "unknown_task":
        return PushFailure("settings", _("Studio knows no import task {task} for the file {filename}.")
                           .format(task=task_id, filename=facts.path.name),
                           _("--resume needs the task id that the push which started the import printed, and the "
                             "archive under the same file name."), error=error)

    if kind == "endpoint_missing":
        return PushFailure("settings", _("{url} answered HTTP {status}: there is no such API there.")
                           .format(url=error.url, status=status),
                           _("Check the Studio URL ({studio_source}) and the LMS URL ({lms_source}). The push needs "
                             "Open edX Quince or newer.").format(studio_source=studio_src, lms_source=lms_src),
                           error=error)

    if step == "blocks" and kind == "not_found":
        return PushFailure("server", _("The LMS does not show the course {course} yet.").format(course=course),
                           _("The LMS publishes imported courses in a background task; check that the LMS workers run "
                             "(tutor local status), then verify with: {command}").format(
                               command=_resume_command(facts, task_id)), error=error)

    if step == "create":
        return PushFailure("course_missing", _("Studio did not create the course {course} (HTTP {status}: {detail}).")
                           .format(course=course, status=status, detail=detail),
                           _("Create it in Studio (New course: organization {org}, course number {number}, course run "
                             "{run}) and push again.").format(org=org, number=number, run=run), error=error)

    if step == "upload":
        if kind == "too_large" or status in (408, 411, 431):
            return PushFailure("too_large", _("Studio or the proxy in front of it refused the {size} upload "
                                              "(HTTP {status}: {detail}).").format(size=_size(facts.size), status=status,
                                                                                   detail=detail),
                               _("Tutor's Caddy accepts up to 250 MB for Studio, and a slow upload can hit the proxy's "
                                 "time limit. Make the archive smaller (move videos out of static files), or raise the "
                                 "proxy limits and --max-upload-mb to match."), error=error)
        if kind == "timeout" and sent is not None and sent < facts.size:
            return PushFailure("network", _("The upload stalled: Studio took no data for {seconds} s ({sent} of "
                                            "{total} sent).").format(seconds=int(settings.upload_timeout),
                                                                      sent=_size(sent), total=_size(facts.size)),
                               _("Studio did not receive the whole archive, so no import started. Check the network "
                                 "and the proxy in front of Studio, then push again."), error=error)
        if kind == "timeout":
            return PushFailure("network", _("Studio did not answer within {seconds} s after the upload.").format(
                seconds=int(settings.upload_timeout)),
                _("Studio may have started the import anyway. Open {url} in a few minutes and check the content "
                  "before you push again.").format(url=_studio_course_url(settings, course)), error=error)
        if kind == "network":
            whole = sent is not None and sent >= facts.size
            if whole:
                return PushFailure("network", _("The connection broke after the whole archive was sent ({reason}).")
                                   .format(reason=detail),
                                   _("Studio may have started the import. Open {url} in a few minutes and check the "
                                     "content before you push again.").format(url=_studio_course_url(settings, course)),
                                   error=error)
            return PushFailure("network", _("The connection broke during the upload ({reason}; {sent} of {total} sent).")
                               .format(reason=detail, sent=_size(sent or 0), total=_size(facts.size)),
                               _("Studio did not receive the whole archive, so no import started. A proxy that cuts "
                                 "long uploads does this too; check the network and the proxy, then push again."),
                               error=error)
        if status in (502, 503, 504):
            return PushFailure("server", _("The proxy in front of Studio answered the upload with HTTP {status} "
                                           "({detail}).").format(status=status, detail=detail),
                               _("Studio may still have received it and started the import: open {url} in a few "
                                 "minutes before you push again. A 504 on big uploads means the proxy's timeout is "
                                 "shorter than Studio needs to store the archive.").format(
                                   url=_studio_course_url(settings, course)), error=error)
        if kind == "server":
            return PushFailure("server", _("Studio failed while receiving the archive (HTTP {status}: {detail}).")
                               .format(status=status, detail=detail),
                               _("Studio answers every problem with an upload, even a bad file, with HTTP 500. The "
                                 "archive passed the local checks, so look at Studio's log: tutor local logs --tail 200 "
                                 "cms"), error=error)
        if kind == "bad_request":
            return PushFailure("too_large", _("Studio or its proxy refused the upload (HTTP {status}: {detail}).")
                               .format(status=status, detail=detail),
                               _("Check the proxy's limits for request size and time in front of Studio."), error=error)

    return PushFailure("server", _("Unexpected answer from {url} (HTTP {status}: {detail}).")
                       .format(url=error.url or step, status=status, detail=detail),
                       resume or _("Check the Studio and LMS URLs, then push again."), error=error)


def _ensure_course(client, facts, create, console, result):
    if client.course_exists(facts.course_id):
        return
    org, number, run = split_course_id(facts.course_id)
    if not create:
        raise PushFailure("course_missing", _("The course {course} does not exist in Studio.").format(course=facts.course_id),
                          _("Create it in Studio (New course: organization {org}, course number {number}, course run "
                            "{run}), or push again with --create (the push user must be global staff).")
                          .format(org=org, number=number, run=run))
    console.say(_("Creating the course {course} in Studio").format(course=facts.course_id))
    client.create_course_run(facts.course_id, facts.title, facts.start, facts.end,
                             "self_paced" if facts.self_paced else "instructor_paced")
    result.created = True


def _poll(client, facts, task_id, settings, console, sleep, clock):
    started = clock()
    interval = settings.poll_interval
    labels = {"Pending": _("waiting for a Studio worker"), "Unpacking": _("unpacking"), "Verifying": _("checking the OLX"),
              "Updating": _("updating the course"), "Retrying": _("retrying"), "In Progress": _("in progress"),
              "Succeeded": _("succeeded"), "Failed": _("failed"), "Canceled": _("canceled")}
    while True:
        state = client.import_state(facts.course_id, task_id, facts.path.name)
        elapsed = clock() - started
        console.status(_("Importing in Studio: {state}").format(state=labels.get(state, state)), elapsed)
        if state in TERMINAL_STATES:
            console.end_line()
            return state
        if elapsed >= settings.poll_timeout:
            console.end_line()
            raise PushFailure("poll_timeout", _("Studio was still importing ({state}) after {seconds} s.")
                              .format(state=state, seconds=int(settings.poll_timeout)),
                              _("Continue with: {command}").format(command=_resume_command(facts, task_id)))
        sleep(interval)
        interval = min(interval * 1.5, settings.poll_interval_max)


def _verify(client, facts, settings, console, sleep, clock, result):
    validation = client.validation(facts.course_id)
    differences = compare_validation(facts.manifest, validation)
    deadline = clock() + settings.verify_wait
    started = clock()
    while True:
        try:
            blocks = client.course_blocks(facts.course_id)
            block_differences = compare_blocks(facts.manifest, blocks)
        except StudioError as error:
            # Right after a first import the LMS may not know the course yet.
            if error.kind != "not_found" or clock() >= deadline:
                raise
            blocks, block_differences = [], None
        if block_differences == [] or clock() >= deadline:
            break
        # The LMS caches the course structure and refreshes it in a background task after the
        # import publishes; until then it shows the previous version.
        console.status(_("Waiting for the LMS to show the new course structure"), clock() - started)
        sleep(max(0.01, min(settings.poll_interval_max, deadline - clock())))
    console.end_line()
    result.counts = {kind: {"built": facts.manifest["counts"].get(kind, 0), "studio": count}
                     for kind, count in sorted(block_counts(blocks).items())}
    for kind, built in facts.manifest["counts"].items():
        if kind not in _NOT_BLOCK_COUNTS:
            result.counts.setdefault(kind, {"built": built, "studio": 0})
    differences += block_differences or []
    result.differences = differences
    if differences:
        raise PushFailure("verify", _("Studio reports success, but the course there differs from the build:"),
                          _("Studio drops a component it cannot load and still reports success. Check that the "
                            "kkn-xblocks package is installed in the Studio image and the block types are in the "
                            "course's Advanced Module List, and look at the worker log: tutor local logs --tail 300 "
                            "cms-worker"),
                          details=[difference.line() for difference in differences])


def push(options, settings, console, validate, *, sleep=time.sleep, clock=time.monotonic):
    """Run the whole push; returns :class:`PushResult` or raises :class:`PushFailure`."""
    facts = check_archive(options.archive, options.course_id, settings.max_upload_bytes, validate)
    result = PushResult(facts.course_id, str(facts.path))
    console.say(_("Archive {name} ({size}) checked for {course}").format(
        name=facts.path.name, size=_size(facts.size), course=facts.course_id))

    def on_retry(error, attempt, delay):
        console.say(_("{step}: {problem}; trying again in {delay:.0f} s (attempt {attempt} of {tries})").format(
            step=step_label(error.step), problem=f"HTTP {error.status}" if error.status else _network_text(error, settings),
            delay=delay, attempt=attempt + 1, tries=settings.retries + 1))

    client = StudioClient(settings, sleep=sleep, clock=clock, on_retry=on_retry)
    task_id = options.resume
    sent = {"bytes": None}
    try:
        try:
            client.authenticate()
            if task_id is None:
                _ensure_course(client, facts, options.create, console, result)

                def progress(done, total):
                    # Count archive bytes only, so "all sent" compares with the file size.
                    sent["bytes"] = max(0, min(facts.size, done - (total - facts.size)))
                    console.progress(done, total)

                task_id = client.start_import(facts.course_id, facts.path, progress)
                console.end_line()
                console.say(_("Studio started import task {task}").format(task=task_id))
            else:
                console.say(_("Continuing with import task {task}").format(task=task_id))
            result.task_id = task_id
            result.state = _poll(client, facts, task_id, settings, console, sleep, clock)
            if result.state != "Succeeded":
                raise PushFailure("import_failed", _("Studio reports the import of {course} as {state}.")
                                  .format(course=facts.course_id, state=result.state),
                                  _("The import API does not say why. Studio's worker log does: tutor local logs --tail "
                                    "300 cms-worker | grep 'Course import'. The course keeps its previous content."))
            console.say(_("Import succeeded; comparing Studio with the build"))
            _verify(client, facts, settings, console, sleep, clock, result)
        except StudioError as error:
            console.end_line()
            raise explain(error, settings, facts, task_id, sent["bytes"]) from None
        except KeyboardInterrupt:
            console.end_line()
            if task_id:
                hint = _("The import goes on in Studio. Continue with: {command}").format(
                    command=_resume_command(facts, task_id))
            elif sent["bytes"] is not None and sent["bytes"] >= facts.size:
                hint = _("The whole archive was sent, so Studio may have started the import. Open {url} in a few "
                         "minutes before you push again.").format(url=_studio_course_url(settings, facts.course_id))
            else:
                hint = _("Nothing was imported.")
            raise PushFailure("interrupted", _("Push interrupted."), hint) from None
    except PushFailure as failure:
        failure.result = result
        raise
    finally:
        client.close()
    return result


# -- the command -----------------------------------------------------------------------------------

def _epilog():
    lines = [_("exit codes:")]
    lines += [f"  {code:3d}  {meaning}" for code, meaning in sorted(exit_code_meanings().items())]
    return "\n".join(lines)


def register(subparsers):
    parser = subparsers.add_parser(
        "push", help=_("import a built course archive into Studio and verify it"),
        description=_("Import a built course archive into Studio over the REST API, wait for the import, "
                      "and check that Studio holds everything that was built."),
        epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archive", metavar="ARCHIVE",
                        help=_("the .tar.gz written by kkn-course build, or a programme's .programme.json (or its "
                               "build folder) to push every course of it"))
    parser.add_argument("--course-id", metavar="course-v1:ORG+NUMBER+RUN",
                        help=_("the Studio course to import into; must match the archive (not with a programme, "
                               "whose manifest names each course)"))
    parser.add_argument("--create", action="store_true",
                        help=_("create the course if Studio does not have it (the push user must be global staff)"))
    parser.add_argument("--resume", metavar="TASK_ID", help=_("do not upload; continue with an import an earlier push started"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object with the outcome on stdout"))
    parser.add_argument("--quiet", action="store_true", help=_("no progress output on stderr"))
    push_config.add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def _validator():
    from .validation import validate_archive  # pylint: disable=import-outside-toplevel
    return validate_archive


def _emit_json(stdout, result, failure, facts_id, archive):
    payload = {
        "ok": failure is None,
        "exit_code": 0 if failure is None else failure.exit_code,
        "course_id": facts_id,
        "archive": archive,
        "task_id": getattr(result, "task_id", None),
        "state": getattr(result, "state", None),
        "created": getattr(result, "created", False),
        "counts": getattr(result, "counts", {}),
        "differences": [dataclasses.asdict(d) for d in getattr(result, "differences", [])],
        "error": None,
    }
    if failure is not None:
        error = failure.error
        payload["error"] = {"code": failure.slug, "message": failure.message, "hint": failure.hint,
                            "details": failure.details,
                            "http_status": getattr(error, "status", None), "step": getattr(error, "step", None)}
    stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def run(options, *, environ=None, stdout=None, stderr=None, tune=None, validate=None,
        sleep=time.sleep, clock=time.monotonic):
    """The ``push`` command; returns the exit code. ``tune`` adjusts settings (tests: fast backoff)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    # With --json a log gets nothing but the JSON; a person at a terminal still sees the progress.
    tty = bool(getattr(stderr, "isatty", lambda: False)())
    console = Console(stderr, lines=not (options.json or options.quiet),
                      progress=not options.quiet and (tty or not options.json))
    result, failure = None, None
    try:
        manifest = programme_manifest_path(options.archive)
    except NotAProgramme as error:
        manifest, failure = None, PushFailure("archive", str(error))
    if manifest is not None:
        return _run_programme(options, manifest, environ, stdout, stderr, console, tune, validate, sleep, clock)
    try:
        if failure is not None:
            raise failure
        if not options.course_id:
            raise PushFailure("settings", _("--course-id is required when pushing one archive."),
                              _("Give the course key shown in Studio's address bar, e.g. --course-id "
                                "course-v1:ORG+NUMBER+RUN."))
        settings = _settings(options, environ, stderr, tune)
        result = push(options, settings, console, validate or _validator(), sleep=sleep, clock=clock)
    except ConfigError as error:
        failure = PushFailure("settings", str(error))
    except PushFailure as error:
        failure = error
        result = error.result
    if options.json:
        _emit_json(stdout, result, failure, options.course_id, options.archive)
    elif failure is None:
        stdout.write(_("Pushed {course}: import {task} succeeded and Studio holds everything that was built.")
                     .format(course=result.course_id, task=result.task_id) + "\n")
        for kind, numbers in sorted(result.counts.items()):
            stdout.write(f"  {kind}: {numbers['studio']}\n")
    else:
        _report_failure(console, stderr, failure)
    return 0 if failure is None else failure.exit_code


def _settings(options, environ, stderr, tune):
    settings = push_config.load_settings(options, environ, warn=lambda text: stderr.write(text + "\n"))
    return dataclasses.replace(settings, **tune) if tune else settings


def _report_failure(console, stderr, failure):
    console.end_line()
    stderr.write(_("Error: {message}").format(message=failure.message) + "\n")
    for line in failure.details:
        stderr.write(line + "\n")
    if failure.hint:
        stderr.write(_("How to fix: {hint}").format(hint=failure.hint) + "\n")
    stderr.write(_("(exit code {code})").format(code=failure.exit_code) + "\n")


def _run_programme(options, manifest, environ, stdout, stderr, console, tune, validate, sleep, clock):
    """``push`` of a programme manifest: every course in turn, continuing where a previous run stopped."""
    from .programme_push import push_programme  # pylint: disable=import-outside-toplevel
    result, failure = None, None
    try:
        if options.course_id or options.resume:
            raise PushFailure("settings", _("--course-id and --resume do not go with a programme manifest."),
                              _("Leave them out: the manifest names each course, and a push run again continues "
                                "where the last one stopped."))
        settings = _settings(options, environ, stderr, tune)
        programme_options = argparse.Namespace(**{**vars(options), "archive": str(manifest)})
        result = push_programme(programme_options, settings, console, validate or _validator(), sleep=sleep,
                                clock=clock)
    except NotAProgramme as error:
        failure = PushFailure("archive", str(error))
    except ConfigError as error:
        failure = PushFailure("settings", str(error))
    except PushFailure as error:
        failure = error
        result = getattr(error, "programme", None)
    if options.json:
        payload = {"ok": failure is None, "exit_code": 0 if failure is None else failure.exit_code,
                   "programme_id": getattr(result, "programme_id", None), "courses": getattr(result, "courses", []),
                   "error": None if failure is None else {"code": failure.slug, "message": failure.message,
                                                          "hint": failure.hint, "details": failure.details,
                                                          "course_id": getattr(result, "failed", None)}}
        stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    elif failure is None:
        for course in result.courses:
            stdout.write((_("Pushed and verified {course}") if course["outcome"] == "pushed" else
                          _("Already in Studio, unchanged: {course}")).format(course=course["course_id"]) + "\n")
        stdout.write(_("Programme {programme}: every course is in Studio and verified.").format(
            programme=result.programme_id) + "\n")
    else:
        _report_failure(console, stderr, failure)
    return 0 if failure is None else failure.exit_code


def main(argv=None):
    """Stand-alone entry (``python -m course_export.push``); the kkn-course CLI calls :func:`run`."""
    parser = argparse.ArgumentParser(prog="kkn-course")
    register(parser.add_subparsers(dest="command", required=True))
    options = parser.parse_args(["push", *(argv if argv is not None else sys.argv[1:])])
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
