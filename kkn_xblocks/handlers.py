"""Thin, strict JSON handlers: parse, check every input, answer bad input with a translated 4xx.

``XBlock.json_handler`` answers malformed JSON with an untranslated "Invalid JSON" and accepts any
JSON value; these handlers translate every refusal, cap the body size and nesting depth before
parsing, refuse text that cannot be stored, and insist on an object. A handler body only reads its
inputs through ``Payload`` and calls a rule; it never sees a request and never returns a 500 for
anything the browser sent.

One handler, one transaction: the record writes of a handler commit together with its answer, and
a refused (or failed) request rolls every one of them back. The LMS runs handlers outside any
request transaction (``handle_xblock_callback`` is ``@transaction.non_atomic_requests`` in
openedx-platform ``lms/djangoapps/courseware/block_render.py``), so this block is the outermost one.
A handler that writes nothing says so (``json_handler(writes=False)``) and runs without one.
"""
import functools
import json
import logging
import operator
import re
from itertools import accumulate, repeat

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError, transaction
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
# The deepest JSON any handler reads is three levels ({"answers": {"q1": ["a"]}}); a little room.
MAX_DEPTH = 8
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")  # minus one: +1 opens, -1 closes
# What no record may hold: lone surrogates (not encodable, MySQL refuses them), control characters
# other than tab and newline (invisible, and XML 1.0 cannot hold them), U+FFFE/U+FFFF.
_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _(text):
    """Mark a msgid for extraction; it is translated when the error is raised."""
    return text


class Refusal(JsonHandlerError):
    """A refused request: HTTP status and a message already translated for the user.

    ``details`` (optional) is merged into the JSON body, e.g. ``{"field_errors": {...}}``.
    ``keep=True`` marks the rare refusal that is itself a recorded fact (a wrong check-in code
    counts against the limit): what the handler wrote before it is committed, not rolled back.
    """

    def __init__(self, status_code, message, keep=False, **details):
        super().__init__(status_code, message)
        self.keep = keep
        self.details = details

    def get_response(self, **kwargs):
        return Response(
            json.dumps({"error": self.message, **self.details}),
            status=self.status_code,
            content_type="application/json",
            charset="utf-8",
            **kwargs,
        )


