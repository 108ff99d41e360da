"""Publication on the survey page: only the questions staff chose, only the free texts a
person approved, only after closing; each choice and review in the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import PageLogEntry

from participation.models import Answer
from participation.questions import QuestionKind
from participation.results import (
    PUBLISH_ACTION,
    REVIEW_ACTION,
    free_texts_review,
    results_publication_set,
    survey_results_published,
)

from .test_results import respond

pytestmark = pytest.mark.service("postgres")


def kinds(survey):
    return {question.kind: question for question in survey.question_list}


@pytest.fixture
def closed_survey(survey_factory):
    now = timezone.now()
    survey = survey_factory(opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=1))
    q = kinds(survey)
    for n, text in enumerate(["Mehr Schatten bitte", "Herr Müller von nebenan ist laut", ""]):
        answers = {
            q[QuestionKind.SINGLE_CHOICE].id: q[QuestionKind.SINGLE_CHOICE].choices[n % 2].id,
            q[QuestionKind.YES_NO].id: "yes",
        }
        if text:
            answers[q[QuestionKind.FREE_TEXT].id] = text
        respond(survey, answers)
    return survey


@pytest.fixture
def administrator(staff_member):
    return staff_member("Administration")


def test_only_the_chosen_questions_and_the_approved_texts_are_on_the_page(
    client, closed_survey, administrator
):
    q = kinds(closed_survey)
    text_question = q[QuestionKind.FREE_TEXT]
    results_publication_set(
        survey=closed_survey,
        user=administrator,
        question_ids=[q[QuestionKind.SINGLE_CHOICE].id, text_question.id],
    )
    approved = Answer.objects.get(text="Mehr Schatten bitte")
    rejected = Answer.objects.get(text__startswith="Herr Müller")
    free_texts_review(
        survey=closed_survey,
        user=administrator,
        question_id=text_question.id,
        reviewed_ids=[approved.pk, rejected.pk],
        published_ids=[str(approved.pk)],
    )

    page = client.get(closed_survey.url).content.decode()

    assert "Wo soll der neue Spielplatz entstehen?" in page
    assert "Am Mühlenberg" in page and 'class="results-chart"' in page
    assert "Würden Sie beim Bau mithelfen?" not in page
    assert "Mehr Schatten bitte" in page
    assert "Müller" not in page
    # nothing of the breakdown, which is the council's
    assert "results-breakdown" not in page


def test_nothing_is_published_before_the_survey_closes(client, survey_factory, administrator):
    survey = survey_factory(results_visible_while_open=True)
    single = kinds(survey)[QuestionKind.SINGLE_CHOICE]
    respond(survey, {single.id: single.choices[0].id})
    results_publication_set(survey=survey, user=administrator, question_ids=[single.id])

    assert survey_results_published(survey=survey) is None
    assert survey_results_published(survey=survey, now=survey.closes_at) is not None


def test_unpublished_survey_shows_only_that_it_closed(client, closed_survey):
    page = client.get(closed_survey.url).content.decode()

    assert "Am Mühlenberg" not in page
    assert "results-chart" not in page


def test_open_surveys_are_labelled_not_representative(client, closed_survey, administrator):
    assert closed_survey.way_of_taking_part == "open"
    single = kinds(closed_survey)[QuestionKind.SINGLE_CHOICE]
    results_publication_set(survey=closed_survey, user=administrator, question_ids=[single.id])

    page = client.get(closed_survey.url).content.decode()

    with translation.override("de"):
        label = gettext("Not representative:")
    results_part = page[page.index('id="survey-results-title"') :]
    assert label in results_part.split("results-question")[0]


@pytest.mark.parametrize("group", ["Redaktion", "Gemeinderat", "Freigabe"])
def test_only_administration_publishes(closed_survey, staff_member, group):
    user = staff_member(group)
    single = kinds(closed_survey)[QuestionKind.SINGLE_CHOICE]

    with pytest.raises(PermissionDenied):
        results_publication_set(survey=closed_survey, user=user, question_ids=[single.id])
    with pytest.raises(PermissionDenied):
        free_texts_review(
            survey=closed_survey,
            user=user,
            question_id=kinds(closed_survey)[QuestionKind.FREE_TEXT].id,
            reviewed_ids=[],
            published_ids=[],
        )


def test_questions_of_another_survey_are_refused(closed_survey, survey_factory, administrator):
    other = survey_factory()

    with pytest.raises(ValidationError):
        results_publication_set(
            survey=closed_survey, user=administrator, question_ids=[other.question_list[0].id]
        )
    assert not PageLogEntry.objects.filter(action=PUBLISH_ACTION).exists()


def test_publication_screen_saves_the_choice_and_logs_it(client, closed_survey, administrator):
    client.force_login(administrator)
    single = kinds(closed_survey)[QuestionKind.SINGLE_CHOICE]
    url = reverse("participation_results_publication", args=[closed_survey.pk])

    response = client.post(url, {"question_ids": [single.id]})

    assert response.status_code == 302
    assert closed_survey.results_publication.question_ids == [single.id]
    entry = PageLogEntry.objects.get(action=PUBLISH_ACTION)
    assert entry.user_id == administrator.pk and entry.data["published"] == [single.id]


def test_publication_screen_refuses_a_made_up_question(client, closed_survey, administrator):
    client.force_login(administrator)
    url = reverse("participation_results_publication", args=[closed_survey.pk])

    response = client.post(url, {"question_ids": ["not-a-question"]})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not PageLogEntry.objects.filter(action=PUBLISH_ACTION).exists()


def test_review_screen_approves_texts_and_logs_the_review(client, closed_survey, administrator):
    client.force_login(administrator)
    text_question = kinds(closed_survey)[QuestionKind.FREE_TEXT]
    url = reverse("participation_results_free_texts", args=[closed_survey.pk, text_question.id])
    page = client.get(url)
    assert page.status_code == 200
    shown = [str(answer.pk) for answer in page.context["form"].answers]
    approved = Answer.objects.get(text="Mehr Schatten bitte")

    response = client.post(url, {"shown": shown, "published": [str(approved.pk)]})

    assert response.status_code == 302
    assert list(Answer.objects.filter(is_published=True)) == [approved]
    entry = PageLogEntry.objects.get(action=REVIEW_ACTION)
    assert entry.data == {"question": text_question.id, "published": 1, "withdrawn": 0}


def test_review_screen_refuses_tampered_ids(client, closed_survey, administrator):
    client.force_login(administrator)
    text_question = kinds(closed_survey)[QuestionKind.FREE_TEXT]
    url = reverse("participation_results_free_texts", args=[closed_survey.pk, text_question.id])

    response = client.post(url, {"shown": ["kaputt"], "published": ["kaputt"]})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Answer.objects.filter(is_published=True).exists()
    assert not PageLogEntry.objects.filter(action=REVIEW_ACTION).exists()


def test_council_member_may_not_review(client, closed_survey, staff_member):
    client.force_login(staff_member("Gemeinderat"))
    text_question = kinds(closed_survey)[QuestionKind.FREE_TEXT]
    url = reverse("participation_results_free_texts", args=[closed_survey.pk, text_question.id])

    response = client.get(url)

    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
