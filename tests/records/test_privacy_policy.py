"""Every table of the programme record declares what it holds about people (``records/privacy.py``).

Retirement, the register extract and retention are driven by these declarations only, so a model
or a column without one would silently escape all three: these tests fail first.
"""
from django.apps import apps

from kkn_xblocks.records import privacy


def test_every_model_of_the_app_has_a_policy():
    models = apps.get_app_config("kkn_records").get_models()
    missing = [model.__name__ for model in models if model not in privacy.POLICIES]
    assert not missing, f"declare these models in kkn_xblocks/records/privacy.py: {missing}"


def test_every_column_has_exactly_one_declared_role_and_nothing_else_is_declared():
    for model, policy in privacy.declared_models():
        columns = privacy.column_names(model)
        assert sorted(policy.columns) == sorted(columns), model.__name__
        keys = set(policy.keys())
        for name, column in policy.columns.items():
            assert column.role in (privacy.KEPT, privacy.KEY, privacy.NAME, privacy.PERSONAL), (model, name)
            assert column.label, (model, name)
            if column.role in (privacy.NAME, privacy.PERSONAL):
                assert column.of in keys, f"{model.__name__}.{name} is about {column.of!r}, not a key column"
        if policy.subject is not None:
            assert policy.subject in keys, model.__name__


def test_retention_rules_name_real_columns_and_settings():
    from kkn_xblocks.records.retention import DEFAULT_DAYS  # pylint: disable=import-outside-toplevel
    for model, policy in privacy.declared_models():
        columns = set(privacy.column_names(model))
        for rule in policy.retention:
            assert rule.setting in DEFAULT_DAYS
            assert rule.since in columns and set(rule.clear) <= columns
            assert not set(rule.clear) & set(policy.keys()), "a key is never blanked: rows would collide"


def test_the_record_of_processing_describes_every_table():
    """docs/personuppgifter.md names every table the policies cover (by database table name)."""
    from pathlib import Path  # pylint: disable=import-outside-toplevel
    text = (Path(__file__).resolve().parents[2] / "docs" / "personuppgifter.md").read_text(encoding="utf-8")
    missing = [model._meta.db_table for model, _p in privacy.declared_models() if model._meta.db_table not in text]
    assert not missing, f"describe these tables in docs/personuppgifter.md: {missing}"
