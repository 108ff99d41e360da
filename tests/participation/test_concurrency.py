"""Twenty answers by one person at the same moment store one response: the unique key of the
participation decides; twenty people answering at the same moment are all stored and all
counted. In real PostgreSQL transactions on separate connections."""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from participation.access_codes import access_codes_generate
from participation.answering import error_code, survey_answer_submit
from participation.models import Answer, Participation, Response, SurveyPage
from participation.tallies import tallies_are_exact

from .conftest import valid_answers
from .factories import CitizenFactory

SIMULTANEOUS = 20


def _at_once(action, arguments: list) -> list[str]:
    """Run `action(argument)` for each argument in its own thread and connection, all
    released at the same moment; what each one did ("stored" or the error's code)."""
    start = threading.Barrier(len(arguments))
    outcomes: list[str] = []

    def run(argument):
        try:
            start.wait()
            action(argument)
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(error_code(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.service("postgres")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("way", ["account", "code", "open"])
def test_twenty_simultaneous_answers_by_one_person_store_one(survey_factory, citizen, way):
    # given: one account, one code or one browser
    survey = survey_factory(way_of_taking_part=way)
    identity = {
        "account": {"user": citizen},
        "code": {"access_code": access_codes_generate(survey=survey, count=1)[0]}
        if way == "code"
        else {},
        "open": {"browser_token": "z" * 43},
    }[way]
    answers = valid_answers(survey)

    # when
    outcomes = _at_once(
        lambda _number: survey_answer_submit(
            survey=SurveyPage.objects.get(pk=survey.pk), answers=answers, **identity
        ),
        list(range(SIMULTANEOUS)),
    )

    # then: exactly one answer, the others refused as a second one
    refused = "code_used" if way == "code" else "already_answered"
    assert Counter(outcomes) == {"stored": 1, refused: SIMULTANEOUS - 1}
    assert Response.objects.filter(survey=survey).count() == 1
    assert Participation.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 6
    assert tallies_are_exact(survey=survey)


@pytest.mark.service("postgres")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_people_answering_at_once_are_all_counted(survey_factory, ortschaften):
    """The counts' rows are shared by everybody answering: no increment may be lost, and no
    two answers may wait for each other for ever."""
    survey = survey_factory(way_of_taking_part="account")
    people = [CitizenFactory() for _ in range(SIMULTANEOUS)]
    places = [*ortschaften.values(), None]
    answers = valid_answers(survey)

    def submit(number: int) -> None:
        survey_answer_submit(
            survey=SurveyPage.objects.get(pk=survey.pk),
            answers=answers,
            user=people[number],
            ortschaft=places[number % len(places)],
        )

    outcomes = _at_once(submit, list(range(SIMULTANEOUS)))

    assert outcomes == ["stored"] * SIMULTANEOUS
    assert Response.objects.filter(survey=survey).count() == SIMULTANEOUS
    assert tallies_are_exact(survey=survey)
