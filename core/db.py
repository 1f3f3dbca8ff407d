"""How the organisation-wide reads are planned on PostgreSQL.

The connections prepare the queries they repeat (``config/settings.py``): PostgreSQL then plans a
prepared query once, for any value (a "generic" plan), instead of at each request. For a person's pages
that is right: their queries find a few rows by key, whatever the key. An organisation's figures are
read through date ranges (the year, the sheets due before today), and the generic plan cannot know how
many rows a range holds: it guessed 631 sheets for a year's 23,729 at 20,000 apprentices and joined
them one by one, 113 ms against 51 ms planned for the dates themselves.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def planned_for_their_values():
    """The queries run inside are not prepared: PostgreSQL plans each one for the values it is given.

    psycopg's threshold is set aside on the connection for the block, and given back after it: no
    query of its own, and nothing left on the connection.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = previous


def lock_rows(queryset) -> None:
    """Lock ``queryset``'s rows until the transaction ends (``SELECT … FOR UPDATE``, in key order, so
    that two jobs locking overlapping rows never wait on each other in a circle)."""
    list(queryset.select_for_update().order_by("pk").values_list("pk", flat=True))