def json_response(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json", charset="utf-8")


def nesting_depth(body: bytes):
    """How deep ``[``/``{`` nest in a JSON text, counted without parsing it (strings skipped).

    Linear and in C whatever the text: the string pattern is possessive and also ends at the end of
    the text, so it never fails and never backtracks (the plain pattern is quadratic on an
    unterminated string full of escaped quotes); the depth is a running sum of +1/-1 steps.
    """
    steps = _JSON_STRING.sub(b"", body).translate(_DEPTH_STEPS, _NOT_BRACKETS)
    return max(accumulate(map(operator.sub, steps, repeat(1))), default=0)


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse_body(body: bytes, gettext):
    """The JSON object in ``body``, text normalised; a Refusal says what was wrong with it."""
    unreadable = Refusal(400, gettext(_("The request could not be read. Reload the page and try again.")))
    if nesting_depth(body) > MAX_DEPTH:
        raise unreadable
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise unreadable from None
    if not isinstance(data, dict):
        raise unreadable
    return {_clean_text(key, key, gettext): _clean(value, key, gettext) for key, value in data.items()}


def _clean(value, field, gettext):
    if isinstance(value, str):
        return _clean_text(value, field, gettext)
    if isinstance(value, list):
        return [_clean(item, field, gettext) for item in value]
    if isinstance(value, dict):
        return {_clean_text(k, field, gettext): _clean(v, field, gettext) for k, v in value.items()}
    return value


def _clean_text(text, field, gettext):
    """Line ends as "\n"; a Refusal for characters no record may hold.

    Letters are kept as sent (no NFC): a region or an option id must still equal what the page
    showed, whatever form the author's text had."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _UNSTORABLE.search(text)
    if bad:
        raise Refusal(400, gettext(_(
            "The field \u201c{field}\u201d holds a character that cannot be saved (U+{code:04X}: a control "
            "character or half of an emoji). Remove it or type the text again."
        )).format(field=_UNSTORABLE.sub("?", str(field))[:40], code=ord(bad.group())))
    return text


def json_handler(func=None, *, writes=True):
    """Decorate ``func(self, payload, suffix)``; ``self.gettext`` translates the refusals.

    ``@json_handler(writes=False)`` marks a handler that only reads: it runs without a transaction
    of its own, so it costs no BEGIN and COMMIT and takes no write lock (the local runtime's SQLite
    takes it at BEGIN: ``transaction_mode`` IMMEDIATE in devserver/settings.py), and a facilitator
    refreshing her panel never waits for a crowd checking in, nor they for her."""
    if func is None:
        return functools.partial(json_handler, writes=writes)

    @XBlock.handler
    @functools.wraps(func)
    def wrapper(self, request, suffix=""):
        gettext = self.gettext
        if request.method != "POST":
            return Refusal(405, gettext(_("This address only accepts POST requests."))).get_response(allow=["POST"])
        too_large = Refusal(413, gettext(_("The request is too large. Shorten the text and try again.")))
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return too_large.get_response()
        try:
            # In the LMS and the workbench this is Django's request.body, which refuses a body over
            # DATA_UPLOAD_MAX_MEMORY_SIZE (xblock/django/request.py, django/http/request.py).
            body = request.body or b""
        except RequestDataTooBig:
            return too_large.get_response()
        if len(body) > MAX_BODY_BYTES:
            return too_large.get_response()
        try:
            payload = Payload(parse_body(body, gettext), gettext)
            if not writes:
                return json_response(func(self, payload, suffix))
            return json_response(_in_one_transaction(func, self, payload, suffix))
        except JsonHandlerError as error:
            return error.get_response()

    wrapper.is_json_handler = True  # how tests find every JSON handler of every block
    return wrapper


# InnoDB's answers to a lock it could not give (MySQL's and MariaDB's server error codes): a
# deadlock, after which the whole transaction has been rolled back and may simply run again, and a
# lock wait that timed out (innodb_lock_wait_timeout, 50 s by default), which is not worth repeating.
_DEADLOCK, _LOCK_WAIT_TIMEOUT = 1213, 1205
# How often a handler whose transaction lost a deadlock runs again before its user is asked to.
DEADLOCK_RETRIES = 2


def _in_one_transaction(func, block, payload, suffix):
    """Run the handler in one transaction; run it again when the database chose it to lose a deadlock.

    Two transactions inserting the same unique row can deadlock on MySQL even when neither holds
    anything else (InnoDB's shared locks on a deleted, not yet purged, row of that key): the
    database rolls one of them back and says to try it again. The handler runs again when that is
    safe: it is the outermost transaction (in the LMS it is, see the module's docstring) and had
    changed nothing on the block, so nothing of the lost run is left but what the rollback undid.
    Otherwise, or after ``DEADLOCK_RETRIES`` repeats, and when a lock wait timed out (or SQLite
    stayed locked), the user gets a translated 503 that says nothing was saved: never a 500.
    """
    outermost = not transaction.get_connection().in_atomic_block
    repeats = 0
    while True:
        try:
            return _run_once(func, block, payload, suffix)
        except _LostLock as lost:
            if lost.kind == "deadlock" and lost.repeatable and outermost and repeats < DEADLOCK_RETRIES:
                repeats += 1
                log.info("%s.%s lost a deadlock; run again (%d)", block.scope_ids.block_type, func.__name__, repeats)
                continue
            log.warning("%s.%s answered 503: %s (%s)", block.scope_ids.block_type, func.__name__, lost.kind,
                        lost.__cause__)
            raise Refusal(503, block.gettext(_(
                "Many people are saving at the same moment, so nothing was saved this time. Wait a few "
                "seconds and try again."))) from lost.__cause__


class _LostLock(Exception):
    """The handler's transaction did not get a lock: ``kind`` as ``_lost_lock`` names it;
    ``repeatable``: the handler had changed nothing on the block when it was rolled back."""

    def __init__(self, kind, repeatable):
        super().__init__(kind)
        self.kind = kind
        self.repeatable = repeatable


def _lost_lock(error):
    """``"deadlock"``, ``"timeout"`` or nothing: what a database error says about a lock.

    Django raises the driver's error as ``django.db.OperationalError`` with the same ``args``
    (``DatabaseErrorWrapper``, django/db/utils.py): ``(1213, "Deadlock found when trying to get
    lock; ...")`` from MySQLdb; SQLite's own timeout says "database is locked".
    """
    code = error.args[0] if error.args else None
    if code == _DEADLOCK:
        return "deadlock"
    if code == _LOCK_WAIT_TIMEOUT or "database is locked" in str(error):
        return "timeout"
    return None


def _run_once(func, block, payload, suffix):
    """One run of the handler in its transaction; a Refusal rolls it back unless it keeps what was
    written.

    The block's changed fields are saved in the same transaction, so her state in the runtime and
    the record commit or roll back together (XBlock's ``Runtime.handle``, xblock/runtime.py, saves
    them only after the handler returns, outside it: that save then finds nothing left to write).
    When the transaction rolls back, what the handler set on the block is forgotten, not saved
    afterwards by that same ``Runtime.handle``: it would mirror a record that did not change."""
    kept = None
    saving = False
    try:
        with transaction.atomic():
            try:
                result = func(block, payload, suffix)
            except Refusal as refusal:
                if not refusal.keep:
                    raise
                kept = refusal
            saving = True
            block.save()
    except OperationalError as error:
        lost = _lost_lock(error)
        repeatable = not saving and not block._get_fields_to_save()  # pylint: disable=protected-access
        block._clear_dirty_fields()  # pylint: disable=protected-access
        if lost is None:
            raise
        raise _LostLock(lost, repeatable) from error
    except BaseException:
        block._clear_dirty_fields()  # pylint: disable=protected-access
        raise
    if kept is not None:
        raise kept
    return result


class Payload:
    """Typed, bounded access to a handler's JSON object. Every miss is a translated 400."""

    def __init__(self, data, gettext):
        self.data = data
        self.gettext = gettext

    def _refuse(self, message, **kwargs):
        raise Refusal(400, self.gettext(message).format(**kwargs))

    def text(self, key, max_chars, required=True, strip=True):
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self._refuse(_("The field \u201c{field}\u201d must be text."), field=key)
        if len(value) > max_chars:
            self._refuse(
                _("The field \u201c{field}\u201d is too long: at most {limit} characters, got {length}."),
                field=key, limit=max_chars, length=len(value),
            )
        return value.strip() if strip else value

    def integer(self, key, minimum, maximum, required=True, default=None):
        value = self.data.get(key)
        if value is None and not required:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._refuse(_("The field \u201c{field}\u201d must be a whole number."), field=key)
        if not minimum <= value <= maximum:
            self._refuse(
                _("The field \u201c{field}\u201d must be between {minimum} and {maximum}."),
                field=key, minimum=minimum, maximum=maximum,
            )
        return value

    def boolean(self, key, required=True, default=False):
        value = self.data.get(key)
        if value is None and not required:
            return default
        if not isinstance(value, bool):
            self._refuse(_("The field \u201c{field}\u201d must be true or false."), field=key)
        return value

    def choice(self, key, choices, required=True, default=None):
        value = self.data.get(key)
        if value is None and not required:
            return default
        if not isinstance(value, str) or value not in choices:
            self._refuse(
                _("The field \u201c{field}\u201d must be one of: {choices}."),
                field=key, choices=", ".join(sorted(choices)),
            )
        return value

    def mapping(self, key, max_items, required=True):
        value = self.data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self._refuse(_("The field \u201c{field}\u201d must be an object."), field=key)
        if len(value) > max_items:
            self._refuse(_("The field \u201c{field}\u201d has too many entries (at most {limit})."),
                         field=key, limit=max_items)
        return value

    def sequence(self, key, max_items, required=True):
        value = self.data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self._refuse(_("The field \u201c{field}\u201d must be a list."), field=key)
        if len(value) > max_items:
            self._refuse(_("The field \u201c{field}\u201d has too many entries (at most {limit})."),
                         field=key, limit=max_items)
        return value
