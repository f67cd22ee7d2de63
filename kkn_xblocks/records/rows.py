"""Writing a unique row once, whatever runs at the same time, and the cheap read of the rows every
exam request reads: what the parts of the record share.

Its own module so that the parts of the record (participation, modules, attendance, exams,
municipalities) import it directly; ``api.py`` re-exports them all and imports none back.
"""
import functools

from django.db import IntegrityError, connections, router, transaction
from django.db.models.sql import Query


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


def select(model, names, where, order_by=None, limit=None):
    """``[tuple of the ``names`` fields' values]`` of the rows of ``model`` whose fields equal
    ``where`` (``{field name: value}``), as ``filter(**where).order_by(order_by).values_list(*names)``
    gives them, for the reads every exam request makes.

    The ORM builds and compiles its SQL anew for each query: about 300 µs of Python, fifteen times the
    statement itself on SQLite. Here the SQL is made once per shape and run on the connection the ORM
    uses (same transaction); each column's value is converted as the ORM converts it, by the same
    converters: the backend's and the field's (``SQLCompiler.get_converters`` and
    ``apply_converters`` in django/db/models/sql/compiler.py, as ``RawModelIterable`` in
    django/db/models/query.py applies them to raw SQL): aware datetimes, booleans from MariaDB's
    integers, parsed JSON. ``"pk"`` names the primary key, as in ``values_list``."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, fields, where_fields = _select_sql(model, tuple(names), tuple(where), order_by, limit, connection.vendor)
    compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, alias)
    table = model._meta.db_table  # pylint: disable=protected-access
    converters = compiler.get_converters([field.get_col(table) for field in fields])
    params = _where_params(where_fields, where, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        return [tuple(row) for row in compiler.apply_converters(rows, converters)]
    return rows


@functools.lru_cache(maxsize=64)
def _select_sql(model, names, where, order_by, limit, vendor):
    """The statement for ``select`` (keyed by the database vendor, whose quoting it uses), the
    fields it reads and those it compares."""
    meta = model._meta  # pylint: disable=protected-access
    quote = connections[router.db_for_read(model)].ops.quote_name
    fields, where_fields = _fields(meta, names), _fields(meta, where)
    sql = (f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)} WHERE "
           + " AND ".join(f"{quote(f.column)} = %s" for f in where_fields))
    if order_by:
        sql += f" ORDER BY {quote(_fields(meta, [order_by])[0].column)} ASC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return sql, fields, where_fields


def update(model, values, where):
    """``filter(**where).update(**values)`` for the one write every submit makes: the number of rows
    changed (matched, on MariaDB, as Django asks its driver for), with the SQL made once per shape.

    Each value is prepared as the ORM's UPDATE prepares it (``field.get_db_prep_save`` in
    ``SQLUpdateCompiler.as_sql``, django/db/models/sql/compiler.py: JSON encoded, datetimes adapted to
    the backend) and each compared one as an ``exact`` lookup does; plain values only, no expressions."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, set_fields, where_fields = _update_sql(model, tuple(values), tuple(where), connection.vendor)
    params = [field.get_db_prep_save(value, connection=connection) for field, value in zip(set_fields, values.values())]
    params += _where_params(where_fields, where, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@functools.lru_cache(maxsize=64)
def _update_sql(model, names, where, vendor):
    """The statement for ``update`` (keyed by the vendor, whose quoting it uses) and its fields."""
    meta = model._meta  # pylint: disable=protected-access
    quote = connections[router.db_for_write(model)].ops.quote_name
    set_fields, where_fields = _fields(meta, names), _fields(meta, where)
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in set_fields)} WHERE "
           + " AND ".join(f"{quote(f.column)} = %s" for f in where_fields))
    return sql, set_fields, where_fields


def insert(model, values):
    """``model.objects.create(**values)`` for the rows a first passing submit writes (her certificate
    and its credential), with the SQL made once per shape: the new row, as a saved model instance.

    The instance is made as ``create`` makes it (its fields' defaults), and every column is prepared
    as the ORM's INSERT prepares it (``field.pre_save`` and ``get_db_prep_save`` in
    ``SQLInsertCompiler``, django/db/models/sql/compiler.py); its primary key is the one the database
    gave it, read as the ORM reads it without RETURNING (``DatabaseOperations.last_insert_id``,
    django/db/backends/base/operations.py). No model signal is sent: the records app connects none."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    row = model(**values)
    sql, fields = _insert_sql(model, connection.vendor)
    params = [field.get_db_prep_save(field.pre_save(row, True), connection=connection) for field in fields]
    meta = model._meta  # pylint: disable=protected-access
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    row._state.adding, row._state.db = False, alias  # pylint: disable=protected-access
    return row


@functools.lru_cache(maxsize=16)
def _insert_sql(model, vendor):
    """The statement for ``insert`` (keyed by the vendor, whose quoting it uses) and the fields it
    writes: every concrete one but the automatic primary key."""
    meta = model._meta  # pylint: disable=protected-access
    quote = connections[router.db_for_write(model)].ops.quote_name
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    return sql, fields


def _fields(meta, names):
    """The model's fields by name, ``"pk"`` its primary key."""
    return [meta.pk if name == "pk" else meta.get_field(name) for name in names]


def _where_params(where_fields, where, connection):
    """The compared values, each prepared as an ``exact`` lookup prepares it
    (``Lookup.get_db_prep_lookup``, django/db/models/lookups.py). None is refused: the ORM would
    compare it with ``IS NULL``, these statements with ``=``."""
    if any(value is None for value in where.values()):
        raise ValueError("rows.select and rows.update compare with values, not None")
    return [field.get_db_prep_value(value, connection, prepared=False) for field, value in zip(where_fields, where.values())]
