"""Packaging: the whole programme as read from the source -> the courses it is built as.

    assemble(whole, plan) -> Programme

``packaging: course`` keeps the programme in one course (``whole``). ``packaging: modules`` makes
a course of each module, because in Open edX enrolment, payment, dates and cohorts belong to a
course run, and a module that can be taken alone must be a course of its own; the final exam and
the meetings that belong to no module go into one more course. Every course keeps the programme
id, so the record (``kkn_xblocks.records``) spans them: a module completed in its course counts
for the exam in the exam's course.

Both packagings link each module from the module blocks' progress lists and the exam's "what is
missing" list: inside one course by the LMS's ``jump_to_id`` (lms/djangoapps/courseware/views/
views.py ``jump_to_id``), across courses to the module course's about page ``/courses/<id>/about``
(lms/urls.py, ``course_about``), where a learner who is not enrolled can enrol.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from html import escape

from .i18n import course_translation
from .spec import Catalogue, Course, CourseRun, CustomBlock, Programme

EXAM_SUFFIX = "PROV"


@dataclass(frozen=True)
class Plan:
    """What the source says about packaging, besides the whole course."""

    packaging: str = "course"
    title: str = ""  # the programme's title
    catalogue: Catalogue = field(default_factory=Catalogue)
    module_runs: dict = field(default_factory=dict)  # module id -> CourseRun (module.yaml ``course``)
    exam_run: CourseRun = field(default_factory=CourseRun)  # course.yaml ``exam_course``
    meeting_modules: dict = field(default_factory=dict)  # meeting id -> module id (meeting ``module``)


def module_blocks(course: Course):
    """The kkn_module blocks of ``course`` in course order."""
    return [c for c in course.components() if isinstance(c, CustomBlock) and c.tag == "kkn_module"]


def module_course_key(whole: Course, block: CustomBlock, run: CourseRun):
    """(number, run) of a module's own course: the module's settings, else ``<NUMBER>-M<n>`` and the
    programme's run."""
    return run.number or f"{whole.number}-M{block.fields['number']}", run.run or whole.run


def assemble(whole: Course, plan: Plan) -> Programme:
    modules = module_blocks(whole)
    titles = {block.url_name: block.title for block in modules}
    if plan.packaging == "course":
        links = {module_id: f"/courses/{whole.course_id}/jump_to_id/{module_id}" for module_id in titles}
        course = _linked(whole, titles, links)
        course = dataclasses.replace(course, about=_with_facts(course, plan.catalogue, None))
        return Programme(whole.programme_id, plan.title or whole.title, plan.packaging, (course,), plan.catalogue)
    keys = {block.url_name: module_course_key(whole, block, plan.module_runs.get(block.url_name, CourseRun()))
            for block in modules}
    links = {module_id: f"/courses/course-v1:{whole.org}+{number}+{run}/about"
             for module_id, (number, run) in keys.items()}
    linked = _linked(whole, titles, links)
    meetings = _meetings_by_module(linked, plan.meeting_modules)
    courses = []
    for chapter in linked.chapters:
        if chapter.kind != "module":
            continue
        block = chapter.subsections[0].units[0].components[0]
        number, run = keys[block.url_name]
        courses.append(_course(linked, plan, plan.module_runs.get(block.url_name, CourseRun()), number, run,
                               (chapter, *meetings.get(block.url_name, ())), "module", block))
    exam_chapters = (*(c for c in linked.chapters if c.kind == "exam"), *meetings.get("", ()))
    exam_run = plan.exam_run
    if exam_chapters:  # a programme without an exam, whose meetings all belong to modules, has no more
        courses.append(_course(linked, plan, exam_run, exam_run.number or f"{whole.number}-{EXAM_SUFFIX}",
                               exam_run.run or whole.run, exam_chapters, "exam", None))
    return Programme(whole.programme_id, plan.title or whole.title, plan.packaging, tuple(courses), plan.catalogue)


