"""Retirement and the register extract over every table of the programme record.

The learner below did everything the record can hold. Tables are found through the app registry,
never listed here: a table added later must get rows in ``did_everything`` (through ``api``) or
``test_the_learner_has_rows_in_every_table`` fails, so the scans below cover it.
"""
import json
from datetime import datetime, timedelta, timezone

import pytest
from django.apps import apps

from kkn_xblocks.records import api, privacy

pytestmark = pytest.mark.mariadb

PROGRAMME, OTHER_PROGRAMME = "prog-a", "prog-b"
WHEN = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
HER = {"key": "90210417", "name": "Ingrid Ödegaard-Testsson",
       "texts": ["Vår kommun ska bygga ett besöksnäringsråd i Ödeshög-Testsson-dalen.",
                 "Hörselnedsättning: behöver längre tid på provet (Ingrids intyg).",
                 "Ingrid deltar via distans, hennes egna skäl.",
                 "Ödeshög-Testssons gemensamma plan, Ingrids stycke om besöksnäringen."]}
OTHER = {"key": "31337001", "name": "Kalle Annansson"}
STAFF = {"key": "55500555", "name": "Stina Personal"}


def did_everything(who, texts=("Min text",), staff=STAFF, programme=PROGRAMME):
    """Every kind of row the record holds about a learner, made through ``api`` as the blocks do."""
    key, name = who["key"], who["name"]
    api.save_profile(key, programme, name, "Testkommun", "culture", "Norr")
    api.submit_task(key, programme, "modul-1", texts[0], 12, when=WHEN)
    api.record_completion(key, programme, "modul-1", "1", "Modul 1", "course-v1:Org+K+2026", when=WHEN)
    api.check_in(key, programme, "traff-1", "norr", "present", when=WHEN)
    api.mark_attendance(key, programme, "traff-2", "norr", "late", staff["key"], staff["name"], when=WHEN)
    api.guarded_code_check(key, programme, f"checkin|{programme}|traff-1", 5, 600, lambda: (None, False),
                           when=WHEN)
    attempt, _created = api.start_attempt(key, programme, "slutprov", 1, [{"id": "q1", "options": ["a", "b"]}],
                                          WHEN, WHEN + timedelta(minutes=30))
    api.save_answers(attempt.pk, {"q1": ["a"]}, WHEN)
    api.finalise_attempt(attempt.pk, None, 1.0, 1.0, True, WHEN)
    reason = texts[1] if len(texts) > 1 else "Skäl"
    api.grant_extra_time(key, programme, "slutprov", 15, reason, staff["key"], staff["name"], when=WHEN)
    api.set_exemption(key, programme, "slutprov", True, texts[2] if len(texts) > 2 else "Skäl", staff["key"],
                      staff["name"], when=WHEN)
    certificate, _created = api.issue_certificate(key, programme, "Certifierad testare", name, attempt.pk,
                                                  valid_months=24, when=WHEN)
    # The municipality's joint development task: she saves a version and approves it.
    joint = texts[3] if len(texts) > 3 else f"Gemensamt utkast av {name}"
    state = api.shared_task(programme, "modul-1", "Testkommun")
    _outcome, state = api.save_shared_task(programme, "modul-1", "Testkommun", state.version, joint, 4, key, name,
                                           when=WHEN)
    api.approve_shared_task(programme, "modul-1", "Testkommun", state.version, key, name, "culture",
                            lambda approvals: False, 4, when=WHEN)
    api.join_contact_list(key, programme, email=f"{key}@kommun.example.se", when=WHEN)
    # Her certificate as an Open Badges credential (the local runtime's did:key issuer).
    assert api.credential_of(certificate.code, api.AchievementTexts("Certifierad testare", "-", "-"))
    return certificate


def all_rows():
    """``{(table, pk): {column: value}}`` of every row of every records table."""
    rows = {}
    for model in apps.get_app_config("kkn_records").get_models():
        columns = privacy.column_names(model)
        for row in model.objects.values("pk", *columns):
            rows[(model._meta.db_table, row["pk"])] = {c: row[c] for c in columns}
    return rows


def traces(row, who, texts=()):
    """What in ``row`` still points at the person: her key, her name, a text she wrote."""
    needles = [who["key"], who["name"], *texts]
    found = []
    for column, value in row.items():
        text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
        found += [f"{column}: {needle!r}" for needle in needles if needle in text]
    return found


@pytest.fixture
def world(db, fake_clock):  # pylint: disable=unused-argument
    certificate = did_everything(HER, HER["texts"])
    did_everything(HER, HER["texts"], programme=OTHER_PROGRAMME)
    did_everything(OTHER)
    return certificate


def test_the_learner_has_rows_in_every_table(world):
    empty = [model.__name__ for model, policy in privacy.declared_models()
             if policy.subject and not model.objects.filter(**{policy.subject: HER["key"]}).exists()]
    assert not empty, f"did_everything() must give the learner rows in these tables too: {empty}"


