"""What the three kkn blocks share: translation, who is asking, templates, fragments and CSV."""
import copy
import csv
import functools
from collections.abc import Mapping
from contextlib import contextmanager
import hashlib
import io
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Engine, Template
from django.template.backends.django import get_installed_libraries
from django.utils.translation import get_language, trans_real
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XML_NAMESPACES, XBlock
from xblock.fields import UserScope

from . import identity
from .handlers import Refusal

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _(text):
    """Mark a msgid for extraction; translated where it is shown."""
    return text


# The local runtime (the xblock-sdk workbench) knows no courses: its usage ids are plain strings.
# The course preview starts each block's usage id with its course key, "course-v1:ORG+NUMBER+RUN."
# (a run holds no "."), so the blocks see the courses of a programme there as they do in the LMS,
# where the usage key's ``context_key`` is the course.
LOCAL_COURSE_USAGE = re.compile(r"^(course-v1:[^+/\s]+\+[^+/\s]+\+[A-Za-z0-9_-]+)\.")


def kkn_services(cls):
    """The services every kkn block asks for: i18n is needed; the others may be missing (Studio,
    anonymous users), and the code copes with None. ``studio_user_permissions`` is Studio's
    (``studio.StudioFormMixin`` asks it who may edit)."""
    cls = XBlock.wants("user")(XBlock.wants("settings")(XBlock.wants("studio_user_permissions")(cls)))
    return XBlock.needs("i18n")(cls)


