"""Retention counts from the end of the course run (issue 15, item 3): the run each row was
written in, its end from the LMS's ``CourseOverview`` or the operator's ``KKN_COURSE_RUN_ENDS``,
and the row's own date as the fallback when the run's end is unknown."""
import sys
import types
from datetime import date, datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models

from kkn_xblocks.records import api, course_runs
from kkn_xblocks.records.models import CodeAttempt, ExamAttempt, ModuleSubmission, SharedTask, SharedTaskRevision

from .test_personal_data import HER, OTHER, PROGRAMME, WHEN, all_rows, did_everything

pytestmark = pytest.mark.mariadb

ENDED = "course-v1:Kommun+KKN+2026"
RUNNING = "course-v1:Kommun+KKN+2027"
LONG_AFTER = WHEN + timedelta(days=400)  # every row is past every default time, counted from its own date
ROW_TABLES = (ModuleSubmission, CodeAttempt, ExamAttempt)


def _in_run(who, course_key):
    for model in ROW_TABLES:
        model.objects.filter(learner_key=who["key"]).update(course_key=course_key)


@pytest.fixture
def two_runs(db, fake_clock, settings):  # pylint: disable=unused-argument
    """Her rows in a run that ended right after she wrote them; his, as old, in a run still going."""
    did_everything(HER, HER["texts"])
    did_everything(OTHER)
    _in_run(HER, ENDED)
    _in_run(OTHER, RUNNING)
    settings.KKN_COURSE_RUN_ENDS = {ENDED: (WHEN + timedelta(days=5)).date().isoformat(), RUNNING: "2099-12-31"}


def test_the_blocks_writes_record_the_course_run(db, fake_clock):  # pylint: disable=unused-argument
    did_everything(HER)  # the existing callers, without a course key: rows stay blank
    assert set(ModuleSubmission.objects.values_list("course_key", flat=True)) == {""}
    key = "ny-deltagare"
    api.submit_task(key, PROGRAMME, "modul-1", "Text", 1, course_key=ENDED)
    api.guarded_code_check(key, PROGRAMME, f"checkin|{PROGRAMME}|traff-1", 5, 600, lambda: (None, False),
                           course_key=ENDED)
    api.start_attempt(key, PROGRAMME, "slutprov", 1, [], WHEN, None, course_key=ENDED)
    assert [m.objects.get(learner_key=key).course_key for m in ROW_TABLES] == [ENDED] * 3
    # A later write that does not know the run leaves the recorded one.
    api.submit_task(key, PROGRAMME, "modul-1", "Ny text", 2)
    assert ModuleSubmission.objects.get(learner_key=key).course_key == ENDED
    # The joint task: the save records the run; the approval that submits it credits each member
    # with a submission in that run.
    api.save_profile(key, PROGRAMME, "Ny Deltagare", "Annan kommun", "culture", "Norr")
    state = api.shared_task(PROGRAMME, "modul-2", "Annan kommun")
    _outcome, state = api.save_shared_task(PROGRAMME, "modul-2", "Annan kommun", state.version, "Vår text", 2, key,
                                           "Ny Deltagare", course_key=RUNNING)
    assert SharedTask.objects.get(module_id="modul-2").course_key == RUNNING
    api.approve_shared_task(PROGRAMME, "modul-2", "Annan kommun", state.version, key, "Ny Deltagare", "culture",
                            lambda approvals: True, 2)
    assert ModuleSubmission.objects.get(learner_key=key, module_id="modul-2").course_key == RUNNING


