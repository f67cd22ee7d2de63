"""The Swedish catalogs are complete and compiled: every msgid in code and templates is translated."""
import gettext

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location("messages", pathlib.Path(__file__).parent.parent / "scripts" / "messages.py")
messages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(messages)


def test_every_msgid_has_a_swedish_translation_and_the_catalog_is_compiled():
    for domain in messages.DOMAINS:
        if not domain.package.exists():
            continue
        catalog, missing, _unused = messages.build(domain)
        assert not missing, f"untranslated in {domain.name}: {[m for m, _where in missing]}"
        po_bytes, _mo = messages.render(catalog)
        compiled = domain.compiled / f"{domain.name}.po"
        assert compiled.read_bytes() == po_bytes, f"{compiled} is stale: run python3 dev.py messages"
        translation = gettext.translation(domain.name, domain.compiled.parent.parent, ["sv"])
        for message in catalog:
            if isinstance(message.id, str) and message.id:
                assert translation.gettext(message.id) == message.string


def test_the_lms_finds_the_block_catalog_where_it_looks():
    # XBlockI18nService: gettext.translation("text", <block module's package>/translations, [locale]).
    from importlib.resources import files
    path = files("kkn_xblocks") / "translations"
    translation = gettext.translation("text", str(path), ["sv"])
    assert translation.gettext("Save draft") == "Spara utkast"