class KknBlockMixin:
    """Mixed into each kkn block (decorate the block class with ``kkn_services``)."""

    # OLX attributes that earlier releases wrote, read as the field that replaced them ({old: new}).
    # A field is renamed when its name collides with a platform field (tests/test_platform_fields.py):
    # archives built before keep importing with the author's value.
    renamed_attributes = {}

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        renamed = [old for old in cls.renamed_attributes if old in node.attrib]
        if renamed:
            node = copy.deepcopy(node)  # the caller's tree stays as it was read
            for old in renamed:
                value = node.attrib.pop(old)
                if cls.renamed_attributes[old] not in node.attrib:  # the new name wins when both are written
                    node.set(cls.renamed_attributes[old], value)
        return super().parse_xml(node, runtime, keys)

    # --- translation ---------------------------------------------------------------------------
    @property
    def i18n(self):
        return self.runtime.service(self, "i18n")

    def gettext(self, text):
        return self.i18n.gettext(text)

    def ngettext(self, singular, plural, number):
        return self.i18n.ngettext(singular, plural, number)

    # --- OLX -----------------------------------------------------------------------------------
    def add_xml_to_node(self, node):
        """OLX is course content every author and every copy of the course sees: it never carries a
        learner's state. XBlock writes every field set on the block, so a block bound to a learner
        (exported by a runtime that loaded it for her) would put her draft into the OLX."""
        super().add_xml_to_node(node)
        for name, field in self.fields.items():
            if getattr(field.scope, "user", UserScope.NONE) != UserScope.NONE:
                node.attrib.pop(name, None)
                for element in node.findall(f"{{{XML_NAMESPACES['option']}}}{name}"):
                    node.remove(element)

    # --- who is asking -------------------------------------------------------------------------
    @property
    def person(self):
        return identity.current_person(self)

    def require_staff(self):
        """Staff-only actions: checked here, on the server, whatever the page showed."""
        person = self.person
        self.refuse_in_studio_preview(person)
        if not person.is_staff:
            raise Refusal(403, self.gettext(_("Only course staff can do this.")))
        return person

    def require_learner(self):
        person = self.person
        self.refuse_in_studio_preview(person)
        if not person.known:
            raise Refusal(403, self.gettext(_("Sign in to save your work.")))
        return person

    def refuse_in_studio_preview(self, person=None):
        """Every handler that writes (and every staff handler) passes here first: Studio's preview
        runs as the author under her real user id, so nothing may be recorded there
        (``identity.in_studio_preview``)."""
        if (person or self.person).studio_preview:
            raise Refusal(403, self._studio_preview_text())

    def _studio_preview_text(self):
        return self.gettext(_("Studio's preview saves nothing and shows no participant data. Try the block in the "
                              "LMS, for example with the course's preview or as a test learner."))

    def __repr__(self):
        # XBlock's own repr lists every field value, the exam's answer key and the self-check's right
        # options among them, and it ends up in logs: openedx-platform's handler views log
        # "XBlock %s attempted to access missing handler %r" with the block
        # (lms/djangoapps/courseware/block_render.py, cms/djangoapps/contentstore/views/preview.py).
        return f"<{type(self).__name__} {self.scope_ids.usage_id}>"

    # --- where we are --------------------------------------------------------------------------
    @property
    def usage_key_str(self):
        return str(self.scope_ids.usage_id)

    @property
    def course_key_str(self):
        usage_id = self.scope_ids.usage_id
        key = getattr(usage_id, "context_key", None)
        if key is not None:
            return str(key)
        local = LOCAL_COURSE_USAGE.match(str(usage_id))
        return local.group(1) if local else ""

    def dom_id(self, name):
        """An element id unique to this block instance on any page."""
        digest = hashlib.sha1(self.usage_key_str.encode("utf-8")).hexdigest()[:10]
        return f"kkn-{digest}-{name}"

    def operator_setting(self, name, default=None):
        """An operator setting from ``XBLOCK_SETTINGS[<block class>]`` (the ``settings`` service)."""
        service = self.runtime.service(self, "settings")
        bucket = service.get_settings_bucket(self) if service else {}
        return bucket.get(name, default)

    def local_time_text(self, moment, empty="\u2013"):
        """A UTC datetime as learners in Sweden read it: "2026-11-22 14:05", local time."""
        if moment is None:
            return empty
        # Looked up once per request: a roster writes a time on every row.
        zone = self._for_request("_kkn_zone", (),
                                 lambda: ZoneInfo(self.operator_setting("TIME_ZONE", "Europe/Stockholm")))
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    def _for_request(self, name, inputs, make):
        """``make()``, remembered on this block instance (a block instance lives for one request) for as
        long as ``inputs`` are the very same objects (held here, so they stay the same objects)."""
        memo = self.__dict__.get(name)
        if memo is None or any(kept is not given for kept, given in zip(memo[0], inputs)):
            memo = self.__dict__[name] = (inputs, make())
        return memo[1]

    # --- rendering -----------------------------------------------------------------------------
    def render_template(self, name, context):
        context = {**context, "dom_id": self.dom_id("root")}
        with block_catalog(self.i18n):
            return _compiled_template(name).render(Context(context))

    def make_fragment(self, html, script, init_fn, init_args):
        if identity.in_studio_preview(self.runtime):
            # The learner's view in Studio's preview shows no one's data and saves nothing: say so.
            html = self.render_template("studio_preview_note.html", {"message": self._studio_preview_text()}) + html
        frag = Fragment(html)
        frag.add_css_url(self.runtime.local_resource_url(self, "public/css/kkn.css"))
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/js/kkn-common.js"))
        frag.add_javascript_url(self.runtime.local_resource_url(self, f"public/js/{script}"))
        frag.initialize_js(init_fn, init_args)
        return frag

    @staticmethod
    def csv_response(filename, header, rows):
        """A CSV download that opens cleanly in Excel (BOM for å, ä, ö) and cannot inject formulas."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(cell) for cell in row])
        return Response(
            out.getvalue().encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            content_disposition=f'attachment; filename="{filename}"',
        )


@functools.lru_cache(maxsize=None)
def _compiled_template(name):
    """A package template, compiled once per process (``ResourceLoader.render_django_template``
    builds an engine and compiles the template on every call)."""
    # Imported here: xblock.utils.resources imports Mako and, through it, Pygments' lexers, which
    # every import of the blocks (each course build) paid for without rendering a template.
    from xblock.utils.resources import ResourceLoader  # pylint: disable=import-outside-toplevel
    return Template(ResourceLoader(__name__).load_unicode(f"templates/{name}"), engine=_engine())


@functools.lru_cache(maxsize=1)
def _engine():
    # Built on first use, not at import: course_export imports the blocks without a Django set-up.
    return Engine(libraries=get_installed_libraries())


class _BlockFirstTranslation:
    """The active translation while a block template renders: the block's own catalog first, then
    whatever Django had active. XBlock's proxy ``trans`` tag instead merges the block catalog into
    Django's global one and restores it for every single tag, which made a 250-row roster cost 80 ms."""

    def __init__(self, catalog, fallback):
        self._catalog = catalog
        self._fallback = fallback

    def gettext(self, message):
        found = self._catalog.get(message)
        return found if found is not None else self._fallback.gettext(message)

    def ngettext(self, singular, plural, number):
        index = 0 if number == 1 else 1  # Swedish and English plural rule; the catalog stores both forms
        found = self._catalog.get((singular, index))
        return found if found is not None else self._fallback.ngettext(singular, plural, number)

    def __getattr__(self, name):
        return getattr(self._fallback, name)


@contextmanager
def block_catalog(i18n_service):
    """Make Django's ``{% trans %}``/``{% blocktrans %}`` read the block's catalog while rendering."""
    try:
        catalog = i18n_service._catalog  # pylint: disable=protected-access
    except AttributeError:
        catalog = None  # the runtime fell back to Django's own catalog: nothing to add
    if not isinstance(catalog, Mapping) and not hasattr(catalog, "get"):
        yield
        return
    previous = getattr(trans_real._active, "value", None)  # pylint: disable=protected-access
    fallback = previous or trans_real.translation(get_language() or settings.LANGUAGE_CODE)
    trans_real._active.value = _BlockFirstTranslation(catalog, fallback)  # pylint: disable=protected-access
    try:
        yield
    finally:
        if previous is None:
            del trans_real._active.value  # pylint: disable=protected-access
        else:
            trans_real._active.value = previous  # pylint: disable=protected-access


def _csv_cell(value):
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(CSV_FORMULA_PREFIXES):
        return "'" + text
    return text
