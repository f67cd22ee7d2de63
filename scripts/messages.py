"""Message catalogs: extract the msgids from code and templates, merge the Swedish translations and
compile them.

Two catalogs, one per distribution part:

* ``kkn_xblocks``: gettext domain ``text``, compiled to ``kkn_xblocks/translations/sv/LC_MESSAGES/text.mo``
  (where the LMS's XBlockI18nService looks for an XBlock's own catalog).
* ``course_export``: domain ``kkn_course``, compiled to ``course_export/locale/sv/LC_MESSAGES/kkn_course.mo``.
* the course preview's pages: Django's domain ``django`` (what ``{% translate %}`` reads), compiled to
  ``course_export/preview/locale/sv/LC_MESSAGES/django.mo`` (a ``LOCALE_PATHS`` entry of the preview).

Translations are written by hand in ``<...>/src/sv/<area>.po`` files (one per block or command, so
people working on different blocks never edit the same file). This script merges them, in sorted
order, into the domain's ``.po`` (kept in git for review) and ``.mo``.

    python3 dev.py messages           merge + compile, then list what is missing
    python3 dev.py messages --check   fail if anything is missing or the compiled files are stale
"""
import io
import sys
from datetime import datetime, timezone
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VERSION = "0.1"
STABLE_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}


@dataclass(frozen=True)
class Domain:
    name: str
    package: Path
    sources: Path  # folder of hand-written src/sv/*.po
    compiled: Path  # folder holding <domain>.po and <domain>.mo
    suffixes: tuple = (".py", ".html")  # which files of the package belong to this domain


DOMAINS = [
    Domain("text", ROOT / "kkn_xblocks", ROOT / "kkn_xblocks/translations/src/sv",
           ROOT / "kkn_xblocks/translations/sv/LC_MESSAGES"),
    Domain("kkn_course", ROOT / "course_export", ROOT / "course_export/locale/src/sv",
           ROOT / "course_export/locale/sv/LC_MESSAGES", (".py",)),
    Domain("django", ROOT / "course_export/preview", ROOT / "course_export/preview/locale/src/sv",
           ROOT / "course_export/preview/locale/sv/LC_MESSAGES", (".html",)),
]
SKIP_PARTS = {"devserver", "tests", "__pycache__", "migrations"}


def _templatize(text):
    """Django template -> Python-like source with gettext() calls, for Babel's Python extractor."""
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    if not settings.configured:
        settings.configure()
    from django.utils.translation.template import templatize  # pylint: disable=import-outside-toplevel
    return templatize(text)


def extract_msgids(domain):
    """``{msgid or (singular, plural): [locations]}`` used by the domain's code and templates."""
    found = {}
    for path in sorted(domain.package.rglob("*")):
        if SKIP_PARTS & set(path.relative_to(domain.package).parts) or not path.is_file():
            continue
        if path.suffix not in domain.suffixes:
            continue
        if path.suffix == ".py":
            source = path.read_bytes()
        elif path.suffix == ".html" and "templates" in path.parts:
            source = _templatize(path.read_text(encoding="utf-8")).encode("utf-8")
        else:
            continue
        for lineno, message, _comments, _context in extract("python", io.BytesIO(source), keywords=KEYWORDS):
            if isinstance(message, tuple):
                message = tuple(m for m in message if m)
                if len(message) == 1:
                    message = message[0]
            if not message:
                continue
            found.setdefault(message, []).append((str(path.relative_to(ROOT)), lineno))
    return found


def read_sources(domain):
    """All hand-written translations of the domain, ``{msgid: msgstr}``."""
    translations = {}
    for po in sorted(domain.sources.glob("*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="sv")
        for message in catalog:
            if message.id and message.string and (not isinstance(message.string, tuple) or all(message.string)):
                # Plural entries are keyed by their singular msgid, as gettext looks them up.
                key = message.id if isinstance(message.id, str) else message.id[0]
                translations[key] = message.string
    return translations


def build(domain):
    """The merged catalog plus what is missing and what no longer appears in the code."""
    used = extract_msgids(domain)
    translations = read_sources(domain)
    # Fixed dates keep the generated files byte-stable, so "--check" can compare them.
    catalog = Catalog(locale="sv", domain=domain.name, project="kkn-xblocks", version=PROJECT_VERSION, charset="utf-8",
                      fuzzy=False, creation_date=STABLE_DATE, revision_date=STABLE_DATE,
                      header_comment="# Swedish translations of kkn-xblocks (generated by scripts/messages.py).")
    missing = []
    for msgid in sorted(used, key=lambda m: m if isinstance(m, str) else m[0]):
        key = msgid if isinstance(msgid, str) else msgid[0]
        string = translations.get(key)
        if string is None:
            missing.append((msgid, used[msgid][0]))
            continue
        catalog.add(msgid, string, locations=[])
    used_keys = {m if isinstance(m, str) else m[0] for m in used}
    unused = sorted(k if isinstance(k, str) else k[0] for k in translations if k not in used_keys)
    return catalog, missing, unused


def render(catalog):
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalog, omit_header=False, sort_output=True, no_location=True, width=100)
    write_mo(mo, catalog)
    return po.getvalue(), mo.getvalue()


def main(argv):
    check = "--check" in argv
    failed = False
    for domain in DOMAINS:
        if not domain.package.exists():
            continue
        catalog, missing, unused = build(domain)
        po_bytes, mo_bytes = render(catalog)
        po_path, mo_path = domain.compiled / f"{domain.name}.po", domain.compiled / f"{domain.name}.mo"
        stale = not po_path.exists() or po_path.read_bytes() != po_bytes or not mo_path.exists()
        for msgid, (where, line) in missing:
            print(f"missing Swedish translation: {msgid!r} ({where}:{line})")
        for msgid in unused:
            print(f"note: translated but no longer used: {msgid!r} ({domain.name})")
        if check:
            if stale:
                print(f"{po_path.relative_to(ROOT)} is out of date: run python3 dev.py messages")
            failed |= bool(missing) or stale
        else:
            domain.compiled.mkdir(parents=True, exist_ok=True)
            po_path.write_bytes(po_bytes)
            mo_path.write_bytes(mo_bytes)
            print(f"{domain.name}: {len(catalog)} messages, {len(missing)} missing -> {mo_path.relative_to(ROOT)}")
            failed |= bool(missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
