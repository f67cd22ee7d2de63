"""Pages printed in Swedish and English whatever the reader's language: the certificate and its
public verification. Both render package templates with the blocks' own catalog fixed to one
language per section."""
import functools
from importlib.resources import files
from zoneinfo import ZoneInfo

from django.template import Context
from django.utils import formats, translation

from .base import _compiled_template, block_catalog
from .catalog import translations

LANGUAGES = ("sv", "en")


def render_in(language, template, context):
    """A package template in one language (``lang`` in the context says which)."""
    # The package catalog fixed to one language, whatever the user's.
    with translation.override(language), block_catalog(translations(language)):
        return _compiled_template(template).render(Context({**context, "lang": language}))


def date_text(moment, language, zone):
    """A date as the reader of ``language`` writes it ("10 mars 2026" / "10 March 2026"), in ``zone``."""
    with translation.override(language):
        return formats.date_format(moment.astimezone(ZoneInfo(zone)).date(), "j F Y")


@functools.lru_cache(maxsize=None)
def stylesheet(*names):
    """The package's CSS files as one text, for pages no block runtime serves (no resource URL there)."""
    return "\n".join((files("kkn_xblocks") / "public" / "css" / name).read_text(encoding="utf-8") for name in names)
