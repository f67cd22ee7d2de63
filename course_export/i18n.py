"""Translations of course_export's messages (gettext domain ``kkn_course``).

The language follows the usual environment variables (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG``), as for any command-line tool; ``KKN_LANGUAGE`` overrides them. Messages are English in
the code and Swedish in ``locale/sv``. :func:`activate` switches the language at run time (tests,
the local preview).
"""
import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "kkn_course"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
BLOCKS_LOCALE_DIR = Path(__file__).resolve().parent.parent / "kkn_xblocks" / "translations"

_active = None
_active_languages = None


def _languages():
    override = os.environ.get("KKN_LANGUAGE")
    if override:
        return [override]
    return None  # gettext reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG itself


def activate(language=None):
    """Use ``language`` (``"sv"``, ``"en"``) or, with ``None``, the environment's language."""
    global _active, _active_languages  # pylint: disable=global-statement
    _active_languages = [language] if language else _languages()
    _active = _gettext.translation(DOMAIN, LOCALE_DIR, languages=_active_languages, fallback=True)
    return _active


def active_language():
    """The language of the active catalog ("" for English, the code's own)."""
    return (_active or activate()).info().get("language", "")


def gettext(message):
    return (_active or activate()).gettext(message)


def ngettext(singular, plural, number):
    return (_active or activate()).ngettext(singular, plural, number)


_ = gettext


def block_gettext():
    """The blocks' own catalog (domain ``text``) in the active language.

    The builder runs the blocks' author rules (``kkn_xblocks.*_rules``), whose messages live there.
    """
    if _active is None:
        activate()
    catalog = _gettext.translation("text", BLOCKS_LOCALE_DIR, languages=_active_languages, fallback=True)
    return catalog.gettext


def course_gettext(language):
    """Text the builder writes into a course (e.g. a chapter title), in the course's own language."""
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True).gettext


def course_translation(language):
    """``course_gettext``'s catalog itself, for text with plural forms."""
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
