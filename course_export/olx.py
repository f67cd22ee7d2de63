"""The OLX writer: a ``spec.Course`` -> an OLX course folder that Studio imports.

    olx_files(course) -> {path: bytes}     the OLX in memory (what the archive is written from)
    write_tree(course, folder) -> the course's top folder (``folder/course``), on disk

Follows the OLX rules in ``shared/design.md``: one ``course.xml`` pointing at ``course/RUN.xml``,
containers as pointer files holding only ``url_name``, html components in the pair form, our blocks
inline and serialised by their own classes (``add_xml_to_node``), settings in ``policies/RUN``.
Output depends only on the course: files are written in a fixed order with fixed formatting, so two
builds of one source give the same bytes.
"""
from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

import lxml.html
from lxml import etree

from .spec import CUSTOM_TAGS, Course, CustomBlock, Html, Problem, Video

TOP = "course"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def olx_files(course: Course, cache=None) -> dict:
    """The course's OLX as ``{path under the top folder: bytes}``; static assets as their ``Path``.
    ``cache`` (a ``SourceCache``) keeps what our blocks write of themselves."""
    writer = _Writer(cache)
    writer.xml("course.xml", etree.Element("course", url_name=course.run, org=course.org, course=course.number))
    # display_name only in policy.json, where Studio's import reads it last: written in both places,
    # olxcleaner reports the policy "overriding" the XML (SettingOverride).
    root = etree.Element("course")
    for chapter in course.chapters:
        etree.SubElement(root, "chapter", url_name=chapter.url_name)
        writer.chapter(chapter)
    writer.xml(f"course/{course.run}.xml", root)
    writer.json(f"policies/{course.run}/policy.json", {f"course/{course.run}": policy(course)})
    writer.json(f"policies/{course.run}/grading_policy.json", grading_policy(course))
    writer.json("policies/assets.json", {})
    writer.about(course)
    for asset in course.assets:
        writer.files[f"static/{asset.name}"] = asset.path
    return writer.files


def write_tree(course: Course, folder, files=None) -> Path:
    """Write the OLX of ``course`` (or its ``olx_files`` already made) into ``folder/course``, which must
    not exist yet; return that path."""
    top = Path(folder) / TOP
    top.mkdir(parents=True)
    for name, data in sorted((files or olx_files(course)).items()):
        path = top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            shutil.copyfile(data, path)
        else:
            path.write_bytes(data)
    return top


def policy(course: Course):
    """The course settings Studio reads from ``policy.json``."""
    return {
        "display_name": course.title,
        "start": course.start.strftime(DATE_FORMAT),
        "end": course.end.strftime(DATE_FORMAT),
        "language": course.language,
        "self_paced": course.self_paced,
        "advanced_modules": list(CUSTOM_TAGS),
        "course_image": course.course_image,
        "cert_html_view_enabled": course.certificates,
        "certificates_display_behavior": "early_no_info" if course.certificates else "end",
    }


def grading_policy(course: Course):
    return {
        "GRADER": [
            {"type": g.type, "short_label": g.short_label, "min_count": g.min_count, "drop_count": g.drop_count,
             "weight": g.weight}
            for g in course.graders
        ],
        "GRADE_CUTOFFS": {"Pass": course.pass_cutoff},
    }


