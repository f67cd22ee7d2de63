"""Studio is a runtime too (issue 11): Studio's preview records nothing, the author's summary
renders there, and only those who may edit the course see or change a block's settings.

The preview runtime here is built as openedx-platform builds it, in
``cms/djangoapps/contentstore/views/preview.py``:

* ``_load_preview_block`` binds the block to the signed-in author (``bind_for_student(request.user.id)``);
* ``_prepare_runtime_for_preview`` sets ``runtime.is_author_mode = True`` and passes the services in
  ``PREVIEW_SERVICES``, among them ``studio_user_permissions`` (``StudioPermissionsService(request.user)``)
  and ``user`` (``DjangoXBlockUserService(request.user, user_role=get_user_role(...), ...)``: no
  ``user_is_staff``, so False);
* the user service's attributes are those ``common/djangoapps/xblock_django/user_service.py`` sets for a
  signed-in user, and ``get_user_role`` (``cms/djangoapps/contentstore/views/access.py``) answers
  ``instructor`` or ``staff``.

The same runtime without ``is_author_mode`` is the LMS as this author sees it: the control that shows
every request below is one that would write.
"""
import copy
import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from webob import Request
from workbench.models import XBlockState
from workbench.runtime import WorkbenchRuntime
from xblock.reference.user_service import UserService, XBlockUser

from kkn_xblocks import identity, studio
from kkn_xblocks.checkin import MeetingCheckinBlock
from kkn_xblocks.exam import CertificationExamBlock
from kkn_xblocks.module import DistanceModuleBlock
from kkn_xblocks.records import api
from kkn_xblocks.records.models import ExamAttempt
from kkn_xblocks.scenarios import block_element, scenario
from kkn_xblocks.scenarios.module import MODULE_1
from kkn_xblocks.studio import value_to_text

from .checkin.conftest import MEETING
from .exam.conftest import EXAM, right_answers
from .module.conftest import LONG_TEXT, RIGHT

pytestmark = pytest.mark.django_db

AUTHOR_ID = 42  # the author's real LMS/Studio user id
AUTHOR = str(AUTHOR_ID)  # her learner key in the record (identity.learner_key)
OTHER = "7"  # a learner of the course, for the staff actions
COURSE = "course-v1:KKN+NU101+2027"
# Every service preview.py passes (``services = {...}`` in _prepare_runtime_for_preview).
PREVIEW_SERVICES = {"studio_user_permissions", "i18n", "mako", "settings", "user", "partitions",
                    "teams_configuration", "sandbox", "cache", "replace_urls", "video_config",
                    "discussion_config_service", "xqueue"}
PREVIEW_REFUSAL = ("Förhandsvisningen i Studio sparar ingenting och visar inga deltagaruppgifter. Prova blocket i "
                   "LMS:en, till exempel i kursens förhandsvisning eller som testdeltagare.")
NOT_AUTHOR = "Bara kursteamet, med rätt att redigera kursen i Studio, kan se eller ändra blockets inställningar."


class CourseUsageId(str):
    """A usage id that knows its course, as Studio's ``BlockUsageLocator.context_key`` does."""

    context_key = COURSE


class AuthorUserService(UserService):
    """``DjangoXBlockUserService`` as preview.py builds it for the signed-in author."""

    def get_current_user(self):
        user = XBlockUser(is_current_user=True, emails=["karin.berg@example.org"], full_name="Karin Berg")
        user.opt_attrs.update({
            "edx-platform.anonymous_user_id": "student",  # preview.py's default without individualised ids
            "edx-platform.deprecated_anonymous_user_id": "student",
            "edx-platform.is_authenticated": True,
            "edx-platform.request_country_code": None,
            "edx-platform.user_id": AUTHOR_ID,
            "edx-platform.username": "karin",
            "edx-platform.user_is_beta_tester": False,
            "edx-platform.user_is_global_staff": False,
            "edx-platform.user_is_staff": False,  # preview.py passes no user_is_staff
            "edx-platform.user_role": "instructor",
            "edx-platform.user_preferences": {},
        })
        return user


class StudioPermissions:
    """``StudioPermissionsService`` as Ulmo and Verawood have it (``openedx/core/djangoapps/content/
    services.py``): read and write access per course key. Remembers what it was asked."""

    def __init__(self, writable=(COURSE,)):
        self.writable = set(writable)
        self.asked = []

    def can_read(self, context_key):
        self.asked.append(("read", context_key))
        return context_key in self.writable

    def can_write(self, context_key):
        self.asked.append(("write", context_key))
        return context_key in self.writable


