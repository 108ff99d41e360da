"""Fixtures of the survey tests: a small site of their own instead of the whole demo.

`seed_demo` takes seconds (it reads the archive's documents); these tests need only the home
page, the three Ortschaften, the municipality's name and the staff groups (from migrations).
"""

import pytest

from participation.forms import field_name
from participation.models import SurveyPage
from participation.questions import QuestionKind
from tests.factories import staff_account
from website.models import Ortschaft

from .factories import CitizenFactory, SurveyPageFactory


@pytest.fixture
def ortschaften(home) -> dict[str, Ortschaft]:
    return {ortschaft.slug: ortschaft for ortschaft in Ortschaft.objects.all()}


@pytest.fixture
def survey_factory(home):
    """`survey_factory(way_of_taking_part="account", ...)`: a live survey below the home page."""

    def create(**fields) -> SurveyPage:
        return SurveyPageFactory(parent=home, **fields)

    return create


@pytest.fixture
def citizen(home):
    return CitizenFactory()


@pytest.fixture
def staff_member(home):
    """A staff account in one of the groups, with its second factor: `staff_member("Redaktion")`."""
    return staff_account


def valid_answers(survey: SurveyPage) -> dict:
    """Answers to every question of the standard questionnaire, as the service takes them."""
    answers = {}
    for question in survey.question_list:
        if question.kind == QuestionKind.SINGLE_CHOICE:
            answers[question.id] = question.choices[1].id
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            answers[question.id] = [question.choices[0].id, question.choices[2].id]
        elif question.kind == QuestionKind.RATING:
            answers[question.id] = 4
        elif question.kind == QuestionKind.YES_NO:
            answers[question.id] = "yes"
        else:
            answers[question.id] = "Bitte mit Schatten."
    return answers


def form_data(survey: SurveyPage, answers: dict, **extra) -> dict:
    """What the browser posts for these answers (see `valid_answers`)."""
    data = {field_name(question_id): value for question_id, value in answers.items()}
    data.update(extra)
    return data
