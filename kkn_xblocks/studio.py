"""A Studio editor that authors can really use: one labelled input per field, plain-text formats
for structured fields (one item per line, question blocks), and validation that names the field
and says how to fix it. Each block declares its ``author_fields`` and a ``author_problems`` rule.

In the LMS, content and settings fields are read-only; a learner who calls ``studio_submit``
there gets a 403, not the runtime's 500.
"""
from dataclasses import dataclass
from typing import Callable

from xblock.exceptions import InvalidScopeError
from xblock.validation import ValidationMessage

from .handlers import Refusal, json_handler


def _(text):
    return text


class AuthorError(ValueError):
    """A field value an author typed that cannot be used; ``str()`` is the translated message."""


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


class StudioFormMixin:
    """Adds ``studio_view``, ``studio_submit`` and ``validate`` from ``author_fields``."""

    author_fields = ()

    def author_problems(self, values):
        """Cross-field rules: ``{field name: translated message}``. Blocks override this."""
        return {}

    def current_author_values(self):
        return {spec.name: getattr(self, spec.name) for spec in self.author_fields}

    def studio_view(self, context=None):
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