class AuthorRuntime(WorkbenchRuntime):
    """The author's runtime: Studio's preview with ``author_mode``, the LMS as she sees it without."""

    def __init__(self, author_mode=True, permissions=None):
        super().__init__(user_id=AUTHOR)
        if author_mode:
            self.is_author_mode = True
        self._services["user"] = AuthorUserService()
        if permissions is not None:
            self._services["studio_user_permissions"] = permissions
        self.events = []

    def get_block(self, usage_id, for_parent=None):
        block = super().get_block(usage_id, for_parent)
        block.scope_ids = block.scope_ids._replace(usage_id=CourseUsageId(usage_id))
        return block

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))

    def call(self, usage, handler, data=None, method="POST", suffix="", query=""):
        """A request to a handler as preview_handler (or the LMS) passes it: ``(status, body text)``."""
        body = json.dumps(data if data is not None else {}).encode() if method == "POST" else b""
        request = Request.blank(f"/{suffix}" + (f"?{query}" if query else ""), method=method, body=body,
                                content_type="application/json")
        response = self.get_block(usage).handle(handler, request, suffix)
        return response.status_code, response.body.decode("utf-8")


def preview_runtime():
    return AuthorRuntime(author_mode=True, permissions=StudioPermissions())


def stored():
    """Every row of the programme record, and every block state the runtime keeps. (The workbench
    creates an empty state row when a field is first read, ``XBlockState.get_for_key``: those are
    not writes of the block.)"""
    rows = {model.__name__: sorted(json.dumps(row, sort_keys=True, default=str) for row in model.objects.values())
            for model in apps.get_app_config("kkn_records").get_models()}
    rows["block state"] = sorted(json.dumps(row) for row in XBlockState.objects.exclude(state="{}").values_list(
        "scope_id", "user_id", "state"))
    return rows


def render_without_the_record(runtime, usage, view):
    """Render ``view``; not one query may touch the programme record (its tables are ``kkn_records_*``)."""
    with CaptureQueriesContext(connection) as queries:
        html = runtime.render(runtime.get_block(usage), view, {}).body_html()
    touched = [query["sql"] for query in queries.captured_queries if "kkn_records_" in query["sql"]]
    assert not touched, (view, touched)
    return html


def load(wb, tag, fields):
    root = wb.load(scenario(block_element(tag, copy.deepcopy(fields))))
    return wb.child_ids(root)[0]


def form_values(wb, usage):
    block = wb.block(usage, "staff")
    return {spec.name: value_to_text(spec, getattr(block, spec.name)) for spec in block.author_fields}


# --- the three blocks, set up so that each request would write for this author in the LMS ---------

def module_case(wb, fake_clock):
    usage = load(wb, "kkn_module", MODULE_1)
    # Completed in another course run: a view in the LMS publishes that completion here.
    api.record_completion(AUTHOR, MODULE_1["programme_id"], "modul-2", "1", module_title="Modul 2")
    return usage, {
        "save_draft": ("write", {"text": "Ett utkast."}),
        "submit_task": ("write", {"text": LONG_TEXT}),
        "check_answers": ("write", {"answers": RIGHT}),
        "studio_submit": ("write", {"values": {**form_values(wb, usage), "display_name": "Ny titel"}}),
        "staff_report": ("staff", {}),
        "report_csv": ("staff", None),
        "shared_save": ("write", {"text": "Vår gemensamma plan.", "version": 0}),
        "shared_approve": ("write", {"version": 1}),
        "shared_history": ("staff", {}),
    }


def checkin_case(wb, fake_clock):
    usage = load(wb, "kkn_checkin", MEETING)
    programme = MEETING["programme_id"]
    api.save_profile(AUTHOR, programme, "Karin Berg", "Lund", "culture", "Skåne")
    api.save_profile(OTHER, programme, "Erik Johansson", "Malmö", "business", "Skåne")
    code = wb.post(usage, "staff_code", {"session_id": "skane-2"}, user="staff")[1]["code"]
    return usage, {
        "save_profile": ("write", {"municipality": "Ystad", "role": "tourism", "region": "Skåne"}),
        "check_in": ("write", {"code": code}),
        "mark": ("write", {"session_id": "skane-2", "learner_key": OTHER, "status": "present"}),
        "studio_submit": ("write", {"values": {**form_values(wb, usage), "display_name": "Ny titel"}}),
        "panel": ("staff", {"session_id": "skane-2"}),
        "staff_code": ("staff", {"session_id": "skane-2"}),
        "roster_csv": ("staff", None),
        "overview": ("staff", {}),
        "overview_page": ("staff", None),
        "overview_csv": ("staff", None),
        "contacts": ("write", {}),
        "contact_choice": ("write", {"listed": True}),
    }


