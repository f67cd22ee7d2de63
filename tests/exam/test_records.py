"""The exam side of the programme record: attempts, grading once, accommodations, certificates.

Runs on SQLite and again on MariaDB (``dev.py test``): SQLite serialises writers and would hide
races that Open edX's MySQL shows.
"""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, transaction

from kkn_xblocks import certificates as ids
from kkn_xblocks.records import api
from kkn_xblocks.records.models import Certificate, ExamAccommodation, ExamAttempt, Participation
from tests.checkin.test_attendance_record import run_at_once

pytestmark = pytest.mark.mariadb

P, E = "prog", "slutprov"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
DRAW = [{"id": "q1", "options": ["a", "b"]}]


def open_attempt(key="l1", number=1, deadline=T0 + timedelta(minutes=30)):
    attempt, created = api.start_attempt(key, P, E, number, DRAW, T0, deadline)
    assert created
    return attempt


@pytest.mark.django_db
def test_an_attempt_number_is_opened_once_and_keeps_its_draw():
    first = open_attempt()
    again, created = api.start_attempt("l1", P, E, 1, [{"id": "other", "options": []}], T0, None)
    assert not created and again.pk == first.pk and again.draw == DRAW
    assert [a.number for a in api.attempts_of("l1", P, E)] == [1]


@pytest.mark.django_db
def test_saves_replace_answers_until_the_attempt_is_closed_or_late():
    attempt = open_attempt()
    assert api.save_answers(attempt.pk, {"q1": ["a"]}, T0, cutoff=T0)
    assert api.save_answers(attempt.pk, {"q1": ["b"]}, T0, cutoff=T0 + timedelta(minutes=30))
    assert not api.save_answers(attempt.pk, {"q1": ["a"]}, T0, cutoff=T0 + timedelta(minutes=31))
    assert api.attempt("l1", P, E, 1).answers == {"q1": ["b"]}
    assert api.finalise_attempt(attempt.pk, None, 1, 1, True, T0, api.BY_DEADLINE)
    assert not api.save_answers(attempt.pk, {"q1": ["a"]}, T0)
    closed = api.attempt("l1", P, E, 1)
    assert (closed.status, closed.answers, closed.submitted_by, closed.passed) == ("submitted", {"q1": ["b"]},
                                                                                   "deadline", True)


