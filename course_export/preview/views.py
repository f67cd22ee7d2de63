"""Pages of the local course preview: course home with the outline, one page per unit, assets.

The course is read from ``KKN_PREVIEW_SOURCE`` on the first request and again whenever a source
file changes (checked on each page view: the folder's file names, sizes and times); an in-memory
``SourceCache`` makes that re-reading decode, parse and render only the files that changed. Our
blocks are loaded into the workbench as one scenario each, from the element the OLX writer
produces, with ids that stay the same between restarts, so learners' state in the preview survives
edits.
"""
from __future__ import annotations

import mimetypes
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from lxml import etree

from ..cache import SourceCache
from ..olx import custom_element
from ..source import read_course
from ..spec import CustomBlock, SourceError

_lock = threading.Lock()


@dataclass
class Loaded:
    """The course as the preview holds it."""

    source: Path
    signature: tuple
    course: object = None
    problems: tuple = ()
    units: list = field(default_factory=list)  # [(chapter, unit)] in course order
    usages: dict = field(default_factory=dict)  # custom block url_name -> workbench usage id


# Kept across reloads of one source: "cache" (source, SourceCache); "scenarios" {scenario name:
# (description, xml)} of the blocks this preview has loaded into the workbench.
_state = {"loaded": None, "cache": None, "scenarios": {}}


def _signature(folder: Path):
    entries = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            try:  # editors' lock files may be dangling links, and files vanish while we look
                stat = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            entries.append((root, name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def _load(source: Path, signature):
    from workbench.runtime import WORKBENCH_KVS  # pylint: disable=import-outside-toplevel
    from workbench.scenarios import SCENARIOS, add_xml_scenario, get_scenarios  # pylint: disable=import-outside-toplevel

    loaded = Loaded(source, signature)
    if _state["cache"] is None or _state["cache"][0] != source:
        _state["cache"] = (source, SourceCache())
        _state["scenarios"] = {}
    cache = _state["cache"][1]
    try:
        loaded.course = read_course(source, cache=cache)
    except SourceError as error:
        loaded.problems = error.problems
        return loaded
    finally:
        cache.forget_unused()  # only what this reading used: memory stays the size of one course
    course = loaded.course
    loaded.units = [(chapter, unit) for chapter in course.chapters for sub in chapter.subsections
                    for unit in sub.units]
    get_scenarios()  # the workbench's own scenarios first, so it never re-initialises over ours
    blocks = [c for _chapter, unit in loaded.units for c in unit.components if isinstance(c, CustomBlock)]
    prepared = False
    for component in blocks:
        name = f"kkn-course.{component.tag}.{component.url_name}"
        description = f"{course.course_id} {component.tag} {component.url_name}"
        node = custom_element(component)
        node.attrib.pop("url_name", None)
        xml = etree.tostring(node, encoding="unicode")
        # A block whose OLX is as this preview loaded it before keeps its scenario: loading one writes
        # every field to the workbench's database, which made each reload of a large course slow.
        if name not in SCENARIOS or _state["scenarios"].get(name) != (description, xml):
            if not prepared:
                WORKBENCH_KVS.prep_for_scenario_loading()
                prepared = True
            SCENARIOS.pop(name, None)
            add_xml_scenario(name, description, xml)
            _state["scenarios"][name] = (description, xml)
        loaded.usages[component.url_name] = SCENARIOS[name].usage_id
    return loaded


def current():
    """The loaded course, re-read when the source changed; ``None`` when no source is configured."""
    source = os.environ.get("KKN_PREVIEW_SOURCE")
    if not source:
        return None
    source = Path(source)
    with _lock:
        loaded, signature = _state["loaded"], _signature(source)
        if loaded is None or loaded.source != source or loaded.signature != signature:
            loaded = _state["loaded"] = _load(source, signature)
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
    return render(request, "kkn_preview/home.html", {
        "course": loaded.course, "outline": _outline(loaded), "student_id": _student(request),
    })


@ensure_csrf_cookie
def unit(request, url_name):
    loaded = _need_course()
    if loaded.problems:
        return redirect("kkn_preview_home")
    index = next((i for i, (_chapter, u) in enumerate(loaded.units) if u.url_name == url_name), None)
    if index is None:
        raise Http404("No such unit in this course.")
    chapter, shown = loaded.units[index]
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
    previous = loaded.units[index - 1][1] if index > 0 else None
    following = loaded.units[index + 1][1] if index + 1 < len(loaded.units) else None
    return render(request, "kkn_preview/unit.html", {
        "course": loaded.course, "chapter": chapter, "unit": shown, "parts": parts, "student_id": student,
        "head_html": "".join(head), "foot_html": "".join(foot), "outline": _outline(loaded, shown.url_name),
        "previous": previous, "following": following,
    })


def _render_block(usage_id, student):
    from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel
    block = WorkbenchRuntime(student).get_block(usage_id)
    return block.render("student_view", {})


def jump_to(request, course_id, url_name):
    """The LMS's ``/courses/<id>/jump_to_id/<url_name>`` links (the exam links modules so)."""
    loaded = _need_course()
    for chapter, shown in loaded.units:
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


def _outline(loaded, current_unit=None):
    """[(chapter, [(unit, is_current)])] for the navigation."""
    outline = {}
    for chapter, unit in loaded.units:
        outline.setdefault(chapter.url_name, (chapter, []))[1].append((unit, unit.url_name == current_unit))
    return list(outline.values())
