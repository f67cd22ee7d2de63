"""Author Markdown/HTML to safe HTML, and learner text measures.

Author text is trusted to format, never to script: Markdown is rendered as CommonMark with tables
(raw HTML allowed, as course authors expect) and the result always passes an nh3 allow-list.
Learner text is never rendered as HTML at all; templates autoescape it.

The renderer is cmark-gfm, GitHub's C implementation of CommonMark, through ``cmarkgfm``: about ten
times faster than markdown-it-py, whose output it matches after sanitising on every example page
and a generated corpus (``tests/test_markup.py``). Chosen over ``markdown-it-pyrs`` because it is
kept up (releases through 2025, wheels for CPython 3.9 to 3.14, the renderer of PyPI's own project
pages) while markdown-it-pyrs had its last release in 2024 and no wheels after 3.12.

cmarkgfm's own Python functions leak: ``markdown_to_html_with_extensions`` never frees the parsed
document nor the HTML buffer (about 6 kB a page, 100 MB for a large course; fatal in a long-running
LMS). So the library's C API, which the package's compiled module exports, is called here through
cffi (a dependency of cmarkgfm) with every allocation released.
"""
import functools
import re

import cffi
import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

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

_FFI = cffi.FFI()
_FFI.cdef("""
typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;
typedef struct cmark_llist cmark_llist;
typedef struct cmark_syntax_extension cmark_syntax_extension;
typedef struct cmark_mem {
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  void (*free)(void *);
} cmark_mem;
cmark_mem *cmark_get_default_mem_allocator(void);
void cmark_gfm_core_extensions_ensure_registered(void);
cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
cmark_parser *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *extension);
void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *cmark_parser_finish(cmark_parser *parser);
cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
void cmark_node_free(cmark_node *node);
void cmark_parser_free(cmark_parser *parser);
""")
_CMARK = _FFI.dlopen(_cmark.__file__)  # the library cmarkgfm has loaded already
_CMARK.cmark_gfm_core_extensions_ensure_registered()
_MEMORY = _CMARK.cmark_get_default_mem_allocator()  # parser_new's allocator: what render_html uses
# CMARK_OPT_UNSAFE keeps raw HTML for nh3 to judge (cmark would otherwise drop it all); only the
# table extension, so nothing beyond CommonMark + tables (no autolinks, no tag filter).
_OPTIONS = Options.CMARK_OPT_UNSAFE
_TABLE = _CMARK.cmark_find_syntax_extension(b"table")
_WORD = re.compile(r"\w+", re.UNICODE)


# Built once: ``nh3.clean`` with keyword arguments converts the allow-lists on every call, which
# cost more than the cleaning itself on a course's worth of short pages.
_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                       link_rel="noopener noreferrer")


def sanitize_html(html):
    """Keep formatting, drop scripts, event handlers, styles and unknown schemes."""
    return _CLEANER.clean(html or "")


@functools.lru_cache(maxsize=512)
def render_markdown(text):
    """Author Markdown to sanitised HTML. Cached: the same content renders on every page view."""
    return sanitize_html(markdown_html(text or ""))


def markdown_html(text):
    """CommonMark with tables to HTML, not yet sanitised (``render_markdown`` is the door to use)."""
    # A lone surrogate (possible in JSON from Studio) has no UTF-8 form: it becomes "?".
    data = text.encode("utf-8", "replace")
    parser = _CMARK.cmark_parser_new(_OPTIONS)
    try:
        _CMARK.cmark_parser_attach_syntax_extension(parser, _TABLE)
        _CMARK.cmark_parser_feed(parser, data, len(data))
        document = _CMARK.cmark_parser_finish(parser)  # now ours to free
        try:
            html = _CMARK.cmark_render_html(document, _OPTIONS, _CMARK.cmark_parser_get_syntax_extensions(parser))
            try:
                return _FFI.string(html).decode("utf-8")
            finally:
                _MEMORY.free(html)
        finally:
            _CMARK.cmark_node_free(document)
    finally:
        _CMARK.cmark_parser_free(parser)


def word_count(text):
    """Words as a reader counts them (letters and digits in any script, å, ä and ö included)."""
    return len(_WORD.findall(text or ""))
