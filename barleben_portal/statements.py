"""The busiest reads as statements made once: compiled once per process and, in PostgreSQL,
planned once per database session.

For a small query Django takes longer to build and compile it than PostgreSQL to answer it,
and PostgreSQL takes longer to plan it than to run it (the board's page of notices: planning
0.43 ms, running 0.33 ms). A `Statement` is built once from a queryset made with stand-ins,
values no real one has, for what a request changes (the moment, the filters' values, a
slug); it finds them again among the compiled parameters, and a request's values take their
places. In PostgreSQL it is prepared (`PREPARE`) on each connection the first time it runs
there, with every parameter that never changes written into it, so its one plan can use
them (the board's path for the tree's index) and the request's values are its parameters;
its plan is made once and kept (`plan_cache_mode`, barleben_portal/settings.py). So the
portal needs its own sessions: PostgreSQL directly, or a pooler in session mode (in
transaction mode a statement could meet a session that never prepared it).
"""

import hashlib
import weakref
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, models
from psycopg2.extensions import AsIs

# The database sessions (psycopg2 connections) and the statements prepared in each: a
# statement lasts as long as its session, which Django replaces after an error or
# CONN_MAX_AGE.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def _parameter(value):
    """A value as Django's lookups give it to the database: a row by its key, a date or a
    moment as the backend writes it (SQLite as text)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class _Slot:
    """Where a request's value goes among a statement's parameters."""

    name: str


class Statement:
    """A statement compiled once with `stand_ins` (name -> value) among its parameters, run
    with a request's values for them. `sliced` adds the bounds of a slice as parameters
    `limit` and `offset`: one statement for every page of a listing."""

    def __init__(self, sql: str, params, stand_ins: dict[str, object], *, sliced: bool = False):
        by_value = {_parameter(value): name for name, value in stand_ins.items()}
        self._params = [_Slot(by_value[value]) if value in by_value else value for value in params]
        self._names = list(dict.fromkeys(p.name for p in self._params if isinstance(p, _Slot)))
        # Every stand-in must be found: a value missing from the SQL would be ignored.
        if set(self._names) != set(stand_ins):
            raise RuntimeError(f"A stand-in of {sorted(stand_ins)} is missing in: {sql} {params}")
        if sliced:
            sql = f"{sql} LIMIT %s OFFSET %s"
            self._params += [_Slot("limit"), _Slot("offset")]
            self._names += ["limit", "offset"]
        self._sql = sql
        self._definition: tuple[str, str] | None = None  # (name, SQL) in PostgreSQL

    @classmethod
    def of(cls, queryset, stand_ins: dict[str, object], *, sliced: bool = False) -> "Statement":
        """A queryset's statement, the queryset made with `stand_ins`."""
        return cls(*queryset.query.sql_with_params(), stand_ins, sliced=sliced)

    def query(self, values: dict) -> tuple[str, list]:
        """The SQL and parameters to run, with `values` for the stand-ins (and the slice)."""
        if connection.vendor != "postgresql":
            return self._sql, [
                _parameter(values[p.name]) if isinstance(p, _Slot) else p for p in self._params
            ]
        placeholders = ", ".join(["%s"] * len(self._names))
        return f"EXECUTE {self._prepared()} ({placeholders})", [
            _parameter(values[name]) for name in self._names
        ]

    def _prepared(self) -> str:
        """The statement's name in this connection's session, prepared there if it is not.
        Run past Django's cursor: preparing is no query of the page's, and the statement
        stays when a transaction around it is rolled back."""
        connection.ensure_connection()
        session = connection.connection
        if self._definition is None:
            # Named after itself, so a statement compiled again (in the next generation of
            # the page cache) finds its plan where it was prepared before.
            numbered = [
                AsIs(f"${self._names.index(p.name) + 1}") if isinstance(p, _Slot) else p
                for p in self._params
            ]
            with session.cursor() as cursor:
                text = cursor.mogrify(self._sql, numbered).decode()
            name = f"statement_{hashlib.sha256(text.encode()).hexdigest()[:24]}"
            self._definition = name, text
        name, text = self._definition
        prepared = _PREPARED.setdefault(session, set())
        if name not in prepared:
            with session.cursor() as cursor:
                cursor.execute(f"PREPARE {name} AS {text}")
            prepared.add(name)
        return name