def _course(whole, plan, run, number, run_name, chapters, kind, block):
    """One course of the programme: its own key, title, dates and about page; the programme's id."""
    about = run.about or whole.about
    course = dataclasses.replace(
        whole, number=number, run=run_name,
        title=run.title or (block.title if block else plan.title or whole.title),  # the exam's: the programme's
        start=run.start or whole.start, end=run.end or whole.end, chapters=tuple(chapters),
        # Module courses hold nothing graded and give no course certificate: the programme's
        # certificate comes from the exam. They keep the programme's grading policy, as Studio needs
        # one (validate warns that its grader is unused there).
        certificates=whole.certificates and kind == "exam",
        kind=kind, module_id=block.url_name if block else "", about=about)
    return dataclasses.replace(course, about=_with_facts(course, plan.catalogue, run.price if block else None,
                                                         block))


def _meetings_by_module(course, meeting_modules):
    """module id ("" for none) -> (the meetings chapter holding that module's meetings,)."""
    chapter = next((c for c in course.chapters if c.kind == "meetings"), None)
    if chapter is None:
        return {}
    subsection = chapter.subsections[0]
    groups = {}
    for unit in subsection.units:
        groups.setdefault(meeting_modules.get(unit.components[0].url_name, ""), []).append(unit)
    return {module_id: (dataclasses.replace(chapter, subsections=(
        dataclasses.replace(subsection, units=tuple(units)),)),) for module_id, units in groups.items()}


def _linked(course, titles, links):
    """``course`` with every module block listing all modules' titles and links, and the exam
    linking each module it may miss."""
    def fill(component):
        if not isinstance(component, CustomBlock):
            return component
        if component.tag == "kkn_module":
            return dataclasses.replace(component, fields={**component.fields, "module_titles": dict(titles),
                                                          "module_links": dict(links)})
        if component.tag == "kkn_exam":
            required = component.fields["required_modules"]
            return dataclasses.replace(component, fields={
                **component.fields, "module_links": {m: links[m] for m in required if m in links}})
        return component

    chapters = tuple(dataclasses.replace(chapter, subsections=tuple(
        dataclasses.replace(sub, units=tuple(
            dataclasses.replace(unit, components=tuple(fill(c) for c in unit.components)) for unit in sub.units))
        for sub in chapter.subsections)) for chapter in course.chapters)
    return dataclasses.replace(course, chapters=chapters)


def _kronor(amount):
    return f"{amount:,}".replace(",", "\u00a0")


def _with_facts(course, catalogue, module_price, block=None):
    """The about page with the catalogue facts, in the course's language: what the whole programme
    costs and takes, the module's own price, member discounts. (Open edX charges from its e-commerce
    setup, not from OLX: docs/operator-guide.md says where to set the prices.)"""
    catalog = course_translation(course.language)
    gettext, ngettext = catalog.gettext, catalog.ngettext
    lines = []
    if catalogue.price is not None and catalogue.weeks:
        lines.append(ngettext("The whole programme: {price} kr for {weeks} week.",
                              "The whole programme: {price} kr for {weeks} weeks.", catalogue.weeks).format(
            price=_kronor(catalogue.price), weeks=catalogue.weeks))
    elif catalogue.price is not None:
        lines.append(gettext("The whole programme: {price} kr.").format(price=_kronor(catalogue.price)))
    elif catalogue.weeks:
        lines.append(ngettext("The whole programme takes {weeks} week.", "The whole programme takes {weeks} weeks.",
                              catalogue.weeks).format(weeks=catalogue.weeks))
    if block is not None:
        weeks = block.fields["weeks"]
        if module_price is not None:
            lines.append(ngettext("This module on its own: {price} kr for {weeks} week.",
                                  "This module on its own: {price} kr for {weeks} weeks.", weeks).format(
                price=_kronor(module_price), weeks=weeks))
        else:
            lines.append(ngettext("This module on its own takes {weeks} week.",
                                  "This module on its own takes {weeks} weeks.", weeks).format(weeks=weeks))
    for discount in catalogue.discounts:
        lines.append(gettext("Members of {who} get {percent} % off.").format(who=discount.members_of,
                                                                           percent=discount.percent))
    if not lines:
        return course.about
    items = "".join(f"<li>{escape(line, quote=False)}</li>" for line in lines)
    heading = escape(gettext("Price and length"), quote=False)
    facts = f'<h2>{heading}</h2><ul class="kkn-catalogue">{items}</ul>'
    return dataclasses.replace(course.about, facts=facts)
