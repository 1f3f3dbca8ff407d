"""Rows written with PostgreSQL's ``COPY``: what ``bulk_create`` does for the synthetic CFA, without its
cost in Python.

``bulk_create`` on PostgreSQL sends each batch as arrays (``INSERT … SELECT * FROM UNNEST(…)``), and
psycopg escapes every element of a text array with a regular expression: at 2,000 apprentices, the
generation spent a fifth of its time there and in the insert compiler. ``COPY`` streams the rows as
psycopg's compiled adapters write them. The keys come from the table's sequence first (one query), so
that the objects have them as ``bulk_create`` would give them; each value is prepared by its field
(``pre_save``, then ``get_db_prep_save``), as ``bulk_create`` prepares it. Triggers run as for any
insert (the sort copies of ``core.copies``, the status snapshots' forgetting).

A field a save stamps with the time (``auto_now``: ``updated_at``) keeps the value a row carries: the
generated booklet says when each document last changed, where a save (and ``bulk_create``) would write
the time of the generation, and every document would look changed today.

SQLite keeps ``bulk_create``, then writes those stamps back.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# bulk_create's batch size elsewhere: bounds the memory of one statement.
BATCH = 2000


def _keys(connection, model, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [key for (key,) in cursor.fetchall()]


def _stamped(model) -> list:
    """The fields a save sets to the time of the save (``auto_now``)."""
    return [field for field in model._meta.concrete_fields if getattr(field, "auto_now", False)]


def _bulk_create(model, rows: list) -> list:
    """``bulk_create``, then the stamps the rows carried written back (it overwrites them)."""
    carried = {field: [getattr(row, field.attname) for row in rows] for field in _stamped(model)}
    carried = {field: values for field, values in carried.items() if any(v is not None for v in values)}
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    for field, values in carried.items():
        for row, value in zip(rows, values, strict=True):
            if value is not None:
                setattr(row, field.attname, value)
    if carried:
        model.objects.bulk_update(rows, [field.name for field in carried], batch_size=BATCH)
    return created


def copy_rows(model, rows: list) -> list:
    """``model.objects.bulk_create(rows)`` on PostgreSQL, with ``COPY``: ``rows`` are saved, with their
    keys, and returned; an ``auto_now`` field keeps the value a row carries (the time otherwise)."""
    if not rows:
        return rows
    meta = model._meta
    # The connection itself, not ``django.db.connection``: that proxy looks the connection up at each
    # use, and each value prepared here uses it (a tenth of the generation's time).
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return _bulk_create(model, rows)
    pk = meta.pk
    if pk.db_returning:  # an automatic key: read from its sequence
        missing = [row for row in rows if row.pk is None]
        for row, key in zip(missing, _keys(connection, model, len(missing)), strict=True):
            row.pk = key
    fields = meta.concrete_fields
    stamped = set(_stamped(model))

    def value(field, row):
        carried = getattr(row, field.attname) if field in stamped else None
        return field.get_db_prep_save(field.pre_save(row, True) if carried is None else carried, connection)

    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                row._prepare_related_fields_for_save(operation_name="bulk_create")
                copy.write_row([value(field, row) for field in fields])
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
    return rows
