"""Studio is a runtime too: the editor, who may use it, and the author's read-only summary.

The editor: one labelled input per field, plain-text formats for structured fields (one item per
line, question blocks), and validation that names the field and says how to fix it. Each block
declares its ``author_fields`` and a ``author_problems`` rule.

Who may edit is checked on the server, in the view and in the handler: Studio's own
``studio_user_permissions`` service where the runtime has one (Studio's preview and editor runtimes,
openedx-platform ``cms/djangoapps/contentstore/views/preview.py`` and ``load_services_for_studio``
in ``cms/djangoapps/contentstore/utils.py``), course staff elsewhere. Studio's ``component_handler``
(``cms/djangoapps/contentstore/views/component.py``), which runs ``studio_submit``, only asks for a
login, so the block's own check is the one that counts. In the LMS, content and settings fields are
read-only; a learner who calls ``studio_submit`` there gets a 403, not the runtime's 500.

``author_view`` is what Studio shows on the unit page (``has_author_view = True``): each block's
settings, rules and answer key at a glance, and the problems ``validate`` finds. It reads no record.
"""
from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied
from web_fragments.fragment import Fragment
from xblock.exceptions import InvalidScopeError
from xblock.validation import ValidationMessage

from .errors import AuthorError
from .handlers import Refusal, json_handler


def _(text):
    return text


@dataclass(frozen=True)
class AuthorField:
    """One input of the Studio editor, bound to the block field of the same name."""

    name: str
    kind: str = "text"  # text | textarea | markdown | integer | boolean | choice | lines | custom
    choices: tuple = ()  # ((value, label msgid), ...) for kind "choice"
    minimum: int | None = None
    maximum: int | None = None
    max_chars: int = 50_000
    rows: int = 6
    required: bool = False
    to_text: Callable | None = None  # custom: field value -> editable text
    from_text: Callable | None = None  # custom: (text, gettext) -> field value, or AuthorError
    example: str = ""  # msgid shown under the help text for custom formats


def value_to_text(spec, value):
    if spec.kind == "custom":
        return spec.to_text(value)
    if spec.kind == "lines":
        return "\n".join(value or [])
    if spec.kind == "boolean":
        return "true" if value else "false"
    return "" if value is None else str(value)


def text_to_value(spec, text, gettext):
    """Parse what the author typed. Raises AuthorError with a translated message."""
    if not isinstance(text, str):
        raise AuthorError(gettext(_("This value must be text.")))
    if len(text) > spec.max_chars:
        raise AuthorError(gettext(_("This is too long: at most {limit} characters.")).format(limit=spec.max_chars))
    stripped = text.strip()
    if spec.required and not stripped:
        raise AuthorError(gettext(_("This field is required.")))
    if spec.kind == "custom":
        return spec.from_text(text, gettext)
    if spec.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if spec.kind == "boolean":
        return stripped == "true"
    if spec.kind == "integer":
        try:
            number = int(stripped)
        except ValueError:
            raise AuthorError(gettext(_("Write a whole number, for example 3."))) from None
        if spec.minimum is not None and number < spec.minimum or spec.maximum is not None and number > spec.maximum:
            raise AuthorError(gettext(_("Write a number from {minimum} to {maximum}.")).format(
                minimum=spec.minimum, maximum=spec.maximum))
        return number
    if spec.kind == "choice":
        allowed = [value for value, _label in spec.choices]
        if stripped not in allowed:
            raise AuthorError(gettext(_("Choose one of the listed options.")))
        return stripped
    if spec.kind in ("markdown", "textarea"):
        return text.strip("\n")
    return stripped


READ, EDIT = "read", "edit"
# What StudioPermissionsService (openedx-platform ``openedx/core/djangoapps/content/services.py``)
# answers, newest name first: releases after Ulmo add ``can_read_content``/``can_edit_content`` and
# deprecate ``can_read``/``can_write``, which Ulmo and Verawood have.
_PERMISSION_METHODS = {READ: ("can_read_content", "can_read"), EDIT: ("can_edit_content", "can_write")}


def studio_allows(permissions, context_key, right):
    """What Studio's permission service says of ``right`` (READ or EDIT) in the course or library
    ``context_key``. No key or no method we know: no."""
    if context_key is None:
        return False
    for name in _PERMISSION_METHODS[right]:
        method = getattr(permissions, name, None)
        if callable(method):
            return bool(method(context_key))
    return False


