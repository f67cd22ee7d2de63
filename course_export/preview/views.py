"""Pages of the local course preview: course home with the outline, one page per unit, assets.

The programme is read from ``KKN_PREVIEW_SOURCE`` (packaged as ``KKN_PREVIEW_PACKAGING`` says, else
as course.yaml says) on the first request and again whenever a source file changes (checked on each
page view: the folder's file names, sizes and times); an in-memory ``SourceCache`` makes that
re-reading decode, parse and render only the files that changed. Our blocks are loaded into the
workbench as one scenario each, from the element the OLX writer produces, with ids that stay the
same between restarts, so learners' state in the preview survives edits. Each block's usage id starts
with its course key (``kkn_xblocks.base.LOCAL_COURSE_USAGE``), so a programme of several courses
shares one record as in the LMS: a module finished in its course counts in the exam's course.
"""
from __future__ import annotations

import mimetypes
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import ensure_csrf_cookie
from lxml import etree

from .. import i18n
from ..cache import SourceCache
from ..olx import custom_element
from ..source import read_programme
from ..spec import CustomBlock, SourceError

_lock = threading.Lock()


@dataclass
class Loaded:
    """The course as the preview holds it."""

    source: Path
    signature: tuple
    language: str = ""  # the problems are said in the preview's language
    programme: object = None
    problems: tuple = ()
    # [(course, chapter, unit)] in programme order; unit url_names are unique in the whole programme,
    # as the source is read as one course before it is packaged.
    units: list = field(default_factory=list)
    usages: dict = field(default_factory=dict)  # custom block url_name -> workbench usage id

    @property
    def course(self):
        """The first course (the only one, packaged as one course)."""
        return self.programme.courses[0] if self.programme else None


def fresh_state():
    """What the preview keeps between requests: the programme read, its content cache, and the OLX
    of each block as it was loaded into the workbench (so a reload loads only blocks that changed)."""
    return {"loaded": None, "cache": None, "scenarios": {}}


_state = fresh_state()


