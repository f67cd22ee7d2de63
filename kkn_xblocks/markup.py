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
LMS). So the library's C API is called here with every allocation released: through the functions
the package's compiled cffi module exports, and, for the two that free what it does not export
(``cmark_node_free`` and the allocator's ``free``), through ctypes in the same loaded library. (A
cffi declaration of them instead made every process that imports the blocks parse C declarations
with pycparser: 25 ms of each course build's start-up.)
"""
import ctypes
import functools
import re
from types import SimpleNamespace

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

_LIB, _FFI = _cmark.lib, _cmark.ffi
_LIBRARY = ctypes.CDLL(_cmark.__file__)  # the library cmarkgfm has loaded already


class _Allocator(ctypes.Structure):  # cmark_mem (cmark-gfm's cmark-gfm.h)
    _fields_ = [("calloc", ctypes.c_void_p), ("realloc", ctypes.c_void_p),
                ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p))]


_LIBRARY.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Allocator)
_LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
_LIBRARY.cmark_node_free.restype = None
# parser_new's allocator: the one render_html allocates the HTML with
_FREE = _LIBRARY.cmark_get_default_mem_allocator().contents.free


def _address(pointer):
    """A cffi pointer as the number ctypes passes on."""
    return int(_FFI.cast("uintptr_t", pointer))


_CMARK = SimpleNamespace(
    cmark_parser_new=_LIB.cmark_parser_new,
    cmark_parser_attach_syntax_extension=_LIB.cmark_parser_attach_syntax_extension,
    cmark_parser_feed=_LIB.cmark_parser_feed,
    cmark_parser_finish=_LIB.cmark_parser_finish,
    cmark_parser_get_syntax_extensions=_LIB.cmark_parser_get_syntax_extensions,
    cmark_render_html=_LIB.cmark_render_html,
    cmark_parser_free=_LIB.cmark_parser_free,
    cmark_node_free=lambda node: _LIBRARY.cmark_node_free(_address(node)),
)
_MEMORY = SimpleNamespace(free=lambda pointer: _FREE(_address(pointer)))
_LIB.cmark_gfm_core_extensions_ensure_registered()
_OPTIONS = Options.CMARK_OPT_UNSAFE
_TABLE = _LIB.cmark_find_syntax_extension(b"table")
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
