"""The package's own message catalog in a given language, outside any runtime.

Blocks normally translate through the runtime's i18n service. Some texts are in a fixed language
whatever the user's (the verification page's English side; the register extract, which is a
Swedish document), and some are written outside a block (management commands): they read the
compiled catalog directly.
"""
import functools
import gettext as gettext_module
from importlib.resources import files


@functools.lru_cache(maxsize=4)
def translations(language):
    """The catalog in ``language`` (English is the msgids themselves)."""
    if language == "en":
        return gettext_module.NullTranslations()
    return gettext_module.translation("text", str(files("kkn_xblocks") / "translations"), [language], fallback=True)
