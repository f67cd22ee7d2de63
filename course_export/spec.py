"""The course spec: the one model of a course, between the source files and every rendering of it.

    source files --(source.read_course)--> Course --(olx.write_tree)--> OLX tree --(archive)--> .tar.gz
                                                  \\--(preview)--> the local runtime

Everything here is plain, immutable data that has already been checked: a ``Course`` that exists is
a course the writer can write. Each item keeps the ``Location`` it came from, so later checks (and
the validator's reports) can point the author at the file and line to fix.

Custom blocks carry their field values exactly as the block class stores them (``CustomBlock.fields``);
the writer hands them to the block's own ``add_xml_to_node``, so builder output and block parsing
cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Union

# Studio's rule for url_names, and ours for every id that becomes one (ASCII, stable).
URL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CUSTOM_TAGS = ("kkn_module", "kkn_checkin", "kkn_exam")


@dataclass(frozen=True)
class Location:
    """Where something was written: a file relative to the source folder, a line (1-based), a key."""

    file: str
    line: int | None = None
    key: str = ""

    def __str__(self):
        text = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{text} ({self.key})" if self.key else text


@dataclass(frozen=True)
class SourceProblem:
    """One thing wrong in the source: where, what, and how to fix it (all translated)."""

    location: Location
    message: str
    hint: str = ""

    def __str__(self):
        text = f"{self.location}: {self.message}"
        return f"{text} {self.hint}" if self.hint else text


class SourceError(Exception):
    """The source cannot be built; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- components ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Html:
    """A text page: Markdown rendered to sanitised HTML; assets linked as ``/static/<name>``."""

    url_name: str
    title: str
    html: str
    where: Location


@dataclass(frozen=True)
class Video:
    """A video: a YouTube id, or links to video files (``sources``)."""

    url_name: str
    title: str
    youtube_id: str = ""
    sources: tuple[str, ...] = ()
    where: Location = Location("")


@dataclass(frozen=True)
class Choice:
    text: str  # sanitised inline HTML
    correct: bool


@dataclass(frozen=True)
class Problem:
    """A multiple-choice practice problem (a standard Open edX ``problem``)."""

    url_name: str
    title: str
    question: str  # sanitised HTML
    choices: tuple[Choice, ...]
    explanation: str = ""  # sanitised HTML
    max_attempts: int | None = None
    weight: float | None = None
    where: Location = Location("")

    @property
    def multiple(self):
        return sum(choice.correct for choice in self.choices) > 1


@dataclass(frozen=True)
class CustomBlock:
    """One of our blocks (tag = its entry point), with field values as the block class stores them."""

    url_name: str
    tag: str
    fields: Mapping[str, Any]
    where: Location

    @property
    def title(self):
        return self.fields.get("display_name", "")


Component = Union[Html, Video, Problem, CustomBlock]


# --- containers ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    url_name: str
    title: str
    components: tuple[Component, ...]
    where: Location


@dataclass(frozen=True)
class Subsection:
    url_name: str
    title: str
    units: tuple[Unit, ...]
    where: Location
    graded: bool = False
    format: str = ""  # a grader type when graded
    start: dt.datetime | None = None  # UTC
    due: dt.datetime | None = None  # UTC


@dataclass(frozen=True)
class Chapter:
    """A course section. ``kind`` says what it holds: a module, the meetings, or the final exam."""

    url_name: str
    title: str
    kind: str  # "module" | "meetings" | "exam"
    subsections: tuple[Subsection, ...]
    where: Location
    start: dt.datetime | None = None  # UTC


# --- the course ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grader:
    type: str
    short_label: str
    weight: float
    min_count: int = 1
    drop_count: int = 0


@dataclass(frozen=True)
class About:
    """The course about page: texts Studio shows on the course's marketing page."""

    short_description: str = ""
    overview: str = ""  # sanitised HTML
    effort: str = ""  # e.g. "8:00" (hours per week), as Studio writes it
    duration: str = ""  # e.g. "12 månader"
    price: str = ""  # e.g. "58 000 kr, 10 % rabatt för medlemmar i SKNT"
    facts: str = ""  # sanitised HTML: the catalogue facts (price, length, discounts), end of the about page


@dataclass(frozen=True)
class Discount:
    percent: int
    members_of: str  # who gets it, e.g. "SKNT"


@dataclass(frozen=True)
class Catalogue:
    """What the whole programme costs and takes (course.yaml ``programme``), for every about page."""

    price: int | None = None  # whole kronor, the full programme
    weeks: int | None = None
    discounts: tuple[Discount, ...] = ()


@dataclass(frozen=True)
class Asset:
    """A static file: ``name`` is its ASCII file name under ``static/``, ``path`` the file on disk."""

    name: str
    path: Path


@dataclass(frozen=True)
class Course:
    org: str
    number: str
    run: str
    title: str
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    programme_id: str
    chapters: tuple[Chapter, ...]
    graders: tuple[Grader, ...]
    pass_cutoff: float  # share of the grade needed to pass, 0 < x <= 1
    where: Location
    language: str = "sv"
    self_paced: bool = True
    certificates: bool = True
    about: About = field(default_factory=About)
    assets: tuple[Asset, ...] = ()
    course_image: str = ""  # the name of an asset: the course card's image
    source: Path | None = None  # the folder it was read from
    # What this course is in its programme: all of it, one module's course, or the exam's course.
    kind: str = "programme"  # "programme" | "module" | "exam"
    module_id: str = ""  # the module, when kind == "module"

    @property
    def course_id(self):
        return f"course-v1:{self.org}+{self.number}+{self.run}"

    def subsections(self) -> Iterator[Subsection]:
        for chapter in self.chapters:
            yield from chapter.subsections

    def units(self) -> Iterator[Unit]:
        for subsection in self.subsections():
            yield from subsection.units

    def components(self) -> Iterator[Component]:
        for unit in self.units():
            yield from unit.components

    def counts(self):
        """Blocks per OLX tag, as the build manifest and Studio's validation API count them."""
        counts = Counter({"course": 1, "chapter": len(self.chapters)})
        counts["sequential"] = sum(1 for _ in self.subsections())
        counts["vertical"] = sum(1 for _ in self.units())
        counts.update(tag_of(component) for component in self.components())
        return dict(sorted(counts.items()))

    def graded_subsections(self):
        return [{"url_name": sub.url_name, "format": sub.format} for sub in self.subsections() if sub.graded]


PACKAGINGS = ("course", "modules")


@dataclass(frozen=True)
class CourseRun:
    """A module's or the exam's own course (``packaging: modules``); what is empty is derived from
    the programme's course (``assemble``)."""

    number: str = ""
    run: str = ""
    title: str = ""
    start: dt.datetime | None = None  # UTC
    end: dt.datetime | None = None  # UTC
    price: int | None = None  # whole kronor, the module on its own
    about: About | None = None


@dataclass(frozen=True)
class Programme:
    """Everything one source builds: one course (``packaging: course``) or a course per module plus
    the exam's course (``packaging: modules``), all sharing ``id`` and so one record."""

    id: str
    title: str
    packaging: str  # one of PACKAGINGS
    courses: tuple[Course, ...]
    catalogue: Catalogue = field(default_factory=Catalogue)

    def course(self, course_id):
        return next((course for course in self.courses if course.course_id == course_id), None)


def tag_of(component):
    """The OLX tag a component is written as."""
    if isinstance(component, CustomBlock):
        return component.tag
    return {Html: "html", Video: "video", Problem: "problem"}[type(component)]