def exam_case(wb, fake_clock):
    usage = load(wb, "kkn_exam", EXAM)
    programme = EXAM["programme_id"]
    for key in (AUTHOR, OTHER):
        api.join_programme(key, programme, key)
        for module_id in EXAM["required_modules"]:
            api.record_completion(key, programme, module_id, "1")
        api.check_in(key, programme, "traff-1", "s-1", "present")
    # She started in the LMS and her time ran out: a view or the staff panel there grades it now.
    assert AuthorRuntime(author_mode=False).call(usage, "start", {})[0] == 200
    attempt = ExamAttempt.objects.get(learner_key=AUTHOR)
    certificate, _created = api.issue_certificate(OTHER, programme, "Certifierad", "Erik Johansson")
    fake_clock.advance(minutes=EXAM["time_limit_minutes"] + 5)
    answers = right_answers(attempt)
    return usage, {
        "start": ("write", {}),
        "save_answers": ("write", {"attempt": 1, "answers": answers}),
        "submit": ("write", {"attempt": 1, "answers": answers}),
        "review": ("private", {"attempt": 1}),  # her answers: participant data, not shown in the preview
        "accommodate": ("write", {"learner_key": OTHER, "extra_minutes": 30, "exempt": False, "reason": "Intyg"}),
        "revoke": ("write", {"code": certificate.code, "reason": "Fel person"}),
        "staff_panel": ("write", {}),  # grades attempts whose time ran out
        "studio_submit": ("write", {"values": {**form_values(wb, usage), "display_name": "Ny titel"}}),
        "report_csv": ("staff", None),
        "register_extract": ("staff", None),
        "certificate": ("read", None),
        "open_badge": ("read", None),
        "verify": ("read", f"id={certificate.code}"),
        "verify_json": ("read", f"id={certificate.code}"),
    }


CASES = {DistanceModuleBlock: module_case, MeetingCheckinBlock: checkin_case, CertificationExamBlock: exam_case}


def handlers_of(block_class):
    return {name for name in dir(block_class) if getattr(getattr(block_class, name), "_is_xblock_handler", False)}


def call(runtime, usage, handler, kind, data):
    if kind == "staff" and data is None or kind == "read":
        suffix = "skane-2" if handler == "roster_csv" else ""
        return runtime.call(usage, handler, method="GET", suffix=suffix, query=data or "")
    return runtime.call(usage, handler, data)


@pytest.mark.parametrize("block_class", list(CASES), ids=lambda cls: cls.__name__)
def test_studio_preview_records_nothing_and_refuses_every_write(wb, fake_clock, block_class):
    usage, requests = CASES[block_class](wb, fake_clock)
    assert set(requests) == handlers_of(block_class), "every handler is called"
    preview = preview_runtime()
    before = stored()

    assert PREVIEW_REFUSAL in render_without_the_record(preview, usage, "student_view")
    render_without_the_record(preview, usage, "author_view")
    for handler, (kind, data) in requests.items():
        status, body = call(preview, usage, handler, kind, data)
        if kind in ("write", "staff", "private"):
            assert (status, json.loads(body)["error"]) == (403, PREVIEW_REFUSAL), handler
        else:
            assert status in (200, 301, 404), (handler, body)  # verify: 301 to the records app

    assert stored() == before
    assert preview.events == []

    # The control: the same author in the LMS (no is_author_mode) does write with these requests.
    lms = AuthorRuntime(author_mode=False)
    lms.render(lms.get_block(usage), "student_view", {})
    learner_writes = [h for h, (kind, _data) in requests.items() if kind == "write" and h not in
                      ("studio_submit", "mark", "accommodate", "revoke", "staff_panel")]
    status, body = call(lms, usage, learner_writes[0], "write", requests[learner_writes[0]][1])
    assert status == 200, body
    assert stored() != before