class StudioFormMixin:
    """Adds ``studio_view``, ``studio_submit``, ``author_view`` and ``validate`` from ``author_fields``.

    Blocks give ``author_template`` and ``author_context()`` for their ``author_view``."""

    author_fields = ()
    has_author_view = True
    author_template = ""

    # --- who may author ------------------------------------------------------------------------
    def may_author(self, right=EDIT):
        """Studio's answer where Studio is asked; course staff elsewhere (the local runtime; the LMS
        never shows these views)."""
        permissions = self.runtime.service(self, "studio_user_permissions")
        if permissions is not None:
            return studio_allows(permissions, getattr(self.scope_ids.usage_id, "context_key", None), right)
        return self.person.is_staff

    def _not_author_text(self):
        return self.gettext(_("Only the course team, with the right to edit the course in Studio, can see or "
                              "change this block's settings."))

    def require_author(self, right=EDIT):
        """For views: Django answers PermissionDenied with a 403, in Studio as in the local runtime."""
        if not self.may_author(right):
            raise PermissionDenied(self._not_author_text())

    # --- the author's summary ------------------------------------------------------------------
    def author_context(self):
        """The block's own part of its ``author_view``. Blocks override this."""
        return {}

    def author_view(self, context=None):
        """Read-only, for whoever may read the course in Studio. Reads no record: it is the block's
        settings and content only."""
        self.require_author(READ)
        problems = [{"error": m.type == ValidationMessage.ERROR, "text": m.text} for m in self.validate().messages]
        body = self.render_template(self.author_template, {"block": self, **self.author_context()})
        html = self.render_template("author.html", {"block": self, "problems": problems, "body": body})
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/css/kkn.css"))
        return fragment

    def author_problems(self, values):
        """Cross-field rules: ``{field name: translated message}``. Blocks override this."""
        return {}

    def current_author_values(self):
        return {spec.name: getattr(self, spec.name) for spec in self.author_fields}

    def studio_view(self, context=None):
        self.require_author(EDIT)
        gettext = self.gettext
        fields = []
        for spec in self.author_fields:
            field = self.fields[spec.name]
            fields.append({
                "name": spec.name,
                "kind": spec.kind,
                "id": self.dom_id(f"field-{spec.name}"),
                "label": gettext(field.display_name or spec.name),
                "help": gettext(field.help) if field.help else "",
                "example": gettext(spec.example) if spec.example else "",
                "value": value_to_text(spec, getattr(self, spec.name)),
                "choices": [(value, gettext(label)) for value, label in spec.choices],
                "rows": spec.rows,
                "required": spec.required,
                "minimum": spec.minimum,
                "maximum": spec.maximum,
            })
        html = self.render_template("studio.html", {"fields": fields})
        return self.make_fragment(html, "kkn-studio.js", "KknStudioForm", {
            "saving": gettext(_("Saving\u2026")),
            "fix": gettext(_("Some fields need fixing before the block can be saved.")),
            "failed": gettext(_("The changes could not be saved.")),
        })

    def parse_author_values(self, submitted):
        """``(values, errors)`` for a dict of texts keyed by field name."""
        gettext = self.gettext
        values, errors = {}, {}
        for spec in self.author_fields:
            if spec.name not in submitted:
                errors[spec.name] = gettext(_("This field is missing from the form. Reload the editor."))
                continue
            try:
                values[spec.name] = text_to_value(spec, submitted[spec.name], gettext)
            except AuthorError as error:
                errors[spec.name] = str(error)
        if not errors:
            errors.update(self.author_problems(values))
        return values, errors

    @json_handler
    def studio_submit(self, payload, suffix=""):
        self.refuse_in_studio_preview()  # the editor posts to Studio's component handler, never here
        if not self.may_author(EDIT):
            raise Refusal(403, self._not_author_text())
        submitted = payload.mapping("values", max_items=len(self.author_fields) + 1)
        values, errors = self.parse_author_values(submitted)
        if errors:
            raise Refusal(400, self.gettext(_("Some fields need fixing before the block can be saved.")),
                          field_errors=errors)
        try:
            for name, value in values.items():
                setattr(self, name, value)
            self.save()
        except InvalidScopeError:
            raise Refusal(403, self.gettext(_("Blocks are edited in Studio, not here."))) from None
        return {"result": "success"}

    def validate(self):
        """Studio shows these on the block in the unit page."""
        validation = super().validate()
        for field, message in self.author_problems(self.current_author_values()).items():
            label = self.gettext(self.fields[field].display_name or field)
            validation.add(ValidationMessage(ValidationMessage.ERROR, f"{label}: {message}"))
        return validation
