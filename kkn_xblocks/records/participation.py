"""A learner taking part in a programme: joining, her name on rosters and certificates."""
from django.db import router

from kkn_xblocks import clock

from .models import Participation
from .rows import insert_once, select


def join_programme(learner_key, programme_id, name=""):
    """Make sure the learner takes part in the programme; refresh her display name if it changed.

    Read first: she has usually joined already, and a plain read takes no write lock (each exam
    submit and start calls this); only a missing row or a changed name is written."""
    row = _participation(learner_key, programme_id)
    if row is not None and (not name or row.name == name):
        return row
    if row is None:
        row, created = insert_once(Participation, {"name": name}, learner_key=learner_key, programme_id=programme_id)
        if created:
            return row
    if name and row.name != name:
        rename_participant(learner_key, programme_id, name)
        row.name = name
    return row


def _participation(learner_key, programme_id):
    """Her row, or None: read with ``rows.select`` (each exam submit and start reads it) and made a
    model instance as the ORM makes one from a row (``Model.from_db``, django/db/models/base.py)."""
    names = tuple(field.attname for field in Participation._meta.concrete_fields)  # pylint: disable=protected-access
    rows = select(Participation, names, {"learner_key": learner_key, "programme_id": programme_id},
                  order_by="pk", limit=1)
    return Participation.from_db(router.db_for_read(Participation), names, rows[0]) if rows else None


def rename_participant(learner_key, programme_id, name):
    """Her display name as the runtime has it now, for a participant the caller has just read: one
    UPDATE, no read."""
    Participation.objects.filter(learner_key=learner_key, programme_id=programme_id).update(
        name=name, updated_at=clock.now())


def names_of(programme_id, learner_keys):
    """``{learner_key: name}`` for the given learners, in one query."""
    rows = Participation.objects.filter(programme_id=programme_id, learner_key__in=list(learner_keys))
    return dict(rows.values_list("learner_key", "name"))
