"""The programme council's overview by municipality: a staff view of the meeting block.

Why here: the meeting block already holds what defines a municipality in the programme (its
regions, its municipalities and the roles every municipality needs), it is the facilitator's
staff panel, and every course of a programme has meetings. The course builder fills the two plan
fields below from the course (every meeting and module), so each meeting shows the same overview.

Three staff-only handlers (checked on the server): ``overview_page`` (a page that prints on A4),
``overview_csv`` (the same as CSV, formula prefixes escaped by ``csv_response``) and ``overview``
(the same HTML for the staff panel). Each reads the record in three queries, whatever the size
(``records.api.overview_facts``); ``overview_rules`` builds the matrix.
"""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from webob import Response
from xblock.core import XBlock
from xblock.fields import Scope

from . import checkin_rules as rules
from . import overview_rules
from .fields import List
from .handlers import Refusal, json_handler
from .records import api


def _(text):
    return text


class ProgrammeOverviewMixin:
    """Mixed into ``MeetingCheckinBlock``; uses its regions, municipalities and required roles."""

    overview_meetings = List(
        display_name=_("Programme meetings (overview)"),
        help=_("Every meeting of the programme, one per line: id | title. The overview by municipality has one column "
               "per meeting. Empty: this meeting only."),
        scope=Scope.settings, default=[], enforce_type=True,
    )
    overview_modules = List(
        display_name=_("Programme modules (overview)"),
        help=_("Every module of the programme, one per line: id | title. The overview counts the modules each "
               "participant completed."),
        scope=Scope.settings, default=[], enforce_type=True,
    )

    def _plan_meetings(self):
        return overview_rules.plan_items(self.overview_meetings) or [
            overview_rules.PlanItem(self.meeting_id, self.display_name)]

    def _overview(self, region):
        meetings, modules = self._plan_meetings(), overview_rules.plan_items(self.overview_modules)
        facts = api.overview_facts(self.programme_id, [m.id for m in meetings], [m.id for m in modules])
        return overview_rules.build_overview(facts, list(self.regions), self.municipalities,
                                             rules.role_requirements(self.required_roles), meetings, modules, region)

    def _overview_region(self, region):
        if region and region not in self.regions:
            raise Refusal(400, self.gettext(_("There is no region \u201c{region}\u201d. Choose one from the list.")
                                            ).format(region=region[:rules.MAX_NAME_CHARS]))
        return region

    def _cell_items(self, cell):
        """Each required role with whether it attended: ``[(label, met)]``."""
        requirements = rules.role_requirements(self.required_roles)
        return [(self._requirement_label(options), options not in cell.missing) for options in requirements]

    def _progress_text(self, participant, modules):
        role = self._role_label(participant.role, "")
        who = f"{participant.name} ({role})" if role else participant.name
        if not modules:  # the plan names no modules: there is no progress to count
            return who
        return self.gettext(_("{who}: {done} of {total} modules")).format(who=who, done=participant.done,
                                                                           total=len(modules))

    def _overview_html(self, overview, filter_url=""):
        gettext = self.gettext
        rows = [{
            "region": row.region,
            "municipality": row.municipality,
            "listed": row.listed,
            "cells": [{"items": self._cell_items(cell), "people": cell.people, "complete": cell.complete}
                      for cell in row.cells],
            "complete_text": gettext(_("{done} of {total}")).format(done=row.complete_meetings,
                                                                    total=len(overview.meetings)),
            "progress": [self._progress_text(p, overview.modules) for p in row.participants],
        } for row in overview.rows]
        return self.render_template("checkin/overview.html", {
            "overview": overview,
            "rows": rows,
            "totals": [
                gettext(_("{complete} of {total} municipalities complete, {people} attended")).format(
                    complete=total.complete, total=len(overview.rows), people=total.people)
                for total in overview.totals
            ],
            "unregistered": [f"{row.municipality} ({row.region})" for row in overview.unregistered],
            "regions": list(self.regions),
            # A GET form replaces its action's query, so what the runtime put there (the preview's
            # "student") travels as hidden fields.
            "filter_url": urlunsplit(urlsplit(filter_url)._replace(query="")) if filter_url else "",
            "filter_hidden": [pair for pair in parse_qsl(urlsplit(filter_url).query) if pair[0] != "region"],
            "csv_url": self.runtime.handler_url(self, "overview_csv", query=self._region_query(overview.region)),
            "requirements": self._missing_text(rules.role_requirements(self.required_roles)),
        })

    @staticmethod
    def _region_query(region):
        return urlencode({"region": region}) if region else ""

    def _requested_overview(self, request):
        """The overview a GET handler was asked for: staff only, filtered by ``?region=``."""
        self.require_staff()
        return self._overview(self._overview_region(request.GET.get("region", "")))

    @json_handler
    def overview(self, payload, suffix=""):
        self.require_staff()
        region = self._overview_region(payload.text("region", rules.MAX_NAME_CHARS, required=False))
        return {"html": self._overview_html(self._overview(region))}

    @XBlock.handler
    def overview_page(self, request, suffix=""):
        """The overview as a page of its own, laid out for A4 (landscape) when printed."""
        try:
            overview = self._requested_overview(request)
        except Refusal as refusal:
            return refusal.get_response()
        title = self.gettext(_("Programme overview by municipality"))
        body = self.render_template("checkin/overview_page.html", {
            "title": title,
            "overview_html": self._overview_html(overview, filter_url=self.runtime.handler_url(self, "overview_page")),
        })
        html = self.render_template("page.html", {
            "title": title,
            "body": body,
            "body_class": "kkn-overview-page",
            "css_urls": [self.runtime.local_resource_url(self, "public/css/kkn.css"),
                         self.runtime.local_resource_url(self, "public/css/kkn-checkin.css")],
        })
        response = Response(html, content_type="text/html", charset="utf-8")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    @XBlock.handler
    def overview_csv(self, request, suffix=""):
        try:
            overview = self._requested_overview(request)
        except Refusal as refusal:
            return refusal.get_response()
        gettext = self.gettext
        header = [gettext(_("Region")), gettext(_("Municipality")),
                  *[meeting.label for meeting in overview.meetings],
                  gettext(_("Meetings with every required role")), gettext(_("Modules completed"))]
        yes, no = gettext(_("attended")), gettext(_("missing"))
        rows = [
            [row.region, row.municipality,
             *["; ".join(f"{label}: {yes if met else no}" for label, met in self._cell_items(cell))
               for cell in row.cells],
             row.complete_meetings,
             "; ".join(self._progress_text(p, overview.modules) for p in row.participants)]
            for row in overview.rows
        ]
        rows += [[row.region, row.municipality, *["" for _m in overview.meetings], 0, gettext(_("Nobody registered"))]
                 for row in overview.unregistered]
        name = f"{self.programme_id}-kommunoversikt{'-' + overview.region if overview.region else ''}.csv"
        return self.csv_response(_ascii_filename(name), header, rows)


def _ascii_filename(name):
    """A Content-Disposition file name without quotes or non-ASCII letters (regions have å, ä, ö)."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O", " ": "-", '"': ""})
    return "".join(c for c in name.translate(table) if c.isascii() and (c.isalnum() or c in "-_."))
