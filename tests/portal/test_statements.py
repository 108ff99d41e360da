"""Statements made once (barleben_portal/statements.py): a request's values in place of the
stand-ins, and in PostgreSQL one prepared statement per session with one plan."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from barleben_portal.statements import Statement

STAND_IN = "\x00name\x00"

# A model without signals or search index (its test of sessions runs with a flushed database).
pytestmark = pytest.mark.django_db


def ids_by_name() -> Statement:
    ids = Group.objects.filter(name=STAND_IN).values_list("pk", flat=True)
    return Statement.of(ids, {"name": STAND_IN})


def run(statement: Statement, values: dict) -> list:
    with connection.cursor() as cursor:
        cursor.execute(*statement.query(values))
        return [row[0] for row in cursor.fetchall()]


def plans(name: str) -> tuple[int, int] | None:
    """How often this session planned a prepared statement for all values and for one, or
    None where it is not prepared."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [name],
        )
        return cursor.fetchone()


def test_a_statement_runs_with_each_requests_values():
    # given two groups and a statement compiled once
    editors, readers = (
        Group.objects.create(name="Prüfgruppe A"),
        Group.objects.create(name="Prüfgruppe B"),
    )
    statement = ids_by_name()

    # when it runs with one value after the other, then each finds its own
    assert run(statement, {"name": "Prüfgruppe A"}) == [editors.pk]
    assert run(statement, {"name": "Prüfgruppe B"}) == [readers.pk]
    assert run(statement, {"name": "Prüfgruppe C"}) == []


def test_a_slice_takes_its_bounds_as_values():
    groups = [Group.objects.create(name=f"Gruppe {number}") for number in range(5)]
    ids = (
        Group.objects.filter(name__startswith="Gruppe ")
        .exclude(name=STAND_IN)
        .order_by("name")
        .values_list("pk", flat=True)
    )
    statement = Statement.of(ids, {"name": STAND_IN}, sliced=True)

    values = {"name": "Gruppe 0", "limit": 2, "offset": 1}
    assert run(statement, values) == [groups[2].pk, groups[3].pk]
    values = {"name": "Gruppe 4", "limit": 9, "offset": 3}
    assert run(statement, values) == [groups[3].pk]


def test_a_stand_in_missing_from_the_sql_is_refused():
    with pytest.raises(RuntimeError, match="missing"):
        Statement.of(Group.objects.filter(name="Prüfgruppe A"), {"name": STAND_IN})


@pytest.mark.service("postgres")
@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_a_statement_once_per_session_and_plans_it_once():
    # given a statement that has run
    editors = Group.objects.create(name="Prüfgruppe A")
    statement = ids_by_name()
    assert run(statement, {"name": "Prüfgruppe A"}) == [editors.pk]
    sql, _ = statement.query({"name": "Prüfgruppe A"})
    assert sql.startswith("EXECUTE ")
    name = sql.split()[1]
    planned, _ = plans(name)  # (the same statement of another test may have run before)

    # when it runs again, after a transaction that was rolled back around it
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert run(statement, {"name": "Prüfgruppe B"}) == []
        1 / 0  # noqa: B018
    assert run(statement, {"name": "Prüfgruppe A"}) == [editors.pk]

    # then its one plan served each value (Django prepares nothing else)
    assert plans(name) == (planned + 2, 0)

    # and a new session prepares it again
    connection.close()
    assert plans(name) is None
    assert run(statement, {"name": "Prüfgruppe A"}) == [editors.pk]
    assert plans(name) == (1, 0)
