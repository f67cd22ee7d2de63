"""The programme council's overview by municipality, as plain functions (no runtime needed).

The seminar series is planned per municipality: from each, the culture manager and the
business/tourism manager take part. The overview is a matrix of municipalities (grouped by region)
x the programme's meetings: in each cell, which required roles attended; totals per meeting and per
municipality; the municipalities nobody registered for; and each participant's module progress.
It is built from ``records.api.overview_facts`` (three queries) and the meeting block's own lists
of regions, municipalities and required roles.

The programme's meetings and modules are author fields of the meeting block ("id | title", one
per line); the course builder fills them from the course, so every meeting of every course run
of a programme shows the same overview.
"""
import re
from dataclasses import dataclass

from .checkin_rules import ROLE_IDS, missing_requirements, municipalities_of, swedish_sort_key
from .errors import AuthorError

PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_PLAN_ITEMS = 50
MAX_TITLE_CHARS = 255


def _(text):
    return text


# --- The programme's meetings and modules: "id | title" lines <-> [{"id", "title"}] -------------

@dataclass(frozen=True)
class PlanItem:
    id: str
    title: str

    @property
    def label(self):
        return self.title or self.id


def plan_items(entries):
    """The usable entries of a stored plan field (OLX may hold anything): ids unique, in order."""
    items, seen = [], set()
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        item_id, title = entry.get("id"), entry.get("title", "")
        if isinstance(item_id, str) and PLAN_ID.match(item_id) and item_id not in seen and isinstance(title, str):
            seen.add(item_id)
            items.append(PlanItem(item_id, title[:MAX_TITLE_CHARS]))
    return items


def parse_plan(text, gettext):
    """``seminarium-1 | Seminarium 1: Vad är KKN?`` per line -> the field; AuthorError names the line."""
    items, seen = [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        item_id, _bar, title = (part.strip() for part in line.partition("|"))
        if not PLAN_ID.match(item_id):
            raise AuthorError(gettext(_(
                "Line {line}: \u201c{id}\u201d is not an id. Write the id (lowercase letters, digits, \u201c-\u201d), "
                "optionally \u201c|\u201d and the title, for example \u201cseminarium-1 | Seminarium 1\u201d."
            )).format(line=number, id=item_id[:40]))
        if item_id in seen:
            raise AuthorError(gettext(_("Line {line}: the id \u201c{id}\u201d is listed twice.")).format(
                line=number, id=item_id))
        if len(title) > MAX_TITLE_CHARS:
            raise AuthorError(gettext(_("Line {line}: the title is too long (at most {limit} characters).")).format(
                line=number, limit=MAX_TITLE_CHARS))
        seen.add(item_id)
        items.append({"id": item_id, "title": title})
    if len(items) > MAX_PLAN_ITEMS:
        raise AuthorError(gettext(_("List at most {limit} entries.")).format(limit=MAX_PLAN_ITEMS))
    return items


def plan_to_text(entries):
    return "\n".join(f"{item.id} | {item.title}" if item.title else item.id for item in plan_items(entries))


# --- The matrix ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One municipality at one meeting."""

    roles: tuple  # the roles of the participants who attended, in programme order
    missing: tuple  # unmet requirements, each a tuple of role ids
    people: int  # participants of the municipality who attended

    @property
    def complete(self):
        return self.people > 0 and not self.missing


@dataclass(frozen=True)
class ParticipantProgress:
    name: str
    role: str
    done: int  # of the programme's modules


@dataclass(frozen=True)
class MunicipalityRow:
    region: str
    municipality: str
    listed: bool  # in the author's list of municipalities (else: a participant wrote it in her profile)
    participants: tuple  # ParticipantProgress, by role then name
    cells: tuple  # Cell per meeting, in meeting order

    @property
    def registered(self):
        return bool(self.participants)

    @property
    def complete_meetings(self):
        return sum(1 for cell in self.cells if cell.complete)


@dataclass(frozen=True)
class MeetingTotal:
    complete: int  # municipalities where every required role attended
    people: int  # participants who attended


@dataclass(frozen=True)
class Overview:
    meetings: tuple  # PlanItem
    modules: tuple  # PlanItem
    rows: tuple  # MunicipalityRow with at least one participant, by region then municipality
    unregistered: tuple  # MunicipalityRow of listed municipalities nobody registered for
    totals: tuple  # MeetingTotal per meeting
    region: str  # the region filter, "" for all
    without_municipality: int  # participants who have not given a municipality yet


def build_overview(facts, regions, municipalities, requirements, meetings, modules, region=""):
    """The overview from ``OverviewFacts``; ``region`` ("" = all) filters the rows and totals."""
    role_order = {role: index for index, role in enumerate(ROLE_IDS)}
    region_order = {name: index for index, name in enumerate(regions)}
    module_ids = {item.id for item in modules}
    places = {}  # (region, municipality) -> listed
    for name in regions:
        for municipality in municipalities_of(municipalities, name):
            places[(name, municipality)] = True
    people = {}
    without = 0
    for member in facts.members:
        if not member.municipality:
            without += 0 if region and member.region != region else 1
            continue
        place = (member.region, member.municipality)
        places.setdefault(place, False)
        people.setdefault(place, []).append(member)
    rows, unregistered = [], []
    for place in sorted(places, key=lambda p: (region_order.get(p[0], len(region_order)), swedish_sort_key(p[0]),
                                                swedish_sort_key(p[1]))):
        if region and place[0] != region:
            continue
        members = sorted(people.get(place, []), key=lambda m: (role_order.get(m.role, len(role_order)),
                                                                swedish_sort_key(m.name), m.learner_key))
        cells = []
        for meeting in meetings:
            came = [m for m in members if (m.learner_key, meeting.id) in facts.attended]
            roles = sorted({m.role for m in came if m.role}, key=lambda r: role_order.get(r, len(role_order)))
            cells.append(Cell(tuple(roles), tuple(missing_requirements(roles, requirements)), len(came)))
        row = MunicipalityRow(
            region=place[0], municipality=place[1], listed=places[place],
            participants=tuple(ParticipantProgress(m.name or m.learner_key, m.role,
                                                   len(facts.completed.get(m.learner_key, frozenset()) & module_ids))
                               for m in members),
            cells=tuple(cells),
        )
        (rows if row.registered else unregistered).append(row)
    totals = tuple(
        MeetingTotal(complete=sum(1 for row in rows if row.cells[index].complete),
                     people=sum(row.cells[index].people for row in rows))
        for index in range(len(meetings))
    )
    return Overview(tuple(meetings), tuple(modules), tuple(rows), tuple(unregistered), totals, region, without)
