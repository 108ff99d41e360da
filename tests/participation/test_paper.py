"""Staff type in paper forms: the answers count like online ones, are marked as paper, each
entry is in the audit log without a trace of the response, and bad forms store nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import PageLogEntry

from participation.answering import INVALID_CHOICE, REQUIRED, TOO_MANY_CHOICES
from participation.forms import field_name
from participation.models import Answer, Participation, Response
from participation.paper import PAPER_ANSWER_ACTION, survey_paper_answer_enter
from participation.questions import QuestionKind

from .conftest import form_data, valid_answers

URL = "/admin/umfragen/{}/papierboegen/"


def _question(survey, kind: QuestionKind):
    return next(question for question in survey.question_list if question.kind == kind)


def _nothing_stored() -> bool:
    return not (
        Response.objects.exists()
        or Answer.objects.exists()
        or PageLogEntry.objects.filter(action=PAPER_ANSWER_ACTION).exists()
    )


@pytest.mark.service("postgres")
@pytest.mark.parametrize("group", ["Redaktion", "Administration"])
@pytest.mark.parametrize("way", ["open", "account", "code"])
def test_staff_enter_a_paper_form_that_counts_as_paper(
    survey_factory, client, staff_member, ortschaften, group, way
):
    # given
    survey = survey_factory(way_of_taking_part=way)
    survey.ortschaften.set([ortschaften["ebendorf"], ortschaften["meitzendorf"]])
    survey.save()
    user = staff_member(group)
    client.force_login(user)
    answers = valid_answers(survey)

    # when
    form = client.get(URL.format(survey.pk))
    response = client.post(
        URL.format(survey.pk), form_data(survey, answers, ortschaft="ebendorf"), follow=True
    )

    # then: saved, with an empty form for the next one
    assert form.status_code == 200
    assert 'name="access_code"' not in form.content.decode()
    assert response.redirect_chain == [(URL.format(survey.pk), 302)]
    assert [message.level_tag for message in response.context["messages"]] == ["success"]
    stored = Response.objects.get()
    assert stored.survey == survey
    assert stored.is_paper is True
    assert stored.ortschaft == ortschaften["ebendorf"]
    assert stored.submitted_on == timezone.localdate()
    rating = _question(survey, QuestionKind.RATING)
    assert Answer.objects.get(response=stored, question_id=rating.id).number == 4
    multiple = _question(survey, QuestionKind.MULTIPLE_CHOICE)
    assert set(
        Answer.objects.filter(question_id=multiple.id).values_list("choice_id", flat=True)
    ) == set(answers[multiple.id])
    assert Answer.objects.filter(response=stored).count() == 6  # two for the multiple choice
    # a paper form names nobody: no participation record
    assert not Participation.objects.exists()
    # the audit log: who, on which survey; nothing that leads to the response
    entry = PageLogEntry.objects.get(action=PAPER_ANSWER_ACTION)
    assert entry.page_id == survey.pk
    assert entry.user_id == user.pk
    assert entry.data == {}
    assert str(stored.pk) not in str(entry.__dict__)
    history = client.get(f"/admin/pages/{survey.pk}/history/").content.decode()
    assert str(entry.message) in history


@pytest.mark.service("postgres")
def test_each_form_counts_once_and_the_page_says_how_many(survey_factory, client, staff_member):
    survey = survey_factory()
    client.force_login(staff_member("Redaktion"))

    for _ in range(3):
        client.post(URL.format(survey.pk), form_data(survey, valid_answers(survey)))

    assert Response.objects.filter(survey=survey, is_paper=True).count() == 3
    assert PageLogEntry.objects.filter(action=PAPER_ANSWER_ACTION, page=survey).count() == 3
    assert client.get(URL.format(survey.pk)).context["paper_count"] == 3


def _without(answers: dict, question_id: str) -> dict:
    return {key: value for key, value in answers.items() if key != question_id}


@pytest.mark.service("postgres")
@pytest.mark.parametrize(
    "tamper, message",
    [
        (
            lambda survey, answers: _without(
                answers, _question(survey, QuestionKind.SINGLE_CHOICE).id
            ),
            REQUIRED,
        ),
        (
            lambda survey, answers: {
                **answers,
                _question(survey, QuestionKind.MULTIPLE_CHOICE).id: [
                    choice.id for choice in _question(survey, QuestionKind.MULTIPLE_CHOICE).choices
                ],
            },
            TOO_MANY_CHOICES % {"max": 2, "count": 4},
        ),
        (
            lambda survey, answers: {
                **answers,
                _question(survey, QuestionKind.SINGLE_CHOICE).id: "made-up",
            },
            INVALID_CHOICE,
        ),
    ],
    ids=["required-missing", "too-many-crosses", "tampered-choice"],
)
def test_a_bad_form_is_refused_with_a_message_and_stores_nothing(
    survey_factory, client, staff_member, tamper, message
):
    # given
    survey = survey_factory()
    client.force_login(staff_member("Redaktion"))
    answers = tamper(survey, valid_answers(survey))

    # when
    response = client.post(URL.format(survey.pk), form_data(survey, answers))

    # then: the form again, the message by its question and in the summary
    assert response.status_code == 200
    html = response.content.decode()
    assert str(message) in html
    assert 'role="alert"' in html
    assert _nothing_stored()


@pytest.mark.service("postgres")
def test_an_ortschaft_outside_the_audience_is_refused(
    survey_factory, staff_member, client, ortschaften
):
    survey = survey_factory()
    survey.ortschaften.set([ortschaften["ebendorf"]])
    survey.save()
    client.force_login(staff_member("Redaktion"))

    response = client.post(
        URL.format(survey.pk), form_data(survey, valid_answers(survey), ortschaft="barleben")
    )

    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert _nothing_stored()


@pytest.mark.service("postgres")
def test_the_service_refuses_answers_of_another_survey(survey_factory, staff_member):
    survey, other = survey_factory(), survey_factory()

    with pytest.raises(ValidationError) as refusal:
        survey_paper_answer_enter(
            survey=survey, answers=valid_answers(other), user=staff_member("Redaktion")
        )

    assert refusal.value.code == "unknown_question"
    assert _nothing_stored()


@pytest.mark.service("postgres")
@pytest.mark.parametrize(
    "days_after_closing, is_accepted", [(-1, True), (1, True), (13, True), (15, False)]
)
def test_paper_forms_are_taken_until_14_days_after_closing(
    survey_factory, staff_member, days_after_closing, is_accepted
):
    # given a survey that closes in a week
    now = timezone.now()
    survey = survey_factory(opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=7))
    moment = survey.closes_at + timedelta(days=days_after_closing)
    user = staff_member("Redaktion")

    # when
    def enter():
        return survey_paper_answer_enter(
            survey=survey, answers=valid_answers(survey), user=user, now=moment
        )

    # then
    if is_accepted:
        # counted on the closing day at the latest, within the survey's period
        assert enter().submitted_on == min(
            timezone.localdate(moment), timezone.localdate(survey.closes_at)
        )
    else:
        with pytest.raises(ValidationError) as refusal:
            enter()
        assert refusal.value.code == "closed"
        assert "14" in refusal.value.messages[0]
        assert _nothing_stored()


@pytest.mark.service("postgres")
def test_no_paper_forms_before_the_survey_opens(survey_factory, staff_member, client):
    now = timezone.now()
    survey = survey_factory(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=8))
    client.force_login(staff_member("Redaktion"))

    form = client.get(URL.format(survey.pk))
    response = client.post(URL.format(survey.pk), form_data(survey, valid_answers(survey)))

    assert form.status_code == 200
    assert f'name="{field_name(survey.question_list[0].id)}"' not in form.content.decode()
    assert response.status_code == 200
    assert _nothing_stored()


@pytest.mark.service("postgres")
@pytest.mark.parametrize("group", ["Gemeinderat", "Freigabe"])
def test_who_may_not_enter_paper_forms_gets_403(survey_factory, client, staff_member, group):
    survey = survey_factory()
    user = staff_member(group)
    client.force_login(user)

    assert client.get(URL.format(survey.pk)).status_code == 403
    assert (
        client.post(URL.format(survey.pk), form_data(survey, valid_answers(survey))).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        survey_paper_answer_enter(survey=survey, answers=valid_answers(survey), user=user)
    assert _nothing_stored()


@pytest.mark.service("postgres")
def test_the_survey_edit_page_links_to_the_paper_forms(survey_factory, client, staff_member):
    survey = survey_factory()

    client.force_login(staff_member("Redaktion"))
    editor_sees = client.get(f"/admin/pages/{survey.pk}/edit/").content.decode()
    client.force_login(staff_member("Freigabe"))
    publisher_sees = client.get(f"/admin/pages/{survey.pk}/edit/").content.decode()

    assert URL.format(survey.pk) in editor_sees
    assert URL.format(survey.pk) not in publisher_sees
