"""Twenty answers by one person at the same moment store one response: the unique key of the
participation decides, in real PostgreSQL transactions on separate connections."""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from participation.access_codes import access_codes_generate
from participation.answering import error_code, survey_answer_submit
from participation.models import Answer, Participation, Response, SurveyPage

from .conftest import valid_answers

SIMULTANEOUS = 20


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
    start = threading.Barrier(SIMULTANEOUS)
    outcomes: list[str] = []

    def submit():
        try:
            own_survey = SurveyPage.objects.get(pk=survey.pk)
            start.wait()
            survey_answer_submit(survey=own_survey, answers=answers, **identity)
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(error_code(error))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=submit) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: exactly one answer, the others refused as a second one
    refused = "code_used" if way == "code" else "already_answered"
    assert Counter(outcomes) == {"stored": 1, refused: SIMULTANEOUS - 1}
    assert Response.objects.filter(survey=survey).count() == 1
    assert Participation.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 6
