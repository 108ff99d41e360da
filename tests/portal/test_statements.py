"""Statements made once (barleben_portal/statements.py): a request's values in place of the
stand-ins, and in PostgreSQL one prepared statement per session with one plan."""

import pytest
from django.db import connection, transaction

from barleben_portal.models import Ortschaft
from barleben_portal.statements import Statement
from tests.factories import OrtschaftFactory

STAND_IN = "\x00slug\x00"


def names_by_slug() -> Statement:
    names = Ortschaft.objects.filter(slug=STAND_IN).values_list("name", flat=True)
    return Statement.of(names, {"slug": STAND_IN})


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


@pytest.mark.django_db
def test_a_statement_runs_with_each_requests_values():
    # given two Ortschaften and a statement compiled once
    OrtschaftFactory(name="Ebendorf", slug="ebendorf")
    OrtschaftFactory(name="Meitzendorf", slug="meitzendorf")
    statement = names_by_slug()

    # when it runs with one value after the other, then each finds its own
    assert run(statement, {"slug": "ebendorf"}) == ["Ebendorf"]
    assert run(statement, {"slug": "meitzendorf"}) == ["Meitzendorf"]
    assert run(statement, {"slug": "barleben"}) == []


@pytest.mark.django_db
def test_a_slice_takes_its_bounds_as_values():
    for number in range(5):
        OrtschaftFactory(name=f"Ort {number}", slug=f"ort-{number}", sort_order=number)
    names = Ortschaft.objects.exclude(slug=STAND_IN).order_by("sort_order")
    statement = Statement.of(names.values_list("name", flat=True), {"slug": STAND_IN}, sliced=True)

    assert run(statement, {"slug": "ort-0", "limit": 2, "offset": 1}) == ["Ort 2", "Ort 3"]
    assert run(statement, {"slug": "ort-4", "limit": 9, "offset": 3}) == ["Ort 3"]


@pytest.mark.django_db
def test_a_stand_in_missing_from_the_sql_is_refused():
    with pytest.raises(RuntimeError, match="missing"):
        Statement.of(Ortschaft.objects.filter(slug="ebendorf"), {"slug": STAND_IN})


@pytest.mark.service("postgres")
@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_a_statement_once_per_session_and_plans_it_once():
    # given a statement that has run
    OrtschaftFactory(name="Ebendorf", slug="ebendorf")
    statement = names_by_slug()
    assert run(statement, {"slug": "ebendorf"}) == ["Ebendorf"]
    sql, _ = statement.query({"slug": "ebendorf"})
    assert sql.startswith("EXECUTE ")
    name = sql.split()[1]
    planned, _ = plans(name)  # (the same statement of another test may have run before)

    # when it runs again, after a transaction that was rolled back around it
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert run(statement, {"slug": "meitzendorf"}) == []
        1 / 0  # noqa: B018
    assert run(statement, {"slug": "ebendorf"}) == ["Ebendorf"]

    # then its one plan served each value (Django prepares nothing else)
    assert plans(name) == (planned + 2, 0)

    # and a new session prepares it again
    connection.close()
    assert plans(name) is None
    assert run(statement, {"slug": "ebendorf"}) == ["Ebendorf"]
    assert plans(name) == (1, 0)
