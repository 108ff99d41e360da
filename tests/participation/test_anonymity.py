"""No stored data links an answer to a person: every column of every table the survey writes,
read back with SQL after a known account and a known code have answered."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import override_settings

from participation.access_codes import access_code_normalise, access_codes_generate
from participation.answering import account_identity, participation_key, survey_answer_submit
from participation.models import AccessCode, Answer, Participation, Response

from .conftest import form_data, valid_answers
from .factories import CitizenFactory

TABLES = [Response, Answer, Participation, AccessCode]
# When the codes were made (staff, before any letter was sent) says nothing about an answer.
ALLOWED_TIMES = {(AccessCode._meta.db_table, "created_at")}


def _rows(model) -> tuple[list[str], list[tuple]]:
    """Every column, also any a model does not declare."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        # the DB-API names a column first in its description (psycopg2 and sqlite3 alike)
        return [column[0] for column in cursor.description], cursor.fetchall()


def test_no_stored_value_names_the_person_or_the_time(survey_factory, client, settings):
    # given: a citizen with a distinctive id and a household with a known code answer
    citizen = CitizenFactory(id=987_654, username="erika.mustermann", email="erika@example.org")
    account_survey = survey_factory(way_of_taking_part="account")
    client.force_login(citizen)
    review = client.post(
        account_survey.url, form_data(account_survey, valid_answers(account_survey))
    )
    draft = re.search(r'name="draft" value="([^"]+)"', review.content.decode()).group(1)
    submitted = client.post(
        account_survey.url + "absenden/", {"draft": draft}, REMOTE_ADDR="203.0.113.77"
    )
    assert submitted.status_code == 302
    code_survey = survey_factory(way_of_taking_part="code")
    [code] = access_codes_generate(survey=code_survey, count=1)
    survey_answer_submit(survey=code_survey, answers=valid_answers(code_survey), access_code=code)

    # then
    forbidden = {
        str(citizen.pk),
        citizen.username,
        citizen.email,
        "203.0.113.77",
        "127.0.0.1",
        code,
        access_code_normalise(code),
        client.session.session_key,
    }
    for model in TABLES:
        columns, rows = _rows(model)
        assert rows, model
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                assert value != citizen.pk, (model, column)
                text = str(value)
                for secret in forbidden:
                    assert secret not in text, (model, column, secret)
                if (model._meta.db_table, column) not in ALLOWED_TIMES:
                    # a date at most, never a time of day
                    assert not isinstance(value, datetime.datetime | datetime.time), (model, column)


def test_participation_cannot_be_joined_to_the_response(survey_factory, citizen):
    # given
    survey = survey_factory(way_of_taking_part="account")
    response = survey_answer_submit(survey=survey, answers=valid_answers(survey), user=citizen)
    participation = Participation.objects.get()

    # then: no column relates the two tables, in either direction
    assert {field.name for field in Participation._meta.get_fields()} == {"id", "survey", "key"}
    assert not [
        field
        for field in Response._meta.get_fields()
        if field.related_model in (Participation, AccessCode)
    ]
    columns, rows = _rows(Participation)
    assert set(columns) == {"id", "survey_id", "key"}
    assert str(response.pk) not in {str(value) for row in rows for value in row}
    assert participation.pk != response.pk
    # and the key names nobody without the server's secret
    assert participation.key == participation_key(survey=survey, identity=account_identity(citizen))
    with override_settings(SECRET_KEY="another-secret-key-another-secret-key-0123"):
        assert participation.key != participation_key(
            survey=survey, identity=account_identity(citizen)
        )


@pytest.mark.parametrize("model", [Response, Answer])
def test_answers_have_random_keys(survey_factory, model):
    survey = survey_factory()
    for number in range(3):
        survey_answer_submit(
            survey=survey, answers=valid_answers(survey), browser_token=str(number) * 43
        )

    # random UUIDs (version 4): their order says nothing about the order of the answers
    assert {row.pk.version for row in model.objects.all()} == {4}
