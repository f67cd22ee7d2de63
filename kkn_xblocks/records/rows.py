"""Writing a unique row once, whatever runs at the same time: what every part of the record uses.

Its own module so that the parts of the record (participation, modules, attendance, exams,
municipalities) import it directly; ``api.py`` re-exports them all and imports none back.
"""
from django.db import IntegrityError, transaction


def create_once(model, defaults=None, **lookup):
    """``get_or_create`` that survives a concurrent insert of the same unique row.

    Returns ``(row, created)``: a read, and only when it finds nothing an insert in a savepoint
    (``insert_once``); a concurrent insert that wins makes the read after the rolled-back savepoint
    return the winner's row, as ``get_or_create`` does, in two statements fewer.
    """
    try:
        return model.objects.get(**lookup), False
    except model.DoesNotExist:
        return insert_once(model, defaults, **lookup)


def insert_once(model, defaults=None, **lookup):
    """The insert half of ``create_once``, for a caller that has just read the row and found none
    (in the same transaction): ``(row, created)``, the row a concurrent insert won with otherwise.

    Like ``get_or_create`` (django/db/models/query.py) the insert runs in a savepoint, so a lost race
    leaves the caller's transaction usable for the read that follows; unlike ``create_once`` before
    it, the read is not repeated and no second savepoint wraps the first (every handler already
    runs in one transaction)."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **(defaults or {})), True
    except IntegrityError:
        return model.objects.get(**lookup), False


def run_of(course_key):
    """The ``course_key`` column's value to write, or nothing: a caller that does not know the run
    never blanks a run already recorded."""
    return {"course_key": course_key[:255]} if course_key else {}
