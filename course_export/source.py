"""The course source format: a folder of YAML and Markdown files -> a checked ``spec.Course``.

    read_course(folder) -> Course      raises SourceError listing every problem at once

The format is documented in ``docs/course-source.md``; this module is its one implementation. Block
settings are checked twice: here for types, files, ids and dates (with file, line and key), and by
each block's own author rules (``kkn_xblocks.*_rules``), so a course that builds is a course whose
blocks work.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

from kkn_xblocks import checkin_rules, exam_rules, module_rules, overview_rules
from kkn_xblocks.errors import AuthorError

from . import i18n
from .cache import ModuleMemo, content_key
from .i18n import _, block_gettext, course_gettext, ngettext
from .loading import AUTHOR_ZONE, Fields, Problems, is_md_reference
from .programme import Plan, assemble
from .spec import (
    PACKAGINGS, URL_NAME, About, Asset, Catalogue, Chapter, Choice, Course, CourseRun, CustomBlock, Discount, Grader,
    Html, Location, Problem, Programme, SourceError, Subsection, Unit, Video,
)

COURSE_FILE = "course.yaml"
MODULE_FILE = "module.yaml"
EXAM_FILE = "exam/exam.yaml"
# The course card's image when course.yaml names none (olxcleaner, and the LMS's course card, need one).
DEFAULT_COURSE_IMAGE = Path(__file__).resolve().parent / "default_course_image.png"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MEETINGS_ID = "regionala-traffar"
COMPLETION_RULES = ("task", "self_check", "task_and_self_check")
TASK_WRITERS = ("individual", "municipality")
REVIEW_POLICIES = tuple(policy for policy, _label in exam_rules.Review.CHOICES)
_COURSE_KEY_PART = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_STATIC_LINK = re.compile(r"""(\b(?:src|href)=")(?:\./)?static/""")
_STATIC_USED = re.compile(r"""\b(?:src|href)="/static/([^"#?]+)""")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
# A link to a course file (static/...) in text a block renders itself: the blocks do not rewrite
# such links, so they would break in the LMS.
_BLOCK_STATIC_LINK = re.compile(r"""(?:\]\(\s*<?|\b(?:src|href)\s*=\s*["']?)(?:\./)?/?static/""", re.IGNORECASE)
_FIRST_HEADING = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def read_course(folder) -> Course:
    """The programme in ``folder`` as one course, whatever its packaging (the local runtime's
    default); ``SourceError`` lists every problem found."""
    return read_programme(folder, packaging="course").courses[0]


def read_programme(folder, packaging=None, cache=None) -> Programme:
    """Read and check the source in ``folder`` and package it as course.yaml says (or as
    ``packaging`` overrides: "course" or "modules"); ``SourceError`` lists every problem found.

    ``cache`` (a ``cache.SourceCache``) keeps file texts, YAML parses and rendered Markdown by content
    between readings; the programme read is the same with or without it.
    """
    root = Path(folder).resolve()
    problems = Problems(root, cache)
    if not (root / COURSE_FILE).is_file():
        problems.add(Location(COURSE_FILE), _("{folder} is not a course source: it has no course.yaml.").format(
            folder=folder), _("Run the command on the course's folder, or create one with \u201ckkn-course new\u201d."))
        raise SourceError(problems.found)
    reader = _Reader(root, problems, packaging)
    course = reader.course()
    if problems.found:
        raise SourceError(problems.found)
    programme = assemble(course, reader.plan)
    _check_course_keys(programme, problems)
    if problems.found:
        raise SourceError(problems.found)
    return programme


def _check_course_keys(programme, problems):
    """Each course of a programme needs a key of its own (its archive is named after it, and Studio
    would import one over the other)."""
    first = {}
    for course in programme.courses:
        where = course.chapters[0].where if course.kind == "module" else Location(COURSE_FILE, None, "exam_course")
        if course.course_id in first:
            problems.add(Location(where.file, None, "course.number" if course.kind == "module" else "exam_course"),
                         _("The course {course} is also made for {other}.").format(course=course.course_id,
                                                                                   other=first[course.course_id]),
                         _("Give each module's course (and the exam's) its own number or run."))
        first.setdefault(course.course_id, where.file)


