"""The compiled Markdown renderer gives what markdown-it-py gave, after sanitising.

``kkn_xblocks.markup`` renders with cmark-gfm; until it did, the blocks and the builder rendered with
markdown-it-py (CommonMark preset, raw HTML on, tables on). Authors' pages must look the same after
the switch, so every example page and a generated corpus of Markdown constructs are rendered both
ways and compared after the same nh3 sanitising that every rendering passes.
"""
import random
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from kkn_xblocks.markup import render_markdown, sanitize_html

ROOT = Path(__file__).resolve().parent.parent
# The renderer the project used before, configured exactly as it was in markup.py.
_OLD = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")


def old_rendering(text):
    return sanitize_html(_OLD.render(text))


def same_rendering(text):
    """Whether both renderers agree on ``text``. The one difference found: when text without a final
    newline ends in a raw HTML block, cmark-gfm closes the block with a newline and markdown-it-py
    does not. A trailing newline in HTML shows nothing, and files (every page) end in one."""
    new, old = render_markdown(text), old_rendering(text)
    return new == old or (not text.endswith("\n") and new == old + "\n")


EXAMPLE_PAGES = sorted((ROOT / "examples").rglob("*.md")) + sorted((ROOT / "course_export" / "template").rglob("*.md"))

# Pieces authors write: headings, emphasis, lists, links, images, tables, code, quotes, raw HTML
# (allowed and forbidden), entities, Swedish letters, hard breaks and the odd edge of CommonMark.
BLOCKS = [
    "# Rubrik med *betoning*", "## Näringsliv och **samverkan**", "### Tre\n", "Setext-rubrik\n=============",
    "Ett stycke med *kursiv*, **fet**, ***båda*** och `kod`.", "Rad ett  \nrad två med hårt radbrott.",
    "Rad ett\\\nrad två.", "- punkt ett\n- punkt två\n  - inre punkt\n- punkt tre",
    "1. första\n2. andra\n3. tredje", "3) börjar på tre\n4) fyra", "* [ ] uppgift\n* [x] klar",
    "> Ett citat\n> på två rader\n>\n> - med lista", "```\nkod & <tagg>\n```", "```python\nprint('hej')\n```",
    "    indragen kod", "| Kommun | Roll |\n| --- | :---: |\n| Lund | Kultur |\n| Ystad | Näringsliv |",
    "| a | b |\n|---|---|\n| `x|y` | *z* |", "---", "***", "[Länk](https://example.org/sida \"Titel\")",
    "[Referenslänk][ref]\n\n[ref]: https://example.org/ref", "<https://example.org/auto>", "<info@example.org>",
    "![Bild](/static/bild.png \"Bildtext\")", "![](static/karta.svg)", "&amp; &copy; &#228; &#x00F6; &nbsp;",
    "<div class=\"ruta\">\n\n*Markdown i html*\n\n</div>", "<details><summary>Mer</summary>\nDolt innehåll\n</details>",
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">klick</a>",
    "<span style=\"color:red\" title=\"t\">röd</span>", "<iframe src=\"https://example.org\"></iframe>",
    "Text med <kbd>Ctrl</kbd>+<kbd>C</kbd> och <abbr title=\"Region\">R</abbr>.", "<!-- kommentar -->",
    "Åtta övningar för äldre: å, ä, ö, Å, Ä, Ö, é, ü.", "*inte stängd", "**fet*kursiv*fet**", "_under_streck_",
    "snake_case_ord och 2*3*4", "\\*inte kursiv\\*", "Fotnot[^1]\n\n[^1]: Inte en fotnot i CommonMark.",
    "~~genomstruken~~", "www.example.org utan länk", "Tabell utan rader\n| a |\n| - |", "  \n  ",
    "<table><tr><td>HTML-tabell</td></tr></table>", "1. lista\n\n   med stycke\n2. och mer",
    "Term\n: inte en definitionslista", "<p align=\"center\">centrerad</p>", "[tom]()", "<mark>markerad</mark>",
]


def corpus(count, seed=16):
    """``count`` documents of 1 to 8 random pieces each, the same every run."""
    chooser = random.Random(seed)
    return ["\n\n".join(chooser.choice(BLOCKS) for _ in range(chooser.randint(1, 8))) for _ in range(count)]


def test_the_examples_have_pages():
    assert len(EXAMPLE_PAGES) >= 40


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_example_page_renders_as_before(page):
    text = page.read_text(encoding="utf-8")
    assert render_markdown(text) == old_rendering(text)


def test_a_generated_corpus_renders_as_before():
    documents = corpus(3000)
    different = [text for text in documents if not same_rendering(text)]
    assert not different, different[:3]
    # As files are written (with a final newline), not even the newline differs.
    assert [text for text in documents if render_markdown(text + "\n") != old_rendering(text + "\n")] == []


@pytest.mark.parametrize("text", BLOCKS)
def test_each_construct_renders_as_before(text):
    assert same_rendering(text)
    assert render_markdown(text + "\n") == old_rendering(text + "\n")


def test_nothing_unsafe_survives():
    html = render_markdown("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))")
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_text_without_a_utf8_form_still_renders():
    """A lone surrogate (JSON from Studio may carry one) has no UTF-8 form; it becomes a replacement mark."""
    assert render_markdown("a\ud800b") == "<p>a?b</p>\n"


def test_the_renderer_frees_what_cmark_allocates(monkeypatch):
    """cmarkgfm's own wrapper leaks the document and the HTML of every rendering; ours releases both
    (and the parser), even when rendering fails half-way."""
    from kkn_xblocks import markup
    calls = []

    class Counting:
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            function = getattr(self.real, name)

            def counted(*args):
                calls.append(name)
                return function(*args)
            return counted
    monkeypatch.setattr(markup, "_CMARK", Counting(markup._CMARK))  # pylint: disable=protected-access
    monkeypatch.setattr(markup, "_MEMORY", Counting(markup._MEMORY))  # pylint: disable=protected-access
    for text in corpus(20):
        calls.clear()
        assert markup.markdown_html(text)
        assert calls.count("cmark_parser_new") == calls.count("cmark_parser_free") == 1
        assert calls.count("cmark_parser_finish") == calls.count("cmark_node_free") == 1
        assert calls.count("cmark_render_html") == calls.count("free") == 1
