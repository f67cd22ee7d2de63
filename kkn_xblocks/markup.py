"""Author Markdown/HTML to safe HTML, and learner text measures.

Author text is trusted to format, never to script: Markdown is rendered with markdown-it (raw
HTML allowed, as course authors expect) and the result always passes an nh3 allow-list. Learner
text is never rendered as HTML at all; templates autoescape it.
"""
import functools
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "title"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
_WORD = re.compile(r"\w+", re.UNICODE)


def sanitize_html(html):
    """Keep formatting, drop scripts, event handlers, styles and unknown schemes."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


@functools.lru_cache(maxsize=512)
def render_markdown(text):
    """Author Markdown to sanitised HTML. Cached: the same content renders on every page view."""
    return sanitize_html(_MARKDOWN.render(text or ""))


def word_count(text):
    """Words as a reader counts them (letters and digits in any script, å, ä and ö included)."""
    return len(_WORD.findall(text or ""))