class _Reader:
    """One reading of a source folder: the course file, then modules, meetings, exam and assets."""

    def __init__(self, root: Path, problems: Problems, packaging=None):
        self.root = root
        self.problems = problems
        self.packaging = packaging
        self.plan = Plan()
        self.assets = {}
        self.url_names = {}  # url_name -> where it was first used, for duplicates
        self._claims = None  # the claims of the module being read, for its memo
        self.block_gettext = block_gettext()
        cache = problems.cache
        self.render = render_markdown if cache is None else lambda text: cache.rendered(text, render_markdown)

    # -- course.yaml ---------------------------------------------------------------------------------
    def course(self):
        data = self.problems.load_yaml(self.root / COURSE_FILE)
        if data is None:
            return None
        fields = Fields(self.problems, data, COURSE_FILE, self.root)
        fields.known("org", "number", "run", "title", "language", "start", "end", "pacing", "programme",
                    "certificates", "grading", "about", "packaging", "exam_course", "course_image")
        key = {part: self._course_key_part(fields, part) for part in ("org", "number", "run")}
        packaging = fields.choice("packaging", PACKAGINGS, "course")
        title = fields.text("title", required=True)
        language = fields.text("language", default="sv", limit=16)
        if language and not _LANGUAGE.match(language):
            fields.error("language", _("\u201c{value}\u201d is not a language code.").format(value=language),
                         _("Write it in lowercase as Open edX does, for example sv, en or sv-se."))
            language = None
        start, end = fields.date("start", required=True), fields.date("end", required=True)
        if start and end and end <= start:
            fields.error("end", _("The course ends before it starts."), _("Set \u201cend\u201d after \u201cstart\u201d."))
        pacing = fields.choice("pacing", ("self", "instructor"), "self")
        programme = fields.mapping("programme", required=True)
        programme_id = programme_title = None
        catalogue = Catalogue()
        if programme is not None:
            programme.known("id", "title", "price", "weeks", "discounts")
            programme_id = programme.ident("id", lowercase=True)
            programme_title = programme.text("title", default="") or title
            catalogue = self._catalogue(programme)
        certificates = fields.boolean("certificates", True)
        graders, pass_cutoff = self._grading(fields.mapping("grading", required=True))
        self.assets = self._assets()
        course_image = self._course_image(fields)
        about = self._about(fields.mapping("about"))
        dates = (start, end) if start and end and end > start else None
        context = _Context(programme_id, programme_title, dates, language or "sv")
        exam_run = self._course_run(fields.mapping("exam_course"), price=False)
        modules = self._modules(context)
        meetings = self._meetings(context)
        exam = self._exam(context, graders)
        if exam or not (self.root / EXAM_FILE).is_file():  # a broken exam is reported already
            self._check_graders_used(fields, graders, exam)
        if self.problems.found:
            return None
        self.plan = Plan(packaging=self.packaging or packaging, title=programme_title, catalogue=catalogue,
                         module_runs=context.module_runs, exam_run=exam_run, meeting_modules=context.meeting_modules)
        return Course(
            org=key["org"], number=key["number"], run=key["run"], title=title, start=start, end=end,
            programme_id=programme_id, chapters=tuple(modules + meetings + exam), graders=graders,
            pass_cutoff=pass_cutoff, where=fields.at(), language=language, self_paced=pacing == "self",
            certificates=certificates, about=about, assets=tuple(self.assets[name] for name in sorted(self.assets)),
            course_image=course_image, source=self.root,
        )

    @staticmethod
    def _course_key_part(fields, part, required=True):
        value = fields.text(part, required=required, default=None, limit=1000)
        # the run is also the course's url_name, which may not hold "."
        if part == "run" and value is not None and not URL_NAME.match(value):
            fields.error(part, _("\u201c{value}\u201d cannot be part of a course key.").format(value=value[:80]),
                         _("Use ASCII letters, digits, \u201c-\u201d or \u201c_\u201d (the run is also the "
                           "course's url_name)."))
            return None
        if value is not None and not _COURSE_KEY_PART.match(value):
            fields.error(part, _("\u201c{value}\u201d cannot be part of a course key.").format(value=value[:80]),
                         _("Use ASCII letters, digits, \u201c.\u201d, \u201c-\u201d or \u201c_\u201d (no \u201c+\u201d, "
                           "\u201c/\u201d, \u201c:\u201d or spaces)."))
            return None
        return value

    def _grading(self, grading):
        if grading is None:
            return (), 0.0
        grading.known("pass_percent", "graders")
        pass_percent = grading.integer("pass_percent", minimum=1, maximum=100, required=True)
        graders, types = [], set()
        for item, _index in grading.items("graders", required=True):
            item.known("type", "short_label", "weight", "min_count", "drop_count")
            kind = item.text("type", required=True, limit=100)
            label = item.text("short_label", required=True, limit=20)
            weight = item.number("weight", minimum=0.0, maximum=1.0, required=True)
            min_count = item.integer("min_count", default=1, minimum=1, maximum=100)
            drop_count = item.integer("drop_count", default=0, minimum=0, maximum=100)
            if kind in types:
                item.error("type", _("The assignment type \u201c{type}\u201d is listed twice.").format(type=kind))
            types.add(kind)
            if None not in (kind, label, weight, min_count, drop_count):
                if drop_count >= min_count:
                    item.error("drop_count", _("drop_count must be smaller than min_count."))
                graders.append(Grader(kind, label, weight, min_count, drop_count))
        total = sum(grader.weight for grader in graders)
        if graders and abs(total - 1.0) > 0.001:
            grading.error("graders", _("The weights add up to {total:g}; they must add up to 1.").format(total=total))
        return tuple(graders), (pass_percent or 0) / 100

    def _about(self, about):
        if about is None:
            return About()
        about.known("short_description", "overview", "effort", "duration", "price")
        overview, overview_file = about.markdown("overview")
        effort = about.text("effort", default="", limit=10)
        if effort and not re.match(r"^\d{1,3}:[0-5]\d$", effort):
            about.error("effort", _("Write the effort per week as hours:minutes, for example 6:00."))
        return About(
            short_description=about.text("short_description", default="", limit=500) or "",
            overview=self._html(overview or "", about.at("overview"), overview_file),
            effort=effort or "", duration=about.text("duration", default="") or "",
            price=about.text("price", default="") or "",
        )

    def _catalogue(self, programme):
        """The programme's price, length and member discounts (course.yaml ``programme``)."""
        discounts = []
        for item, _index in programme.items("discounts"):
            item.known("percent", "members_of")
            percent = item.integer("percent", minimum=1, maximum=100, required=True)
            who = item.text("members_of", required=True, limit=200)
            if percent is not None and who is not None:
                discounts.append(Discount(percent, who))
        return Catalogue(price=programme.integer("price", minimum=0, maximum=10_000_000),
                         weeks=programme.integer("weeks", minimum=1, maximum=520), discounts=tuple(discounts))

    def _course_run(self, fields, price=True):
        """A module's or the exam's own course (``course`` in module.yaml, ``exam_course``)."""
        if fields is None:
            return CourseRun()
        fields.known("number", "run", "title", "start", "end", "about", *(("price",) if price else ()))
        number, run = (self._course_key_part(fields, part, required=False) for part in ("number", "run"))
        start, end = fields.date("start"), fields.date("end")
        if start and end and end <= start:
            fields.error("end", _("The course ends before it starts."), _("Set \u201cend\u201d after \u201cstart\u201d."))
        about = self._about(fields.mapping("about")) if fields.has("about") else None
        return CourseRun(number=number or "", run=run or "", title=fields.text("title", default="") or "",
                         start=start, end=end, about=about,
                         price=fields.integer("price", minimum=0, maximum=10_000_000) if price else None)

    def _check_graders_used(self, fields, graders, exam):
        used = {sub.format for chapter in exam for sub in chapter.subsections if sub.graded}
        for grader in graders:
            if grader.weight > 0 and grader.type not in used:
                fields.error("grading", _("No graded subsection counts as \u201c{type}\u201d, so nobody can reach full "
                                          "marks.").format(type=grader.type),
                             _("Set the exam's format to it, or remove the assignment type."))

    # -- static/ --------------------------------------------------------------------------------------
    def _assets(self):
        folder = self.root / "static"
        assets = {}
        if not folder.is_dir():
            return assets
        for path in sorted(folder.iterdir()):
            name = path.name
            where = Location(self.problems.name(path))
            if name.startswith("."):
                continue
            if path.is_symlink() or not path.is_file():
                self.problems.add(where, _("Only files belong directly in static/ (no folders or links)."),
                                  _("Move the file up into static/."))
            elif not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", name):
                self.problems.add(where, _("The file name \u201c{name}\u201d is not usable in a course.").format(
                    name=name), _("Use ASCII letters, digits, \u201c.\u201d, \u201c-\u201d or \u201c_\u201d (no "
                                  "\u00e5, \u00e4, \u00f6 or spaces)."))
            else:
                assets[name] = Asset(name, path)
        return assets

    def _course_image(self, fields):
        """course.yaml's ``course_image``: an image in static/; without one, the default the builder ships."""
        name = fields.text("course_image", default="", limit=100)
        if not name:
            self.assets.setdefault(DEFAULT_COURSE_IMAGE.name, Asset(DEFAULT_COURSE_IMAGE.name, DEFAULT_COURSE_IMAGE))
            return DEFAULT_COURSE_IMAGE.name
        if name not in self.assets:
            fields.error("course_image", _("static/{name} does not exist.").format(name=name),
                         _("Add the image to static/, or correct the file name."))
            return None
        if not name.lower().endswith(IMAGE_SUFFIXES):
            fields.error("course_image", _("\u201c{name}\u201d is not an image the course card can show.").format(
                name=name), _("Use a .png, .jpg, .gif or .webp file."))
            return None
        return name

    def _html(self, markdown, where, file=None, first_line=1):
        """Sanitised HTML of author Markdown, static links as ``/static/name``, each name checked.

        A missing file is said at the line of ``file`` (the .md file, whose text starts at
        ``first_line``) that links it, or at ``where`` when the text is written in the YAML file."""
        html = self.render(markdown)
        if "static/" not in html:  # both patterns need it; most pages link no course file
            return html
        html = _STATIC_LINK.sub(r"\1/static/", html)
        for name in sorted(set(_STATIC_USED.findall(html))):
            if name not in self.assets:
                link = markdown.find(f"static/{name}")
                at = Location(file, first_line + markdown.count("\n", 0, link)) if file and link >= 0 else where
                self.problems.add(at, _("static/{name} is linked but does not exist.").format(name=name),
                                  _("Add the file to static/ or correct the link."))
        return html

    def _claim(self, url_name, where):
        """url_names are unique in the whole course (Studio's validator, olxcleaner, requires it)."""
        if self._claims is not None:
            self._claims.append((url_name, where))
        first = self.url_names.setdefault(url_name, where)
        if first is not where:
            self.problems.add(where, _("The id \u201c{id}\u201d is already used at {first}.").format(
                id=url_name, first=first), _("Give each its own id."))

    # -- modules/ ------------------------------------------------------------------------------------
    def _modules(self, context):
        folder = self.root / "modules"
        if not folder.is_dir():
            return []
        cache = self.problems.cache
        loaded = []
        for path in sorted(folder.iterdir()):
            if not path.is_dir() or path.name.startswith("."):
                continue
            if (path / "module.yml").exists():
                self._misnamed_yaml([path / "module.yml"])
            elif not (path / MODULE_FILE).is_file():
                self.problems.add(Location(self.problems.name(path / MODULE_FILE)),
                                  _("The module folder has no module.yaml."),
                                  _("Add one (see \u201ckkn-course docs\u201d) or move the folder out of modules/."))
                continue
            memo = cache.recall_module(str(path), str(self.root)) if cache is not None else None
            if memo is not None:
                loaded.append((path, memo))
                continue
            data = self.problems.load_yaml(path / MODULE_FILE)
            if data is not None:
                loaded.append((path, data))
        context.module_ids = [module_id for module_id in (
            item.module_id if isinstance(item, ModuleMemo) else item.get("id") for _path, item in loaded)
            if isinstance(module_id, str) and module_rules.MODULE_ID.match(module_id)]
        taken = _module_context(self, context)
        chapters, numbers = [], {}
        loaded.reverse()
        while loaded:  # a module's YAML is let go once its chapter is made: a large course's peak memory
            path, data = loaded.pop()
            if isinstance(data, ModuleMemo):
                chapter = self._replay(data, taken, context, numbers)
                if chapter is not None:
                    chapters.append(chapter)
                    continue
                self.problems.cache.reuse(data)  # the course around it changed: read, but nothing rendered again
                data = self.problems.load_yaml(path / MODULE_FILE)
                if data is None:
                    continue
            chapter = self._read_module(path, data, taken, context, numbers)
            if chapter:
                chapters.append(chapter)
        return chapters

    def _read_module(self, path, data, taken, context, numbers):
        """``_module``, kept in the cache (when there is one) if it found no problem."""
        cache = self.problems.cache
        if cache is None:
            return self._module(path, data, context, numbers)
        before, self._claims = len(self.problems.found), []
        cache.start_module(str(path / MODULE_FILE))
        chapter = self._module(path, data, context, numbers)
        claims, self._claims = tuple(self._claims), None
        memo_of = None
        module_id = data.get("id")
        if chapter is not None and len(self.problems.found) == before and module_id in context.module_titles:
            file = self.problems.name(path / MODULE_FILE)
            memo_of = lambda files, entries: ModuleMemo(  # noqa: E731
                context=taken, module_id=module_id, number=data["number"], file=file,
                title=context.module_titles[module_id], run=context.module_runs[module_id], claims=claims,
                chapter=chapter, files=files, entries=entries)
        cache.module_read(str(path), memo_of)
        return chapter

    def _replay(self, memo, taken, context, numbers):
        """A module's chapter from its memo, with what its reading would have claimed; ``None`` when the
        course around it changed, or another module took one of its ids or its number (read it then)."""
        if memo.context != taken or memo.number in numbers or any(name in self.url_names for name, _ in memo.claims):
            return None
        for name, where in memo.claims:
            self.url_names[name] = where
        numbers[memo.number] = memo.file
        context.module_runs[memo.module_id] = memo.run
        context.module_titles[memo.module_id] = memo.title
        return memo.chapter

    def _module(self, path, data, context, numbers):
        file = self.problems.name(path / MODULE_FILE)
        fields = Fields(self.problems, data, file, path)
        fields.known("id", "version", "number", "title", "weeks", "start", "completion", "introduction", "outcomes",
                     "knowledge", "inspiration", "task", "reading", "self_check", "units", "course")
        module_id = fields.ident("id", lowercase=True)
        if module_id:
            context.module_runs[module_id] = self._course_run(fields.mapping("course"))
        number = fields.integer("number", minimum=1, maximum=999, required=True)
        if number is not None:
            if number in numbers:
                fields.error("number", _("Module number {number} is also used by {other}.").format(
                    number=number, other=numbers[number]), _("Give each module its own number."))
            numbers.setdefault(number, file)
        title = fields.text("title", required=True)
        start = self._inside_course(fields, "start", context)
        run = context.module_runs.get(module_id)
        if start and run and not (run.start or start) <= start <= (run.end or start):
            fields.error("start", _("The module opens outside the dates of its own course (course.start and "
                                    "course.end)."), _("Move it inside them, or change the course dates."))
        task = fields.mapping("task", required=True)
        task_prompt, task_min_words, task_mode, task_roles = None, None, None, None
        if task is not None:
            task.known("prompt", "min_words", "written_by", "approved_by")
            task_prompt = self._block_text(task, "prompt", required=True)
            task_min_words = task.integer("min_words", default=150, minimum=0, maximum=10000)
            # "municipality": the participants of a municipality write one text together (kkn_module's task_mode).
            task_mode = task.choice("written_by", TASK_WRITERS, "individual")
            task_roles = self._task_roles(task)
        values = {
            "display_name": title,
            "programme_id": context.programme_id,
            "programme_modules": list(context.module_ids),
            "module_id": module_id,
            "module_version": fields.text("version", default="1", limit=32),
            "number": number,
            "weeks": fields.integer("weeks", minimum=1, maximum=104, required=True),
            "completion_rule": fields.choice("completion", COMPLETION_RULES, "task"),
            "introduction": self._block_text(fields, "introduction", required=True),
            "outcomes": fields.strings("outcomes", required=True),
            "knowledge": self._block_text(fields, "knowledge", required=True),
            "inspiration": self._block_text(fields, "inspiration", required=True),
            "task_prompt": task_prompt,
            "task_min_words": task_min_words,
            "reading_list": self._reading(fields),
        }
        if task_mode != "individual":  # otherwise the block's default: the OLX of an individual task is unchanged
            values.update({"task_mode": task_mode, "task_roles": task_roles})
        values.update(self._self_check(fields))
        if None in values.values():
            self._units(fields)  # report their problems too
            return None
        names, first = self._block_unit(fields, "kkn_module", module_id, values, module_rules.module_problems(
            values, self.block_gettext), {"module_id": "id", "programme_modules": "id", "completion_rule": "completion"})
        where = first.where
        units = (first,) + tuple(self._units(fields))
        sequential = Subsection(names.subsection, title, units, where, start=start)
        context.module_titles[module_id] = title
        return Chapter(names.chapter, title, "module", (sequential,), where, start=start)

    def _task_roles(self, task):
        """Who approves a shared task: role requirements as the meeting's required_roles are written."""
        if not task.has("approved_by"):
            return list(checkin_rules.DEFAULT_REQUIRED_ROLES)
        roles = task.strings("approved_by", limit=100)
        if roles is None:
            return None
        if len(checkin_rules.role_requirements(roles)) != len(roles) or not roles:
            task.error("approved_by", _("Use the roles culture, business, tourism or other, for example "
                                        "[culture, business/tourism]."))
            return None
        return roles

    def _reading(self, fields):
        items = []
        for item, _index in fields.items("reading"):
            item.known("title", "url")
            title, url = item.text("title", required=True, limit=500), item.text("url", default="", limit=2000)
            if url and not re.match(r"^https?://\S+$", url):
                item.error("url", _("A link must start with https:// (or http://) and contain no spaces."))
                url = None
            if title is None or url is None:
                return None
            items.append({"title": title, "url": url})
        return items

    def _self_check(self, fields):
        check = fields.mapping("self_check")
        if check is None:
            return {"self_check": None}
        check.known("questions", "pass_percent")
        values = {"self_check": [], "self_check_pass_percent": check.integer("pass_percent", 80, 1, 100)}
        if not check.has("questions"):
            return values
        text, file = check.markdown("questions")
        if text is None:
            return {"self_check": None}
        try:
            values["self_check"] = module_rules.parse_self_check(text, self.block_gettext)
        except AuthorError as error:
            self.problems.add(Location(file) if file else check.at("questions"), str(error))
            values["self_check"] = None
        return values

    def _block_unit(self, fields, tag, block_id, values, found, keys):
        """Our block in a unit of its own, after its own cross-field rules (``found``: field -> message),
        each said at the source key that sets the field (``keys``: field -> key, where they differ)."""
        for field, message in sorted(found.items()):
            fields.error(keys.get(field, field), message)
        names = self._container_names(block_id, fields.at("id"))
        where = fields.at()
        return names, Unit(names.unit, values["display_name"], (CustomBlock(block_id, tag, values, where),), where)

    def _units(self, fields):
        units = []
        for item, _index in fields.items("units"):
            item.known("id", "title", "content")
            unit_id = item.ident("id")
            title = item.text("title", required=True)
            components = []
            for number, (component, _i) in enumerate(item.items("content", required=True), start=1):
                built = self._component(component, f"{unit_id}-{number}" if unit_id else None)
                if built is not None:
                    components.append(built)
            if unit_id and title and components:
                self._claim(unit_id, item.at("id"))
                units.append(Unit(unit_id, title, tuple(components), item.at()))
        return units

    def _component(self, item, url_name):
        kinds = [kind for kind in ("page", "video", "problem") if item.has(kind)]
        if len(kinds) != 1:
            item.error(None if not item.data else next(iter(item.data)),
                       _("Each item of content is one of: page, video, problem."),
                       _("Write \u201c- page: file.md\u201d, \u201c- video: {...}\u201d or \u201c- problem: {...}\u201d."))
            return None
        kind = kinds[0]
        if kind == "page":
            item.known("page", "title")
            value = item.data["page"]
            if not (isinstance(value, str) and is_md_reference(value)):
                item.error("page", _("Name the page's .md file, for example \u201cpage: fordjupning.md\u201d."))
                return None
            text, file = item.markdown("page")
            if text is None or url_name is None:
                return None
            title = item.text("title", default="")
            heading = _FIRST_HEADING.search(text)
            first_line = 1
            if heading and not text[:heading.start()].strip():
                # The page's own "# " heading is its title; "title:", when given, replaces it.
                title = title or heading.group(1)
                first_line += text.count("\n", 0, heading.end())
                text = text[heading.end():]
            if not title:
                item.error("page", _("The page has no title."),
                           _("Start the file with a \u201c# Heading\u201d line or add \u201ctitle:\u201d."))
                return None
            where = item.at("page")
            self._claim(url_name, where)
            return Html(url_name, title, self._html(text, where, file, first_line), where)
        item.known(kind)
        inner = item.mapping(kind)
        if inner is None or url_name is None:
            return None
        self._claim(url_name, item.at(kind))
        return self._video(inner, url_name) if kind == "video" else self._problem(inner, url_name)

    def _video(self, fields, url_name):
        fields.known("title", "youtube", "url")
        title = fields.text("title", required=True)
        youtube = fields.text("youtube", default="", limit=20)
        url = fields.text("url", default="", limit=2000)
        if youtube and not _YOUTUBE_ID.match(youtube):
            fields.error("youtube", _("A YouTube id has 11 characters, as in youtube.com/watch?v=aqz-KE-bpKQ."))
            return None
        if url and not re.match(r"^https://\S+$", url):
            fields.error("url", _("A video link must start with https:// and contain no spaces."))
            return None
        if bool(youtube) == bool(url):
            fields.error(None, _("A video needs either \u201cyoutube\u201d or \u201curl\u201d (one of them)."))
            return None
        if title is None:
            return None
        return Video(url_name, title, youtube_id=youtube or "", sources=(url,) if url else (), where=fields.at())

    def _problem(self, fields, url_name):
        fields.known("title", "question", "choices", "explanation", "max_attempts", "weight")
        title = fields.text("title", required=True)
        question, _file = fields.markdown("question", required=True)
        explanation, _file = fields.markdown("explanation")
        choices = []
        for choice, _index in fields.items("choices", required=True):
            choice.known("text", "correct")
            text = choice.text("text", required=True, limit=1000)
            correct = choice.boolean("correct", False)
            if text is not None and correct is not None:
                choices.append(Choice(_inline(self.render(text)), correct))
        if not 2 <= len(choices) <= 10 or not any(choice.correct for choice in choices):
            fields.error("choices", _("A problem needs 2 to 10 choices and at least one marked \u201ccorrect: "
                                      "true\u201d."))
            return None
        max_attempts = fields.integer("max_attempts", minimum=1, maximum=100)
        weight = fields.number("weight", minimum=0.0, maximum=100.0)
        if None in (title, question):
            return None
        return Problem(url_name, title, self._html(question, fields.at("question")), tuple(choices),
                       explanation=self._html(explanation, fields.at("explanation")) if explanation else "",
                       max_attempts=max_attempts, weight=weight, where=fields.at())

    # -- meetings/ ------------------------------------------------------------------------------------
    def _meetings(self, context):
        folder = self.root / "meetings"
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        self._misnamed_yaml(folder.glob("*.yml") if folder.is_dir() else ())
        units = []
        context.meeting_count = len(files)  # a broken file is reported once, not again by the exam's check
        loaded = [(path, self.problems.load_yaml(path)) for path in files]
        # The overview by municipality (every meeting block) has a column per meeting of the course.
        context.meeting_plan = [
            {"id": data["id"], "title": str(data.get("title") or "")[:overview_rules.MAX_TITLE_CHARS]}
            for _path, data in loaded
            if isinstance(data, dict) and isinstance(data.get("id"), str) and overview_rules.PLAN_ID.match(data["id"])
        ]
        # ... and the modules' progress beside it: the same list for every meeting.
        context.module_plan = [{"id": module_id, "title": title[:overview_rules.MAX_TITLE_CHARS]}
                               for module_id, title in context.module_titles.items()]
        for path, data in loaded:
            unit = self._meeting(path, data, context)
            if unit is not None:
                units.append(unit)
        if not units:
            return []
        gettext = course_gettext(context.language)  # the course's language, not the author's
        title = gettext("Regional meetings")
        where = Location("meetings")
        names = _Names(f"c-{MEETINGS_ID}", f"s-{MEETINGS_ID}", "")
        for url_name in names[:2]:
            self._claim(url_name, where)
        sequential = Subsection(names.subsection, title, tuple(units), where)
        return [Chapter(names.chapter, title, "meetings", (sequential,), where)]

    def _meeting(self, path, data, context):
        if data is None:
            return None
        fields = Fields(self.problems, data, self.problems.name(path), path.parent)
        fields.known("id", "title", "introduction", "sessions", "regions", "municipalities", "required_roles",
                     "code_step_seconds", "opens_minutes_before", "late_after_minutes", "weight", "module")
        meeting_id = fields.ident("id", lowercase=True)
        module_id = fields.text("module", default="", limit=100)
        if module_id and module_id not in context.module_titles:
            fields.error("module", _("\u201c{id}\u201d is not the id of a module of this programme.").format(id=module_id),
                         _("Use one of: {types}.").format(types=", ".join(context.module_titles) or "-"))
        elif module_id and meeting_id:
            context.meeting_modules[meeting_id] = module_id
        sessions = [self._session(item, context) for item, _index in fields.items("sessions", required=True)]
        regions = fields.strings("regions", limit=checkin_rules.MAX_NAME_CHARS)
        if regions == [] and None not in sessions:
            regions = list(dict.fromkeys(session["region"] for session in sessions))
        values = {
            "display_name": fields.text("title", required=True),
            "programme_id": context.programme_id,
            "meeting_id": meeting_id,
            "introduction": self._block_text(fields, "introduction"),
            "sessions": None if None in sessions else sessions,
            "regions": regions,
            "overview_meetings": context.meeting_plan,
            "overview_modules": context.module_plan,
        }
        if fields.has("municipalities"):  # otherwise the block's own list of southern Sweden
            values["municipalities"] = self._municipalities(fields, regions)
        if fields.has("required_roles"):
            values["required_roles"] = fields.strings("required_roles", limit=100)
        for key, minimum in (("code_step_seconds", 10), ("opens_minutes_before", 0), ("late_after_minutes", 0)):
            if fields.has(key):  # otherwise the block's default
                values[key] = fields.integer(key, minimum=minimum, maximum=1440)
        if fields.has("weight"):
            values["weight"] = fields.number("weight", minimum=0.0, maximum=checkin_rules.MAX_WEIGHT)
            if values["weight"]:
                # The meetings' subsection is not graded (no assignment type), so the LMS would keep the
                # block's score out of every grade: a weight here would promise what never happens.
                fields.error("weight", _("A meeting's weight does not count: the regional meetings are not a graded "
                                         "part of the course."),
                             _("Remove \u201cweight\u201d (or write 0). To make meetings count towards the "
                               "certificate, set \u201cmin_meetings\u201d in exam/exam.yaml."))
                values["weight"] = None
        if None in values.values():
            return None
        full = {"municipalities": checkin_rules.SOUTHERN_MUNICIPALITIES,
                "required_roles": checkin_rules.DEFAULT_REQUIRED_ROLES, **values}
        _names, unit = self._block_unit(fields, "kkn_checkin", meeting_id, values,
                                        checkin_rules.checkin_problems(full, self.block_gettext), {"meeting_id": "id"})
        return unit

    def _session(self, item, context):
        item.known("id", "region", "venue", "start", "end", "note")
        session_id = item.ident("id", lowercase=True)
        values = [session_id, item.text("region", required=True, limit=checkin_rules.MAX_NAME_CHARS),
                  item.text("venue", required=True, limit=checkin_rules.MAX_VENUE_CHARS),
                  self._inside_course(item, "start", context, required=True),
                  self._inside_course(item, "end", context, required=True)]
        note = item.text("note", default="", limit=checkin_rules.MAX_NOTE_CHARS)
        if None in values or note is None:
            return None
        if values[4] <= values[3]:
            item.error("end", _("The session must end after it starts: it starts {start} and ends {end}.").format(
                start=_swedish_time(values[3]), end=_swedish_time(values[4])),
                _("Check the date and the hour of \u201cend\u201d (Swedish time, for example "
                  "{example}).").format(example=(values[3] + dt.timedelta(hours=3)).astimezone(AUTHOR_ZONE)
                                        .strftime("%Y-%m-%dT%H:%M")))
            return None
        return checkin_rules.Session(*values, note=note).to_field()

    def _municipalities(self, fields, regions):
        nested = fields.mapping("municipalities")
        if nested is None:
            return None
        result = {}
        for region in nested.data:
            names = nested.strings(region, required=True, limit=checkin_rules.MAX_NAME_CHARS)
            if names is None:
                return None
            if regions and region not in regions:
                nested.error(region, _("\u201c{region}\u201d is not one of the meeting's regions ({regions}).").format(
                    region=region, regions=", ".join(regions)))
                return None
            result[region] = names
        return result

    # -- exam/ ----------------------------------------------------------------------------------------
    def _exam(self, context, graders):
        path = self.root / EXAM_FILE
        self._misnamed_yaml([path.with_suffix(".yml")] if path.with_suffix(".yml").exists() else [])
        if not path.is_file():
            return []
        data = self.problems.load_yaml(path)
        if data is None:
            return []
        fields = Fields(self.problems, data, self.problems.name(path), path.parent)
        fields.known("id", "title", "format", "introduction", "questions", "draw", "balance_topics", "shuffle",
                     "time_limit_minutes", "max_attempts", "wait_minutes", "pass_percent", "review",
                     "min_meetings", "certificate_valid_months", "weight")
        exam_id = fields.ident("id")
        title = fields.text("title", required=True)
        grader_format = fields.text("format", required=True, limit=100)
        if grader_format and grader_format not in {grader.type for grader in graders}:
            fields.error("format", _("\u201c{format}\u201d is not an assignment type in course.yaml's grading.").format(
                format=grader_format), _("Use one of: {types}.").format(types=", ".join(g.type for g in graders)))
            grader_format = None
        questions = self._bank(fields)
        meeting_count = context.meeting_count
        min_meetings = fields.integer("min_meetings", default=0, minimum=0, maximum=100)
        if min_meetings and min_meetings > meeting_count:
            fields.error("min_meetings", ngettext("The exam needs {count} meeting but the course has {meetings}.",
                                                  "The exam needs {count} meetings but the course has {meetings}.",
                                                  min_meetings).format(count=min_meetings, meetings=meeting_count))
            min_meetings = None
        module_ids = list(context.module_titles)  # the modules read, in course order
        values = {
            "display_name": title,
            "programme_id": context.programme_id,
            "programme_title": context.programme_title,
            "exam_id": exam_id,
            "required_modules": module_ids,
            "module_titles": {module_id: context.module_titles[module_id] for module_id in module_ids},
            "introduction": self._block_text(fields, "introduction"),
            "questions": questions,
            "min_meetings": min_meetings,
            "draw_count": fields.integer("draw", default=0, minimum=0, maximum=exam_rules.MAX_QUESTIONS),
            "balance_topics": fields.boolean("balance_topics", False),
            "shuffle": fields.boolean("shuffle", True),
            "time_limit_minutes": fields.integer("time_limit_minutes", default=60, minimum=0, maximum=1440),
            "attempts_allowed": fields.integer("max_attempts", default=3, minimum=0, maximum=100),
            "wait_minutes_between_attempts": fields.integer("wait_minutes", default=0, minimum=0, maximum=525600),
            "pass_percent": fields.integer("pass_percent", default=70, minimum=1, maximum=100),
            "review_policy": fields.choice("review", REVIEW_POLICIES, "right_after_final"),
            "certificate_valid_months": fields.integer("certificate_valid_months", default=0, minimum=0,
                                                       maximum=1200),
            "weight": fields.number("weight", default=1.0, minimum=0.001, maximum=1000.0),
        }
        if None in values.values() or grader_format is None or title is None:
            return []
        names, unit = self._block_unit(fields, "kkn_exam", exam_id, values, exam_rules.exam_problems(
            values, self.block_gettext), {"exam_id": "id", "draw_count": "draw", "review_policy": "review",
                                          "attempts_allowed": "max_attempts"})
        where = unit.where
        sequential = Subsection(names.subsection, title, (unit,), where, graded=True, format=grader_format)
        return [Chapter(names.chapter, title, "exam", (sequential,), where)]

    def _bank(self, fields):
        if not fields.has("questions"):
            fields.error("questions", _("\u201c{key}\u201d is required.").format(key="questions"),
                         _("Name the question bank's .md file, for example \u201cquestions: questions.md\u201d."))
            return None
        text, file = fields.markdown("questions")
        if text is None:
            return None
        try:
            return exam_rules.parse_question_bank(text, self.block_gettext)
        except AuthorError as error:
            self.problems.add(Location(file) if file else fields.at("questions"), str(error))
            return None

    # -- shared ---------------------------------------------------------------------------------------
    def _misnamed_yaml(self, paths):
        for path in sorted(paths):
            self.problems.add(Location(self.problems.name(path)), _("Files here must end in .yaml; this one is "
                                                                    "not read."), _("Rename it to {name}.").format(
                name=path.with_suffix(".yaml").name))

    def _block_text(self, fields, key, required=False):
        """Markdown a block renders itself (introduction, knowledge...): links to course files are refused."""
        text, file = fields.markdown(key, required=required)
        if text and _BLOCK_STATIC_LINK.search(text):
            where = Location(file, text.count("\n", 0, _BLOCK_STATIC_LINK.search(text).start()) + 1) if file \
                else fields.at(key)
            self.problems.add(where, _("This text links to a file in static/, but the block shows its text as "
                                       "written and the link would break in the LMS."),
                              _("Put images and files on a page of the module (units: content: page) instead."))
            return None
        return text

    def _container_names(self, block_id, where):
        """The url_names of a block and of the containers made for it: the block keeps the author's id
        (learners' state is keyed on it), the containers get a prefix."""
        names = _Names(f"c-{block_id}", f"s-{block_id}", f"u-{block_id}")
        if block_id == MEETINGS_ID:
            self.problems.add(where, _("The id \u201c{id}\u201d is reserved for the chapter of the regional "
                                       "meetings.").format(id=block_id), _("Choose another id."))
        taken = block_id in self.url_names
        self._claim(block_id, where)
        if not taken:  # a duplicate id is said once, about what the author wrote, not again for c-, s-, u-
            for url_name in names:
                self._claim(url_name, where)
        return names

    def _inside_course(self, fields, key, context, required=False):
        moment = fields.date(key, required=required)
        if moment and context.dates and not context.dates[0] <= moment <= context.dates[1]:
            fields.error(key, _("The date is outside the course dates (course.yaml start and end)."),
                         _("Move it inside them, or change the course dates."))
            return None
        return moment