def test_the_author_view_renders_in_studio_preview_for_all_three_blocks(wb, fake_clock):
    preview = preview_runtime()
    before = stored()
    module = load(wb, "kkn_module", MODULE_1)
    meeting = load(wb, "kkn_checkin", MEETING)
    exam = load(wb, "kkn_exam", {**EXAM, "draw_count": 4, "balance_topics": True})
    loaded = stored()

    html = render_without_the_record(preview, module, "author_view")
    for text in ("Modulens delar", "Kunskap från forskningen", "Inspiration från praktiken", "Utvecklingsuppgift",
                 "Lärandemål", "formulera din egen roll i kommunens organisation", "Minst 30 ord.",
                 "Lämna in utvecklingsuppgiften och klara självtestet", "Självtestet med svar",
                 "<strong>Tio samverkande inlandskommuner (rätt svar)</strong>", "Gräns för godkänt: 50 % rätt."):
        assert text in html, text

    html = render_without_the_record(preview, meeting, "author_view")
    for text in ("<td>Skåne</td><td>Malmö, Moriskan</td><td>2026-03-10 10:00–16:00</td>", "Tid (svensk tid)",
                 "Kultur, Näringsliv/Turism", "Öppnar 30 minuter före start; sen från 15 minuter efter start",
                 "Ger inga poäng.", "Halland: 6 kommuner"):
        assert text in html, text

    html = render_without_the_record(preview, exam, "author_view")
    for text in ("<td>modul-2</td><td>1</td><td>1</td><td>0</td><td>2</td><td>3</td>",
                 '<th scope="row">Hela banken</th><td>3</td><td>1</td><td>1</td><td>5</td><td>6</td>',
                 "Varje försök drar 4 av bankens 5 frågor; ämnena balanserade", "30 minuter", "2 försök", "80 %",
                 "Alla moduler som krävs klara och minst 1 regional träff bevistad.", "KKN (modul-2)",
                 "Certifierad näringslivsutvecklare, giltigt i 24 månader."):
        assert text in html, text
    assert "ratt-" not in html and "FÖRKLARING" not in html  # statistics, not the questions
    assert stored() == loaded and loaded != before  # the views read no record and write nothing


def test_the_author_view_lists_what_the_author_must_fix(wb, fake_clock):
    preview = preview_runtime()
    exam = load(wb, "kkn_exam", {**EXAM, "draw_count": 12, "questions": []})
    html = render_without_the_record(preview, exam, "author_view")
    assert "Att rätta innan deltagarna börjar" in html
    assert "Frågebanken är tom. Lägg till frågor." in html
    assert "Frågebanken går inte att använda ännu" in html


def test_blocks_ask_only_for_services_studio_preview_passes():
    for block_class in CASES:
        needed = {name for name, how in block_class._combined_services.items()  # pylint: disable=protected-access
                  if how == "need"}
        assert needed - {"field-data"} <= PREVIEW_SERVICES, block_class  # every runtime has XBlock's own
        assert block_class.service_declaration("studio_user_permissions") == "want"
        assert block_class.has_author_view is True


# --- who may edit: Studio's rights where Studio is asked, course staff elsewhere --------------------

@pytest.mark.parametrize("block_class", list(CASES), ids=lambda cls: cls.__name__)
def test_studio_rights_decide_in_studio_whatever_the_staff_flag(wb, fake_clock, block_class):
    """Studio's editor runtime (``load_services_for_studio`` in ``cms/djangoapps/contentstore/utils.py``,
    used by ``component_handler`` for ``studio_submit``) has the user and permission services and no
    ``is_author_mode``: her rights in the course decide, not the LMS staff flag."""
    usage, _requests = CASES[block_class](wb, fake_clock)
    values = {**form_values(wb, usage), "display_name": "Ny titel"}

    refused = StudioPermissions(writable=())
    editor = AuthorRuntime(author_mode=False, permissions=refused)
    with pytest.raises(PermissionDenied) as refusal:
        editor.render(editor.get_block(usage), "studio_view", {})
    assert str(refusal.value) == NOT_AUTHOR
    status, body = editor.call(usage, "studio_submit", {"values": values})
    assert (status, json.loads(body)["error"]) == (403, NOT_AUTHOR)
    assert wb.block(usage).display_name != "Ny titel"
    assert ("write", COURSE) in refused.asked

    allowed = StudioPermissions()
    editor = AuthorRuntime(author_mode=False, permissions=allowed)
    assert 'data-name="display_name"' in editor.render(editor.get_block(usage), "studio_view", {}).body_html()
    status, body = editor.call(usage, "studio_submit", {"values": values})
    assert (status, json.loads(body)) == (200, {"result": "success"})
    assert wb.block(usage).display_name == "Ny titel"


