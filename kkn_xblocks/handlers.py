"""Thin, strict JSON handlers: parse, check every input, answer bad input with a translated 4xx.

``XBlock.json_handler`` answers malformed JSON with an untranslated "Invalid JSON" and accepts any
JSON value; these handlers translate every refusal, cap the body size and insist on an object.
A handler body only reads its inputs through ``Payload`` and calls a rule; it never sees a
request and never returns a 500 for anything the browser sent.
"""
import functools
import json

from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError

MAX_BODY_BYTES = 256 * 1024


def _(text):
    """Mark a msgid for extraction; it is translated when the error is raised."""
    return text


class Refusal(JsonHandlerError):
    """A refused request: HTTP status and a message already translated for the user.

    ``details`` (optional) is merged into the JSON body, e.g. ``{"field_errors": {...}}``.
    """

    def __init__(self, status_code, message, **details):
        super().__init__(status_code, message)
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


def json_handler(func):
    """Decorate ``func(self, payload, suffix)``; ``self.gettext`` translates the refusals."""

    @XBlock.handler
    @functools.wraps(func)
    def wrapper(self, request, suffix=""):
        gettext = self.gettext
        if request.method != "POST":
            return Refusal(405, gettext(_("This address only accepts POST requests."))).get_response(allow=["POST"])
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return Refusal(413, gettext(_("The request is too large. Shorten the text and try again."))).get_response()
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Refusal(400, gettext(_("The request could not be read. Reload the page and try again."))).get_response()
        if not isinstance(data, dict):
            return Refusal(400, gettext(_("The request could not be read. Reload the page and try again."))).get_response()
        try:
            return json_response(func(self, Payload(data, gettext), suffix))
        except JsonHandlerError as error:
            return error.get_response()

    return wrapper


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