@pytest.mark.django_db
def test_an_attempt_is_finalised_once():
    attempt = open_attempt()
    assert api.finalise_attempt(attempt.pk, {"q1": ["a"]}, 1, 1, True, T0)
    assert not api.finalise_attempt(attempt.pk, {"q1": ["b"]}, 0, 1, False, T0 + timedelta(minutes=1))
    row = ExamAttempt.objects.get()
    assert (row.answers, row.earned, row.passed, row.submitted_at) == ({"q1": ["a"]}, 1, True, T0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_finalisations_grade_once():
    attempt = open_attempt()
    results = run_at_once(16, lambda i: api.finalise_attempt(attempt.pk, {"q1": [str(i)]}, i, 16, False, T0))
    assert results.count(True) == 1
    row = ExamAttempt.objects.get()
    assert row.earned == results.index(True) and row.answers == {"q1": [str(int(row.earned))]}


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_open_one_attempt():
    results = run_at_once(12, lambda i: api.start_attempt("l1", P, E, 1, [{"id": f"q{i}", "options": []}], T0, None))
    assert [created for _attempt, created in results].count(True) == 1
    assert len({attempt.pk for attempt, _created in results}) == 1
    assert ExamAttempt.objects.count() == 1


@pytest.mark.django_db
def test_extra_time_moves_an_open_deadline_and_keeps_who_when_why():
    attempt = open_attempt()
    api.grant_extra_time("l1", P, E, 20, "Dyslexi, intyg finns", "local:staff", "Karin Berg", when=T0)
    assert api.attempt("l1", P, E, 1).deadline == attempt.deadline + timedelta(minutes=20)
    api.grant_extra_time("l1", P, E, 5, "Justerat", "local:staff", "Karin Berg", when=T0)
    assert api.attempt("l1", P, E, 1).deadline == attempt.deadline + timedelta(minutes=5)
    found = api.accommodation_for("l1", P, E)
    assert (found.extra_minutes, found.extra_time_reason, found.extra_time_by_name, found.extra_time_at) == (
        5, "Justerat", "Karin Berg", T0)
    assert not found.eligibility_exempt
    api.set_exemption("l1", P, E, True, "Validerad tidigare utbildning", "local:staff", "Karin Berg", when=T0)
    found = api.accommodation_for("l1", P, E)
    assert (found.eligibility_exempt, found.exemption_reason, found.extra_minutes) == (
        True, "Validerad tidigare utbildning", 5)
    assert ExamAccommodation.objects.count() == 1
    assert api.accommodation_for("nobody", P, E) == api.NO_ACCOMMODATION


@pytest.mark.django_db
def test_a_certificate_is_issued_once_per_learner_and_programme():
    first, created = api.issue_certificate("l1", P, "Programmet", "Anna", valid_months=12, when=T0)
    assert created and first.expires_at == T0.replace(year=2027)
    again, created = api.issue_certificate("l1", P, "Programmet", "Anna", when=T0 + timedelta(days=3))
    assert not created and again == first
    assert api.certificate_of("l1", P) == first and api.find_certificate(first.code) == first
    assert api.find_certificate("KKN-0000-0000-0000-0000-0") is None


@pytest.mark.django_db
def test_an_id_clash_with_someone_else_draws_a_new_id():
    taken, _created = api.issue_certificate("l1", P, "Programmet", "Anna", when=T0)
    fresh = ids.format_code("7Q4M2HXD9RTAK3PB")
    draws = iter([taken.code, taken.code, fresh])
    record, created = api.issue_certificate("l2", P, "Programmet", "Erik", when=T0, new_code=lambda: next(draws))
    assert created and record.code == fresh and record.learner_key == "l2"
    assert Certificate.objects.count() == 2
    with pytest.raises(RuntimeError):
        api.issue_certificate("l3", P, "Programmet", "Maria", when=T0, new_code=lambda: taken.code)
    assert Certificate.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_leave_one_certificate():
    results = run_at_once(12, lambda i: api.issue_certificate("l1", P, "Programmet", "Anna", when=T0))
    assert [created for _record, created in results].count(True) == 1
    assert len({record.code for record, _created in results}) == 1
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_revocation_is_kept_once_and_only_within_the_programme():
    record, _created = api.issue_certificate("l1", P, "Programmet", "Anna", when=T0)
    assert not api.revoke_certificate(record.code, "other-programme", "s", "Karin", "fel", when=T0)
    assert api.revoke_certificate(record.code, P, "local:staff", "Karin Berg", "Fusk vid provet", when=T0)
    assert not api.revoke_certificate(record.code, P, "local:staff", "Karin Berg", "Annat skäl", when=T0)
    found = api.find_certificate(record.code)
    assert (found.revoked_at, found.revoked_by_name, found.revoked_reason) == (T0, "Karin Berg", "Fusk vid provet")
    assert found.status(T0) == ids.Status.REVOKED


@pytest.mark.django_db
def test_the_overview_takes_six_queries_whatever_the_numbers(django_assert_num_queries):
    def populate(count, modules):
        for i in range(count):
            key = f"o{count}-{i}"
            api.join_programme(key, P, f"Deltagare {i}")
            for m in modules[: i % (len(modules) + 1)]:
                api.record_completion(key, P, m, "1")
            api.check_in(key, P, f"t{i % 3}", "s", "present")
            attempt, _ = api.start_attempt(key, P, E, 1, DRAW, T0, None)
            api.finalise_attempt(attempt.pk, {}, i % 5, 4, i % 5 >= 4, T0)
            if i % 4 == 0:
                api.issue_certificate(key, P, "Programmet", f"Deltagare {i}", when=T0)

    modules = [f"m{i}" for i in range(40)]
    populate(5, modules[:3])
    with django_assert_num_queries(6):
        rows = api.exam_overview(P, E, modules[:3])
    assert len(rows) == 5
    populate(60, modules)
    with django_assert_num_queries(6):
        rows = api.exam_overview(P, E, modules)
    assert len(rows) == 65
    row = next(r for r in rows if r.learner_key == "o60-3")
    assert (len(row.completed_modules), row.meetings, row.attempts, row.best_earned, row.passed) == (3, 1, 1, 3, False)


@pytest.mark.django_db
def test_records_read_with_select_are_the_orm_rows():
    """``attempts_of``, ``certificate_of``, ``accommodation_for`` and ``join_programme`` read with
    ``rows.select`` (SQL made once, the ORM's converters): each record equals the one made from the
    ORM's row, on SQLite and MariaDB (aware datetimes, booleans, JSON, empty values)."""
    from dataclasses import fields  # pylint: disable=import-outside-toplevel

    from kkn_xblocks.records import certificates, exams  # pylint: disable=import-outside-toplevel
    assert exams._ATTEMPT_FIELDS == tuple(f.name for f in fields(api.Attempt))  # pylint: disable=protected-access
    assert certificates._FIELDS == tuple(f.name for f in fields(api.CertificateRecord))  # pylint: disable=protected-access
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    api.start_attempt("local:v", "kkn", "slutprov", 1, [{"id": "q1", "options": ["a", "b"]}], now,
                      now + timedelta(hours=1))
    row = ExamAttempt.objects.get(learner_key="local:v")
    api.finalise_attempt(row.pk, {"q1": ["a"]}, 1, 1, True, now + timedelta(minutes=5))
    [read] = api.attempts_of("local:v", "kkn", "slutprov")
    assert read == exams._attempt(ExamAttempt.objects.get(pk=row.pk))  # pylint: disable=protected-access
    assert (read.draw, read.answers, read.passed) == ([{"id": "q1", "options": ["a", "b"]}], {"q1": ["a"]}, True)
    # written by ``rows.update``: as the ORM's update would have stored them
    assert (read.status, read.submitted_at, read.submitted_by, read.earned, read.possible) == (
        "submitted", now + timedelta(minutes=5), api.BY_LEARNER, 1.0, 1.0)
    assert not api.finalise_attempt(row.pk, {"q1": ["b"]}, 0, 1, False, now + timedelta(minutes=6))  # once only
    assert ExamAttempt.objects.get(pk=row.pk).answers == {"q1": ["a"]}
    api.issue_certificate("local:v", "kkn", "Programmet", "Vera", attempt_pk=row.pk, when=now)
    assert api.certificate_of("local:v", "kkn") == certificates._record(  # pylint: disable=protected-access
        Certificate.objects.get(learner_key="local:v"))
    assert api.certificate_of("local:w", "kkn") is None and api.attempts_of("local:w", "kkn", "slutprov") == []
    assert api.accommodation_for("local:v", "kkn", "slutprov") is api.NO_ACCOMMODATION
    api.grant_extra_time("local:v", "kkn", "slutprov", 30, "Dyslexi", "local:staff", "Stina", when=now)
    granted = api.accommodation_for("local:v", "kkn", "slutprov")
    stored = ExamAccommodation.objects.get(learner_key="local:v")
    assert granted == api.Accommodation(**{f: getattr(stored, f) for f in exams._ACCOMMODATION_FIELDS})  # pylint: disable=protected-access
    assert (granted.extra_minutes, granted.extra_time_at, granted.eligibility_exempt) == (30, now, False)
    api.set_exemption("local:v", "kkn", "slutprov", True, "Gjort motsvarande", "local:staff", "Stina", when=now)
    assert api.accommodation_for("local:v", "kkn", "slutprov").eligibility_exempt is True
    api.join_programme("local:v", "kkn", "Vera")
    joined = api.join_programme("local:v", "kkn", "Vera")  # read, not written
    orm = Participation.objects.get(learner_key="local:v", programme_id="kkn")
    assert joined.pk == orm.pk and not joined._state.adding  # pylint: disable=protected-access
    assert {f.attname: getattr(joined, f.attname) for f in Participation._meta.concrete_fields} == {  # pylint: disable=protected-access
        f.attname: getattr(orm, f.attname) for f in Participation._meta.concrete_fields}  # pylint: disable=protected-access


@pytest.mark.django_db
def test_select_and_update_refuse_to_compare_with_none():
    """The ORM compares None with ``IS NULL``; ``rows.select``/``rows.update`` would compare with
    ``=`` and match nothing, so they refuse it instead of answering wrongly."""
    from kkn_xblocks.records import rows  # pylint: disable=import-outside-toplevel
    with pytest.raises(ValueError):
        rows.select(Certificate, ("code",), {"learner_key": None})
    with pytest.raises(ValueError):
        rows.update(ExamAttempt, {"saved_at": None}, {"pk": None})


@pytest.mark.django_db
def test_rows_insert_stores_what_create_stores():
    """A first pass writes her certificate and its credential with ``rows.insert``: the stored
    columns equal those ``objects.create`` stores from the same values (defaults, aware datetimes,
    a foreign key given as a row), the primary key is the database's, and the instance is saved."""
    from kkn_xblocks.records import rows  # pylint: disable=import-outside-toplevel
    from kkn_xblocks.records.models import BadgeCredential  # pylint: disable=import-outside-toplevel
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def certificate(learner):
        return {"code": ids.new_code(), "learner_key": learner, "programme_id": "kkn", "programme_title": "Programmet",
                "name": "Vera", "issued_at": now, "expires_at": None}

    def stored(model, pk):
        return {f.attname: v for f, v in ((f, getattr(model.objects.get(pk=pk), f.attname))
                                          for f in model._meta.concrete_fields) if f.attname != "id"}  # pylint: disable=protected-access

    created = Certificate.objects.create(**certificate("local:a"))
    inserted = rows.insert(Certificate, certificate("local:b"))
    assert inserted.pk == created.pk + 1 and not inserted._state.adding  # pylint: disable=protected-access
    assert {k: v for k, v in stored(Certificate, inserted.pk).items() if k not in ("code", "learner_key")} == {
        k: v for k, v in stored(Certificate, created.pk).items() if k not in ("code", "learner_key")}
    assert stored(Certificate, inserted.pk)["revoked_by"] == "" and inserted.revoked_at is None
    badge = {"certificate": inserted, "learner_key": "local:b", "programme_id": "kkn", "key_id": "k", "token": "t.t.t",
             "created_at": now}
    row = rows.insert(BadgeCredential, badge)
    kept = stored(BadgeCredential, row.pk)
    assert (kept["certificate_id"], kept["created_at"], kept["token"]) == (inserted.pk, now, "t.t.t")
    assert Certificate.objects.get(pk=inserted.pk).badge.pk == row.pk
    with pytest.raises(IntegrityError):  # the unique constraint holds as for create
        with transaction.atomic():
            rows.insert(Certificate, certificate("local:b"))