def test_after_retirement_nothing_of_her_is_left_and_her_certificate_still_verifies(world):
    certificate = world
    before = all_rows()
    others_before = {where: row for where, row in before.items() if not traces(row, HER, HER["texts"])}

    deleted = sum(model.objects.filter(**{policy.subject: HER["key"]}).count()
                  for model, policy in privacy.declared_models() if policy.on_retire == privacy.DELETE)
    done = api.retire_learner(HER["key"])
    assert done.found

    after = all_rows()
    left = {where: traces(row, HER, HER["texts"]) for where, row in after.items()}
    assert not {where: found for where, found in left.items() if found}
    # Other learners' rows are exactly as they were.
    assert {where: after.get(where) for where in others_before} == others_before
    # Counts staff read stay right: rows were stripped, not dropped (except where the policy says
    # the row goes: wrong codes, kept only for the guessing limit, and her contact-list entry).
    assert deleted and len(after) == len(before) - deleted
    overview = {row.learner_key: row for row in api.exam_overview(PROGRAMME, "slutprov", ["modul-1"])}
    assert len(overview) == 2
    retired = next(row for key, row in overview.items() if key != OTHER["key"])
    assert (retired.meetings, retired.attempts, retired.passed, retired.completed_modules) == (
        2, 1, True, frozenset({"modul-1"}))
    # The certificate verifies as genuine, without her name.
    found = api.find_certificate(certificate.code)
    assert found.status() == "valid"
    assert (found.programme_title, found.issued_at) == ("Certifierad testare", WHEN)
    assert found.name == privacy.HOLDER_NAME_REMOVED

    # Twice changes nothing.
    again = api.retire_learner(HER["key"])
    assert not again.found
    assert all_rows() == after


def test_the_extract_taken_before_retirement_holds_every_row_the_scan_finds(world):
    extract = api.extract_learner(HER["key"])
    listed = {(table["table"], row["id"]): row for table in extract["tables"] for row in table["rows"]}
    scanned = {where: row for where, row in all_rows().items() if traces(row, HER, HER["texts"])}
    assert scanned and set(scanned) <= set(listed)
    for where, row in scanned.items():
        assert {k: v for k, v in listed[where].items()} == json.loads(json.dumps(row, default=_iso)), where
    # Every table is in the extract, also those that hold nothing about her.
    assert [t["table"] for t in extract["tables"]] == [m._meta.db_table for m, _p in privacy.declared_models()]
    # Nothing of anyone else.
    assert not [where for where, row in listed.items() if traces(row, OTHER)]


def _iso(value):
    return value.isoformat()


def test_the_extract_document_is_swedish_and_shows_every_row_and_text(world):
    extract = api.extract_learner(HER["key"], programme_id=PROGRAMME)
    document = api.as_document(extract)
    assert document.startswith("# Registerutdrag")
    for text in HER["texts"]:
        assert text in document
    assert HER["name"] in document
    assert document.count("### Rad ") == sum(len(t["rows"]) for t in extract["tables"])
    assert "Närvarande" in document and "Kultur" in document  # choices in words, not codes
    # Only the programme asked for.
    assert {row.get("programme_id", PROGRAMME) for t in extract["tables"] for row in t["rows"]} == {PROGRAMME}


def test_a_retired_staff_member_is_gone_from_what_she_did_but_the_learners_rows_stay(world):
    api.revoke_certificate(world.code, PROGRAMME, STAFF["key"], STAFF["name"], "Fusk upptäckt", when=WHEN)
    api.retire_learner(STAFF["key"])
    assert not [where for where, row in all_rows().items() if traces(row, STAFF)]
    # The learner's own data is untouched by a staff member's retirement.
    assert api.get_profile(HER["key"], PROGRAMME).name == HER["name"]
    revoked = api.find_certificate(world.code)
    assert revoked.revoked_at == WHEN and revoked.revoked_reason == "Fusk upptäckt"
    assert api.accommodation_for(HER["key"], PROGRAMME, "slutprov").extra_minutes == 15


def test_retirement_is_one_transaction(world, monkeypatch):
    """A failure half-way leaves every row as it was."""
    before = all_rows()
    calls = []
    original = privacy.blank_value

    def failing(model, column):
        calls.append(model)
        if len(calls) > 3:
            raise RuntimeError("database gone")
        return original(model, column)

    monkeypatch.setattr("kkn_xblocks.records.retirement.blank_value", failing)
    with pytest.raises(RuntimeError):
        api.retire_learner(HER["key"])
    assert all_rows() == before


def test_a_blank_key_is_refused_and_changes_nothing(world):
    before = all_rows()
    with pytest.raises(ValueError):
        api.retire_learner("  ")
    assert all_rows() == before


def test_a_table_without_key_columns_is_in_the_extract_with_no_rows(world, monkeypatch):
    """E.g. a table of shared facts: it names nobody, so it lists nothing (not every row)."""
    import dataclasses  # pylint: disable=import-outside-toplevel
    from kkn_xblocks.records.models import Participation  # pylint: disable=import-outside-toplevel
    policy = privacy.POLICIES[Participation]
    anonymous = dataclasses.replace(policy, subject=None,
                                    columns={n: privacy.kept(c.label) for n, c in policy.columns.items()})
    monkeypatch.setitem(privacy.POLICIES, Participation, anonymous)
    tables = {t["table"]: t["rows"] for t in api.extract_learner(HER["key"])["tables"]}
    assert tables["kkn_records_participation"] == [] and Participation.objects.count() == 3