def _signature(folder: Path):
    """Every file's path, size and time under ``folder`` (not in hidden folders): what tells the preview
    that the author saved something."""
    entries = []
    pending = [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as found:
                listed = sorted(found, key=lambda entry: entry.name)
        except OSError:  # a folder removed while we look
            continue
        for entry in listed:
            try:  # editors' lock files may be dangling links, and files vanish while we look
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith("."):
                        pending.append(entry.path)
                    continue
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append((entry.path, status.st_size, status.st_mtime_ns))
    return tuple(entries)


def _load(source: Path, signature, language):
    from workbench.scenarios import get_scenarios  # pylint: disable=import-outside-toplevel

    loaded = Loaded(source, signature, language)
    i18n.activate(language)  # not the environment's: the page around the problems is in this language
    if _state["cache"] is None or _state["cache"][0] != source:
        _state["cache"] = (source, SourceCache())
        _state["scenarios"] = {}
    cache = _state["cache"][1]
    try:
        loaded.programme = read_programme(source, os.environ.get("KKN_PREVIEW_PACKAGING") or None, cache=cache)
    except SourceError as error:
        loaded.problems = error.problems
        return loaded
    finally:
        cache.forget_unused()  # only what this reading used: memory stays the size of one programme
    loaded.units = [(course, chapter, unit) for course in loaded.programme.courses for chapter in course.chapters
                    for sub in chapter.subsections for unit in sub.units]
    get_scenarios()  # the workbench's own scenarios first, so it never re-initialises over ours
    fresh = [False]  # the workbench is prepared once per reading, before the first block it (re)loads
    for course in loaded.programme.courses:
        loaded.usages.update(load_blocks(course, _state["scenarios"], fresh, cache))
    return loaded


def load_blocks(course, loaded_before=None, fresh=None, cache=None):
    """Load the course's blocks into the workbench: ``{url_name: usage id}``, each usage id starting
    with the course key, so the blocks know their course as in the LMS. A block whose OLX is as it
    was in ``loaded_before`` (``{scenario name: (description, xml)}``, updated here) keeps its
    scenario: loading one writes every field to the workbench's database, which made each reload of
    a large course slow."""
    from workbench.runtime import WORKBENCH_KVS, WorkbenchRuntime  # pylint: disable=import-outside-toplevel
    from workbench.scenarios import SCENARIOS, Scenario  # pylint: disable=import-outside-toplevel

    loaded_before = {} if loaded_before is None else loaded_before
    fresh = [False] if fresh is None else fresh
    usages = {}
    for component in course.components():
        if not isinstance(component, CustomBlock):
            continue
        name = f"kkn-course.{component.tag}.{component.url_name}"
        description = f"{course.course_id} {component.tag} {component.url_name}"
        node = custom_element(component, cache)  # unchanged blocks: their element from the cache
        node.attrib.pop("url_name", None)
        xml = etree.tostring(node, encoding="unicode")
        if name not in SCENARIOS or loaded_before.get(name) != (description, xml):
            if not fresh[0]:
                WORKBENCH_KVS.prep_for_scenario_loading()
                fresh[0] = True
            runtime = WorkbenchRuntime()
            runtime.id_generator.set_scenario(f"{course.course_id}.{component.url_name}")
            usage_id = runtime.parse_xml_string(xml)
            SCENARIOS[name] = Scenario(description, usage_id, xml)
            loaded_before[name] = (description, xml)
        usages[component.url_name] = SCENARIOS[name].usage_id
    return usages


def current():
    """The loaded course, re-read when the source changed; ``None`` when no source is configured."""
    source = os.environ.get("KKN_PREVIEW_SOURCE")
    if not source:
        return None
    source = Path(source)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with _lock:
        loaded, signature = _state["loaded"], _signature(source)
        if loaded is None or (loaded.source, loaded.signature, loaded.language) != (source, signature, language):
            loaded = _state["loaded"] = _load(source, signature, language)
    return loaded


def _student(request):
    users = settings.KKN_LOCAL_USERS
    student = request.GET.get("student", "student_1")
    return student if student in users else "student_1"


def _need_course():
    loaded = current()
    if loaded is None:
        raise Http404("No course source is being previewed (start it with kkn-course preview SOURCE).")
    return loaded


def home(request):
    loaded = _need_course()
    if loaded.problems:
        return render(request, "kkn_preview/problems.html", {"problems": loaded.problems, "source": loaded.source})
    if len(loaded.programme.courses) == 1:
        return _course_home(request, loaded, loaded.course)
    # A programme of several courses: the course list, as a catalogue shows it.
    return render(request, "kkn_preview/home.html", {
        "course": loaded.course, "programme": loaded.programme, "outline": [], "student_id": _student(request),
    })


def course_about(request, course_id):
    """The LMS's ``/courses/<id>/about`` (lms/urls.py ``course_about``): here the course's home."""
    loaded = _need_course()
    if loaded.problems:
        return redirect("kkn_preview_home")
    course = loaded.programme.course(course_id)
    if course is None:
        raise Http404("No such course in this programme.")
    return _course_home(request, loaded, course)


def _course_home(request, loaded, course):
    student = _student(request)
    return render(request, "kkn_preview/home.html", {
        "course": course, "outline": _outline(loaded, course, student), "student_id": student,
        "programme": loaded.programme if len(loaded.programme.courses) > 1 else None,
        "effort": _effort(course.about.effort),
    })


def _effort(text):
    """``"6:30"`` (hours:minutes per week, as Studio stores it) -> ``{"hours": 6, "minutes": 30}``."""
    if not text:
        return None
    hours, _sep, minutes = text.partition(":")
    return {"hours": int(hours), "minutes": int(minutes or 0)}


@ensure_csrf_cookie
def unit(request, url_name):
    loaded = _need_course()
    if loaded.problems:
        return redirect("kkn_preview_home")
    index = next((i for i, (_course, _chapter, u) in enumerate(loaded.units) if u.url_name == url_name), None)
    if index is None:
        raise Http404("No such unit in this course.")
    course, chapter, shown = loaded.units[index]
    student = _student(request)
    parts, head, foot = [], [], []
    for component in shown.components:
        part = {"kind": type(component).__name__.lower(), "component": component}
        if isinstance(component, CustomBlock):
            fragment = _render_block(loaded.usages[component.url_name], student)
            part["html"] = fragment.body_html()
            head.append(fragment.head_html())
            foot.append(fragment.foot_html())
        parts.append(part)
    # The pager stays inside the course, as the LMS's does.
    previous = loaded.units[index - 1] if index > 0 else None
    following = loaded.units[index + 1] if index + 1 < len(loaded.units) else None
    return render(request, "kkn_preview/unit.html", {
        "course": course, "chapter": chapter, "unit": shown, "parts": parts, "student_id": student,
        "head_html": "".join(head), "foot_html": "".join(foot), "outline": _outline(loaded, course, student, shown.url_name),
        "previous": previous[2] if previous and previous[0] is course else None,
        "following": following[2] if following and following[0] is course else None,
        "programme": loaded.programme if len(loaded.programme.courses) > 1 else None,
        "title_in_block": any(isinstance(c, CustomBlock) and c.fields.get("display_name") == shown.title
                              for c in shown.components[:1]),
    })


def _render_block(usage_id, student):
    from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel
    block = WorkbenchRuntime(student).get_block(usage_id)
    return block.render("student_view", {})


def jump_to(request, course_id, url_name):
    """The LMS's ``/courses/<id>/jump_to_id/<url_name>`` links (the exam links modules so)."""
    loaded = _need_course()
    for course, chapter, shown in loaded.units:
        if course.course_id != course_id:
            continue
        containers = {chapter.url_name, shown.url_name, *(sub.url_name for sub in chapter.subsections)}
        if url_name in containers or any(c.url_name == url_name for c in shown.components):
            target = reverse("kkn_preview_unit", args=[shown.url_name])
            return redirect(f"{target}?student={_student(request)}")
    raise Http404("No such block in this course.")


def asset(request, name):
    loaded = _need_course()
    found = next((a for a in (loaded.course.assets if loaded.course else ()) if a.name == name), None)
    if found is None:
        raise Http404("No such file in the course's static/ folder.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(open(found.path, "rb"), content_type=content_type)  # pylint: disable=consider-using-with
    response["X-Content-Type-Options"] = "nosniff"
    # An author's file never runs as a page of this site (an .html or .svg could call the handlers).
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
    return response


def _outline(loaded, course, student, current_unit=None):
    """The navigation's items: each chapter of ``course`` with its units, the current one marked. Written
    here rather than by the template: a large course has a thousand links, which the template engine
    took a quarter of a second to write (``{% url %}`` per link)."""
    link = reverse("kkn_preview_unit", args=["URL-NAME"])  # url_names hold only [A-Za-z0-9_-]
    query = f"?student={quote(student, safe='')}"
    chapters = {}
    for owner, chapter, unit in loaded.units:
        if owner is not course:
            continue
        current = ' aria-current="page"' if unit.url_name == current_unit else ""
        chapters.setdefault(chapter.url_name, (chapter, []))[1].append(
            f'<li><a href="{escape(link.replace("URL-NAME", unit.url_name) + query)}"{current}>{escape(unit.title)}</a></li>')
    return mark_safe("".join(  # noqa: S308 - every value above is escaped
        f"<li>{escape(chapter.title)}<ol>{''.join(items)}</ol></li>" for chapter, items in chapters.values()))