class _Writer:
    """Collects the OLX files of one course in memory (``files``), in the order written."""

    def __init__(self, cache=None):
        self.files = {}
        self.cache = cache

    def write(self, name, data: bytes):
        self.files[name] = data

    def xml(self, name, element):
        self.write(name, etree.tostring(element, encoding="utf-8", pretty_print=True))

    def json(self, name, value):
        self.write(name, (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    def chapter(self, chapter):
        """The chapter's files: from the cache when a chapter of the same content was written before."""
        if self.cache is None:
            self.write_chapter(chapter)
        else:
            self.files.update(self.cache.chapter_files(chapter, lambda: _Writer(self.cache).write_chapter(chapter).files))

    def write_chapter(self, chapter):
        node = etree.Element("chapter", display_name=chapter.title)
        if chapter.start:
            node.set("start", chapter.start.strftime(DATE_FORMAT))
        for subsection in chapter.subsections:
            etree.SubElement(node, "sequential", url_name=subsection.url_name)
            self.sequential(subsection)
        self.xml(f"chapter/{chapter.url_name}.xml", node)
        return self

    def sequential(self, subsection):
        node = etree.Element("sequential", display_name=subsection.title)
        if subsection.graded:
            node.set("graded", "true")
            node.set("format", subsection.format)
        for name, moment in (("start", subsection.start), ("due", subsection.due)):
            if moment:
                node.set(name, moment.strftime(DATE_FORMAT))
        for unit in subsection.units:
            etree.SubElement(node, "vertical", url_name=unit.url_name)
            self.vertical(unit)
        self.xml(f"sequential/{subsection.url_name}.xml", node)

    def vertical(self, unit):
        node = etree.Element("vertical", display_name=unit.title)
        for component in unit.components:
            if isinstance(component, Html):
                etree.SubElement(node, "html", url_name=component.url_name)
                self.html(component)
            elif isinstance(component, CustomBlock):
                node.append(custom_element(component, self.cache))
            elif isinstance(component, Video):
                node.append(video_element(component))
            elif isinstance(component, Problem):
                node.append(problem_element(component))
        self.xml(f"vertical/{unit.url_name}.xml", node)

    def html(self, html):
        self.xml(f"html/{html.url_name}.xml",
                 etree.Element("html", filename=html.url_name, display_name=html.title))
        self.write(f"html/{html.url_name}.html", html.html.encode("utf-8"))

    def about(self, course):
        about = course.about
        # The catalogue facts close the overview: Studio's about page has no field of their own.
        for name, text in (("short_description", about.short_description), ("overview", about.overview + about.facts),
                           ("effort", about.effort), ("duration", about.duration), ("price", about.price)):
            if text:
                data = text if name == "overview" else escape(text, quote=False)  # overview: sanitised HTML
                self.write(f"about/{name}.html", data.encode("utf-8"))


def custom_element(component: CustomBlock, cache=None):
    """Our block, written by its own class: builder output and block parsing cannot drift apart.
    With ``cache``, an element the class wrote for the same fields before is taken from it."""
    if cache is not None:
        try:
            identity = json.dumps([component.tag, component.url_name, component.fields], ensure_ascii=False,
                                  sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            identity = None  # a value JSON cannot hold: written afresh each time
        if identity is not None:
            text = cache.written_element(identity, lambda: etree.tostring(
                custom_element(component), encoding="unicode", with_tail=False))
            try:
                node = etree.fromstring(text, _CACHED_ELEMENT)
            except (etree.XMLSyntaxError, ValueError):
                node = None  # a damaged cache is only a lost speed-up
            if node is not None and node.tag == component.tag and node.get("url_name") == component.url_name:
                return node
    from .blocks import offline_block  # pylint: disable=import-outside-toplevel  # XBlock and Django: when needed
    node = etree.Element(component.tag)
    offline_block(component.tag, component.url_name, component.fields).add_xml_to_node(node)
    node.set("url_name", component.url_name)
    return node


# Reads back exactly what ``etree.tostring`` wrote: no entities resolved, no text dropped or added.
_CACHED_ELEMENT = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=False,
                                  remove_blank_text=False, remove_comments=False, huge_tree=True)


def video_element(video: Video):
    node = etree.Element("video", url_name=video.url_name, display_name=video.title)
    if video.youtube_id:
        node.set("youtube", f"1.00:{video.youtube_id}")
        node.set("youtube_id_1_0", video.youtube_id)
    else:
        node.set("youtube", "")
        node.set("youtube_id_1_0", "")
        node.set("html5_sources", json.dumps(list(video.sources)))
        for source in video.sources:
            etree.SubElement(node, "source", src=source)
    node.set("download_video", "false")
    return node


def problem_element(problem: Problem):
    """A capa multiple-choice problem (checkboxes when more than one choice is right)."""
    node = etree.Element("problem", url_name=problem.url_name, display_name=problem.title,
                         showanswer="finished")
    if problem.max_attempts:
        node.set("max_attempts", str(problem.max_attempts))
    if problem.weight is not None:
        node.set("weight", f"{problem.weight:g}")
    response = etree.SubElement(node, "choiceresponse" if problem.multiple else "multiplechoiceresponse")
    label = etree.SubElement(response, "label")
    _append_html(label, problem.question)
    group = etree.SubElement(response, "checkboxgroup" if problem.multiple else "choicegroup")
    if not problem.multiple:
        group.set("type", "MultipleChoice")
    for choice in problem.choices:
        option = etree.SubElement(group, "choice", correct="true" if choice.correct else "false")
        _append_html(option, choice.text)
    if problem.explanation:
        solution = etree.SubElement(node, "solution")
        div = etree.SubElement(solution, "div", {"class": "detailed-solution"})
        _append_html(div, problem.explanation)
    return node


def _append_html(parent, html):
    """Put sanitised HTML into an XML element (as XML: void tags closed, entities resolved)."""
    if not html.strip():
        return
    for part in lxml.html.fragments_fromstring(html):
        if isinstance(part, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + part
            else:
                parent.text = (parent.text or "") + part
        else:
            parent.append(etree.fromstring(etree.tostring(part, method="xml", encoding="unicode")))