def test_rows_of_a_run_that_ended_long_enough_ago_go_and_as_old_rows_of_a_running_run_stay(two_runs):
    before = all_rows()
    done = {r.model: r for r in api.apply_retention(now=LONG_AFTER)}

    assert ModuleSubmission.objects.get(learner_key=HER["key"]).text == ""
    assert ModuleSubmission.objects.get(learner_key=OTHER["key"]).text == "Min text"
    assert list(CodeAttempt.objects.values_list("learner_key", flat=True)) == [OTHER["key"]]
    assert ExamAttempt.objects.get(learner_key=HER["key"]).answers == {}
    assert ExamAttempt.objects.get(learner_key=OTHER["key"]).answers == {"q1": ["a"]}
    for model in ("ModuleSubmission", "CodeAttempt", "ExamAttempt"):
        assert (done[model].rows, done[model].waiting, done[model].own_date) == (1, 1, 0)
    # The joint task has no run recorded (written before): its own date counts, as before.
    assert (done["SharedTask"].rows, done["SharedTask"].own_date) == (1, 1)
    assert not any(r.rows for r in api.apply_retention(now=LONG_AFTER))
    after = all_rows()
    # Her three rows, the joint task and its two versions; nothing else.
    assert sum(before[where] != after.get(where) for where in before) == 3 + 1 + 2


def test_a_run_that_ended_recently_keeps_old_rows_until_its_time_counted_from_its_end(two_runs, settings):
    run_end = LONG_AFTER - timedelta(hours=12)  # ended half a day ago
    settings.KKN_COURSE_RUN_ENDS = {ENDED: run_end}  # an aware datetime works as well as a date
    _in_run(OTHER, ENDED)
    SharedTask.objects.update(course_key=ENDED)
    before = all_rows()

    done = api.apply_retention(now=LONG_AFTER)

    assert all_rows() == before
    assert {r.model: r.waiting for r in done} == {"ModuleSubmission": 2, "CodeAttempt": 2, "ExamAttempt": 2,
                                                  "SharedTask": 1, "SharedTaskRevision": 2}
    # A wrong code (one day) goes one day after the run's end; a task text (365 days) a year after.
    api.apply_retention(now=run_end + timedelta(days=1, hours=1))
    assert CodeAttempt.objects.count() == 0 and ModuleSubmission.objects.exclude(text="").count() == 2
    api.apply_retention(now=run_end + timedelta(days=366))
    assert ModuleSubmission.objects.exclude(text="").count() == 0
    assert SharedTaskRevision.objects.exclude(text="").count() == 0 and SharedTask.objects.get().text == ""


def test_rows_without_a_run_or_with_an_unknown_end_fall_back_to_their_own_date(two_runs, settings):
    _in_run(HER, "")  # written before migration 0004
    settings.KKN_COURSE_RUN_ENDS = {}  # his run's end is known nowhere (no platform here)
    done = {r.model: r for r in api.apply_retention(now=WHEN + timedelta(days=366))}
    assert ModuleSubmission.objects.exclude(text="").count() == 0
    assert (done["ModuleSubmission"].rows, done["ModuleSubmission"].own_date) == (2, 2)
    # Inside the time counted from their own date, they stay.
    ExamAttempt.objects.update(answers={"q1": ["a"]})
    api.apply_retention(now=WHEN + timedelta(days=89))
    assert ExamAttempt.objects.exclude(answers={}).count() == 2


