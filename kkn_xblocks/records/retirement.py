"""Retirement (GDPR art. 17): remove one person from the programme record, as ``privacy.POLICIES`` says.

Every row linked to her learner key is deleted or stripped, in one transaction. Stripped rows get
one random pseudonym instead of her key (no hash of it: a pseudonym must not lead back to her), so
the counts staff read (attendance per session, attempts, completions, certificates) stay right
and her remaining rows still belong together (one certificate per "learner" and programme holds).
Running it again finds nothing of hers and changes nothing.
"""
import secrets
from dataclasses import dataclass

from django.db import transaction

from .privacy import DELETE, NAME, PERSONAL, blank_value, declared_models

PSEUDONYM_PREFIX = "retired:"


@dataclass(frozen=True)
class Retired:
    """What one retirement did: ``{model name: rows}`` deleted and stripped."""

    deleted: dict
    stripped: dict

    @property
    def found(self):
        return bool(self.deleted or self.stripped)


def new_pseudonym():
    return PSEUDONYM_PREFIX + secrets.token_hex(12)


def retire_learner(learner_key):
    """Delete or strip every row about ``learner_key`` (learner or staff member): one transaction."""
    learner_key = str(learner_key).strip()
    if not learner_key:
        raise ValueError("a learner key is needed")  # a blank key would match every self check-in
    pseudonym = new_pseudonym()
    deleted, stripped = {}, {}
    with transaction.atomic():
        for _model, policy in declared_models():
            if policy.before_retire is not None:
                policy.before_retire(learner_key)
        for model, policy in declared_models():
            label = model.__name__
            for key_column in policy.keys():
                rows = model.objects.filter(**{key_column: learner_key})
                if key_column == policy.subject and policy.on_retire == DELETE:
                    count = rows.delete()[1].get(model._meta.label, 0)  # pylint: disable=protected-access
                    if count:
                        deleted[label] = deleted.get(label, 0) + count
                    continue
                changes = {key_column: pseudonym}
                changes.update({c: policy.removed_name for c in policy.about(key_column, NAME)})
                changes.update({c: blank_value(model, c) for c in policy.about(key_column, PERSONAL)})
                count = rows.update(**changes)
                if count:
                    stripped[label] = stripped.get(label, 0) + count
    return Retired(deleted=deleted, stripped=stripped)
