"""A learner taking part in a programme: joining, her name on rosters and certificates."""
from kkn_xblocks import clock

from .models import Participation
from .rows import insert_once


def join_programme(learner_key, programme_id, name=""):
    """Make sure the learner takes part in the programme; refresh her display name if it changed.

    Read first: she has usually joined already, and a plain read takes no write lock (each exam
    submit and start calls this); only a missing row or a changed name is written."""
    row = Participation.objects.filter(learner_key=learner_key, programme_id=programme_id).first()
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


def rename_participant(learner_key, programme_id, name):
    """Her display name as the runtime has it now, for a participant the caller has just read: one
    UPDATE, no read."""
    Participation.objects.filter(learner_key=learner_key, programme_id=programme_id).update(
        name=name, updated_at=clock.now())


def names_of(programme_id, learner_keys):
    """``{learner_key: name}`` for the given learners, in one query."""
    rows = Participation.objects.filter(programme_id=programme_id, learner_key__in=list(learner_keys))
    return dict(rows.values_list("learner_key", "name"))
