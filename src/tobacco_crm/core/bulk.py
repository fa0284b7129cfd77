"""Fast bulk inserts of plain rows, for computed results written by the hundred thousand
(allocation limits). `Model.objects.bulk_create` spends most of its time turning each value
into SQL one field at a time; here the caller gives ready database values and the rows go in
with `executemany` (SQLite) or `COPY` (PostgreSQL), inside the caller's transaction.

Only for models without save() logic, signals or history on the rows written (results whose
audit lies in the run or plan that produced them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 50_000


def fast_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples of database values in `columns` order, column names as in the
    table, e.g. "retailer_id") into the model's table. Returns the number of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            # Under the wrapper's back: psycopg's errors become Django's (IntegrityError ...)
            # as they do on SQLite.
            with (
                connection.wrap_database_errors,
                raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