def test_the_command_says_which_date_it_counted_from(two_runs, fake_clock):
    ModuleSubmission.objects.filter(learner_key=HER["key"]).update(course_key="")
    fake_clock.set(LONG_AFTER)
    out = StringIO()
    call_command("kkn_apply_retention", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert "Inlämnade utvecklingsuppgifter: 1 rad äldre än 365 dygn skulle få text borttaget" in lines
    assert ("Inlämnade utvecklingsuppgifter: 1 rad räknad från sitt eget datum, eftersom kurstillfällets slut är "
            "okänt") in lines
    assert "Inlämnade utvecklingsuppgifter: 1 rad sparas tills 365 dygn efter att kurstillfället slutar" in lines
    assert ModuleSubmission.objects.filter(text="").count() == 0


@pytest.mark.parametrize("setting", [
    {ENDED: "30 juni 2027"}, {ENDED: "2027-02-30"}, {ENDED: 2027}, {"": "2027-06-30"}, [ENDED],
    {ENDED: datetime(2027, 6, 30)},  # no time zone: which midnight?
])
def test_a_wrong_course_run_end_is_refused_in_swedish_and_removes_nothing(two_runs, settings, setting):
    settings.KKN_COURSE_RUN_ENDS = setting
    before = all_rows()
    with pytest.raises(CommandError, match=r"KKN_COURSE_RUN_ENDS är fel vid .*2027-06-30.*Ingenting togs bort"):
        call_command("kkn_apply_retention")
    assert all_rows() == before


def test_a_configured_date_ends_the_run_when_that_day_ends():
    assert course_runs._end_of("2027-06-30") == datetime(2027, 7, 1, tzinfo=timezone.utc)  # pylint: disable=protected-access
    assert course_runs._end_of(date(2027, 6, 30)) == datetime(2027, 7, 1, tzinfo=timezone.utc)  # pylint: disable=protected-access


# --- the LMS: the run's end from the platform's CourseOverview ------------------------------------

_STAND_IN = {}


def _course_overview_stand_in():
    """A model shaped like the platform's ``CourseOverview`` where the lookup reads it (openedx-platform
    ``openedx/core/djangoapps/content/course_overviews/models.py``: ``id = CourseKeyField(db_index=True,
    primary_key=True, max_length=255)``, stored as the key's string; ``end = models.DateTimeField(null=True)``;
    ``app_label = 'course_overviews'``). Made once: Django registers a model class for good."""
    if not _STAND_IN:
        class CourseOverview(models.Model):
            id = models.CharField(db_index=True, primary_key=True, max_length=255)
            end = models.DateTimeField(null=True)

            class Meta:
                app_label = "course_overviews"

        _STAND_IN["model"] = CourseOverview
    return _STAND_IN["model"]


@pytest.fixture
def platform_course_overviews(transactional_db, monkeypatch):  # pylint: disable=unused-argument
    """The platform's module path importable, holding the stand-in, with its table."""
    model = _course_overview_stand_in()
    path = "openedx.core.djangoapps.content.course_overviews.models"
    parts = path.split(".")
    for depth in range(1, len(parts) + 1):
        name = ".".join(parts[:depth])
        monkeypatch.setitem(sys.modules, name, sys.modules.get(name) or types.ModuleType(name))
    monkeypatch.setattr(sys.modules[path], "CourseOverview", model, raising=False)
    with connection.schema_editor() as editor:
        editor.create_model(model)
    yield model
    with connection.schema_editor() as editor:
        editor.delete_model(model)


def test_without_the_platform_no_end_is_known(db):  # pylint: disable=unused-argument
    assert course_runs.platform_ends([ENDED]) == {}


def test_the_lms_course_end_counts_and_the_setting_overrides_it(platform_course_overviews, fake_clock, settings):
    overview = platform_course_overviews
    overview.objects.create(id=ENDED, end=WHEN + timedelta(days=5))
    overview.objects.create(id=RUNNING, end=LONG_AFTER + timedelta(days=30))  # not ended yet
    overview.objects.create(id="course-v1:Kommun+KKN+utan-slut", end=None)  # no end date: unknown
    assert api.course_run_ends({ENDED, RUNNING, "course-v1:Kommun+KKN+utan-slut"}) == {
        ENDED: WHEN + timedelta(days=5), RUNNING: LONG_AFTER + timedelta(days=30)}

    did_everything(HER, HER["texts"])
    did_everything(OTHER)
    _in_run(HER, ENDED)
    _in_run(OTHER, RUNNING)
    api.apply_retention(now=LONG_AFTER)
    assert ModuleSubmission.objects.get(learner_key=HER["key"]).text == ""
    assert ModuleSubmission.objects.get(learner_key=OTHER["key"]).text == "Min text"

    # The operator's date wins over the LMS's: his run ended long ago after all.
    settings.KKN_COURSE_RUN_ENDS = {RUNNING: (WHEN + timedelta(days=1)).date().isoformat()}
    api.apply_retention(now=LONG_AFTER)
    assert ModuleSubmission.objects.get(learner_key=OTHER["key"]).text == ""
