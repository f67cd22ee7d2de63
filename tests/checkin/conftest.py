import copy
from datetime import datetime, timezone

import pytest
from workbench.runtime import WorkbenchRuntime

from kkn_xblocks.records.models import Attendance, CodeAttempt, Participation
from kkn_xblocks.scenarios import block_element, scenario

PROGRAMME = "kkn-test"
# The fake clock starts at 2026-03-10 09:00 UTC (10:00 in Sweden): the Skåne and Halland sessions
# start then; check-in opens 30 minutes before; arriving after 09:15 UTC is late.
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
MEETING = {
    "display_name": "Träff 2: Kommunens strategiska roll",
    "programme_id": PROGRAMME,
    "meeting_id": "traff-2",
    "introduction": "Vi arbetar med **kommunens strategiska roll**.",
    "sessions": [
        {"id": "skane-2", "region": "Skåne", "venue": "Malmö, Moriskan", "start": "2026-03-10T09:00:00Z",
         "end": "2026-03-10T15:00:00Z", "note": "Kaffe i entrén."},
        {"id": "halland-2", "region": "Halland", "venue": "Varberg, Campus Varberg", "start": "2026-03-10T09:00:00Z",
         "end": "2026-03-10T15:00:00Z", "note": ""},
        {"id": "kronoberg-2", "region": "Kronoberg", "venue": "Växjö, Residenset", "start": "2026-03-11T09:00:00Z",
         "end": "2026-03-11T15:00:00Z", "note": ""},
        {"id": "blekinge-2", "region": "Blekinge", "venue": "Karlskrona, Blekinge museum",
         "start": "2026-03-09T09:00:00Z", "end": "2026-03-09T15:00:00Z", "note": ""},
    ],
    "opens_minutes_before": 30,
    "late_after_minutes": 15,
    "code_step_seconds": 30,
}


@pytest.fixture
def make_meeting(wb, fake_clock):  # pylint: disable=unused-argument
    """Load a kkn_checkin with MEETING's fields, overridden by keyword; return its usage id."""

    def make(**overrides):
        root = wb.load(scenario(block_element("kkn_checkin", {**copy.deepcopy(MEETING), **overrides})))
        return wb.child_ids(root)[0]

    return make


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()


@pytest.fixture
def published(monkeypatch):
    """Events the blocks publish to the runtime (completion, grade...)."""
    events = []

    def publish(_runtime, block, event_type, event_data):
        events.append((block.scope_ids.user_id, event_type, event_data))

    monkeypatch.setattr(WorkbenchRuntime, "publish", publish)
    return events


def set_profile(wb, usage, user="student_1", region="Skåne", municipality="Lund", role="culture"):
    status, body = wb.post(usage, "save_profile", {"region": region, "municipality": municipality, "role": role},
                           user=user)
    assert status == 200, body
    return body


def staff_code(wb, usage, session="skane-2"):
    """The code the facilitator sees now, as shown ("TX4 3XC")."""
    status, body = wb.post(usage, "staff_code", {"session_id": session}, user="staff")
    assert status == 200, body
    return body["code"]


def record_state():
    """Everything a refusal must leave untouched."""
    return (
        sorted(Attendance.objects.values_list("learner_key", "session_id", "status", "method", "recorded_at")),
        sorted(Participation.objects.values_list("learner_key", "name", "municipality", "role", "region")),
    )


def attempts():
    return CodeAttempt.objects.count()
