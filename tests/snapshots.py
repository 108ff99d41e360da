"""A copy of every row of the test database, to put back in a fraction of a second.

The demo (`seed_demo`) takes seconds to build; put back from a snapshot it takes tens of
milliseconds. Each table is copied with COPY (binary), and the sequences' positions with
them. A snapshot may be taken inside a transaction (it sees what that transaction wrote);
`restore` commits, unless it runs inside a transaction of its own caller.
PostgreSQL only: SQLite cannot copy what a transaction has not committed yet.
"""

import io

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# Django's own record of applied migrations is the same in every snapshot.
SKIPPED_TABLES = {"django_migrations"}


class DatabaseSnapshot:
    """`snapshot = DatabaseSnapshot.take(connection)`, later `snapshot.restore(connection)`."""

    def __init__(self, tables: list[str], rows: dict[str, bytes], sequences: list[tuple]):
        self.tables = tables
        self.rows = rows
        self.sequences = sequences

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> "DatabaseSnapshot":
        quote = connection.ops.quote_name
        tables = [
            name
            for name in connection.introspection.table_names(include_views=False)
            if name not in SKIPPED_TABLES
        ]
        rows = {}
        with connection.cursor() as cursor:
            for table in tables:
                buffer = io.BytesIO()
                cursor.copy_expert(f"COPY {quote(table)} TO STDOUT (FORMAT binary)", buffer)
                if cursor.rowcount:
                    rows[table] = buffer.getvalue()
            cursor.execute(
                "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
                " WHERE schemaname = current_schema()"
            )
            sequences = cursor.fetchall()
        return cls(tables, rows, sequences)

    def restore(self, connection: BaseDatabaseWrapper) -> None:
        quote = connection.ops.quote_name
        # One transaction: Django's foreign keys are checked at its end (DEFERRABLE
        # INITIALLY DEFERRED), so the tables may be filled in any order.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in self.tables)}")
            for table, rows in self.rows.items():
                cursor.copy_expert(
                    f"COPY {quote(table)} FROM STDIN (FORMAT binary)", io.BytesIO(rows)
                )
            for sequence, last_value in self.sequences:
                # a sequence never used has no last value: its next is its start
                cursor.execute(
                    "SELECT setval(%s, %s, %s)", [sequence, last_value or 1, last_value is not None]
                )