def render_markdown(text):
    """Sanitised HTML of author Markdown (the renderer is loaded when a text is first rendered: a rebuild
    whose pages come from the cache does without it)."""
    from kkn_xblocks.markup import render_markdown as render  # pylint: disable=import-outside-toplevel
    return render(text)


def _module_context(reader, context):
    """The digest of all a module's reading takes from the rest of the course: a module memo is
    replayed only when it is the same."""
    return content_key(repr((str(reader.root), context.programme_id, context.dates, context.language,
                             context.module_ids, sorted(reader.assets), i18n.active_language())))


def _swedish_time(moment):
    return moment.astimezone(AUTHOR_ZONE).strftime("%Y-%m-%d %H:%M")


def _inline(html):
    """A one-paragraph rendering without its <p>, for text that sits in a label or a choice."""
    text = html.strip()
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        return text[3:-4]
    return text


class _Names(NamedTuple):
    chapter: str
    subsection: str
    unit: str


class _Context:
    """What later parts of the source need from earlier ones."""

    def __init__(self, programme_id, programme_title, dates, language):
        self.programme_id = programme_id
        self.programme_title = programme_title
        self.dates = dates
        self.language = language
        self.module_ids = []
        self.module_titles = {}
        self.meeting_count = 0
        self.module_runs = {}  # module id -> CourseRun
        self.meeting_modules = {}  # meeting id -> module id
        self.meeting_plan = []
        self.module_plan = []


__all__ = ["read_course", "read_programme", "SourceError", "URL_NAME"]