def test_newer_permission_names_are_asked_first():
    """After Ulmo, StudioPermissionsService adds can_edit_content/can_read_content and deprecates
    can_write/can_read (openedx/core/djangoapps/content/services.py)."""

    class Newer:
        def can_edit_content(self, key):
            return key == COURSE

        def can_read_content(self, key):
            return True

        def can_write(self, key):
            raise AssertionError("deprecated")

        can_read = can_write

    assert studio.studio_allows(Newer(), COURSE, studio.EDIT)
    assert not studio.studio_allows(Newer(), "course-v1:Other+X+1", studio.EDIT)
    assert studio.studio_allows(Newer(), "course-v1:Other+X+1", studio.READ)
    assert not studio.studio_allows(Newer(), None, studio.READ)
    assert not studio.studio_allows(object(), COURSE, studio.EDIT)


def test_only_the_preview_flag_marks_studio_preview():
    class Runtime:
        is_author_mode = True

    assert identity.in_studio_preview(Runtime())
    assert not identity.in_studio_preview(WorkbenchRuntime())
    Runtime.is_author_mode = "yes"  # anything but the platform's True is not the preview
    assert not identity.in_studio_preview(Runtime())


# --- a learner in the LMS-shaped runtime ---------------------------------------------------------------

ANSWER_KEYS = {
    DistanceModuleBlock: ["(rätt svar)", "* Tio samverkande inlandskommuner", "Självtestet med svar"],
    MeetingCheckinBlock: ["data-name=", "kkn-studio", "kkn-author"],
    CertificationExamBlock: ["ratt-", "fel-", "FÖRKLARING", "Frågebank"],
}


@pytest.mark.parametrize("block_class", list(CASES), ids=lambda cls: cls.__name__)
def test_a_learner_gets_403_from_the_editor_and_sees_no_answer_key(wb, fake_clock, block_class):
    usage, _requests = CASES[block_class](wb, fake_clock)
    values = {**form_values(wb, usage), "display_name": "Ny titel"}
    before = stored()
    received = []
    for view in ("studio_view", "author_view"):
        with pytest.raises(PermissionDenied) as refusal:
            wb.render(usage, "student_1", view=view)
        assert str(refusal.value) == NOT_AUTHOR
        received.append(str(refusal.value))
    status, body = wb.post(usage, "studio_submit", {"values": values}, user="student_1")
    assert (status, body) == (403, {"error": NOT_AUTHOR})
    assert stored() == before and wb.block(usage).display_name != "Ny titel"
    received += [json.dumps(body, ensure_ascii=False), wb.render(usage, "student_1")]
    assert PREVIEW_REFUSAL not in received[-1]  # the preview's note is Studio's only
    for text in received:
        for marker in ANSWER_KEYS[block_class]:
            assert marker not in text, marker


def test_course_staff_edit_in_the_local_runtime(wb, fake_clock):
    """Without Studio's permission service, course staff may edit (the LMS staff flag)."""
    usage = load(wb, "kkn_module", MODULE_1)
    assert "(rätt svar)" in wb.render(usage, "staff", view="author_view")
    status, _body = wb.post(usage, "studio_submit", {"values": {**form_values(wb, usage), "weeks": "4"}},
                            user="staff")
    assert status == 200 and wb.block(usage).weeks == 4



def test_over_http_the_local_runtime_answers_403_to_a_learner_and_200_to_staff(client):
    """Django answers the views' PermissionDenied with a 403, in Studio's view handler as in the workbench."""
    from workbench.scenarios import init_scenarios  # pylint: disable=import-outside-toplevel
    init_scenarios()
    for block in ("kkn_module", "kkn_checkin", "kkn_exam"):
        for view in ("studio_view", "author_view"):
            assert client.get(f"/scenario/{block}.0/{view}/?student=student_1").status_code == 403, (block, view)
            assert client.get(f"/scenario/{block}.0/{view}/?student=staff").status_code == 200, (block, view)
