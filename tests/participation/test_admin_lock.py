"""Once a survey has answers, its questions and choices are locked in the admin: changing
them would make the answers count for questions nobody was asked."""

from html import unescape

import pytest
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from participation.answering import survey_answer_submit
from participation.models import QUESTIONS_LOCKED, SurveyPage

from .conftest import valid_answers


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _questions_form_data(survey: SurveyPage, change=None) -> dict:
    """The stream as the admin's editor posts it, with the ids it keeps; `change(raw)` edits
    the raw questions first."""
    raw = survey.questions.get_prep_value()
    if change:
        change(raw)
    data = {"count": str(len(raw))}
    for index, item in enumerate(raw):
        value = {}
        for name, field in item["value"].items():
            if name == "choices":
                value["choices"] = {"count": str(len(field))}
                for position, choice in enumerate(field):
                    value["choices"][str(position)] = {
                        "value": choice["value"],
                        "id": choice["id"],
                        "deleted": "",
                        "order": str(position),
                    }
            elif isinstance(field, bool):
                if field:
                    value[name] = "on"
            elif field is not None:
                value[name] = str(field)
        data[str(index)] = {
            "type": item["type"],
            "id": item["id"],
            "value": value,
            "deleted": "",
            "order": str(index),
        }
    return data


def _edit(client, survey: SurveyPage, change=None, *, publish=True, **fields):
    data = {
        "title": survey.title,
        "slug": survey.slug,
        "introduction": rich_text(survey.introduction),
        "opens_at": _local(survey.opens_at),
        "closes_at": _local(survey.closes_at),
        "way_of_taking_part": survey.way_of_taking_part,
        "questions": _questions_form_data(survey, change),
        "comments": inline_formset([]),
        **({"action-publish": "1"} if publish else {}),
        **fields,
    }
    return client.post(f"/admin/pages/{survey.pk}/edit/", nested_form_data(data))


def _rename_choice(raw):
    raw[0]["value"]["choices"][0]["value"] = "Am Friedhof"


def _add_choice(raw):
    raw[0]["value"]["choices"].append({"type": "item", "value": "Am See", "id": "new-choice"})


def _reword_question(raw):
    raw[3]["value"]["text"] = "Würden Sie beim Bau nicht mithelfen?"


def _drop_question(raw):
    del raw[4]


def _new_help_text(raw):
    raw[1]["value"]["help_text"] = "Bis zu zwei Wünsche."


@pytest.fixture
def editor_client(client, staff_member):
    client.force_login(staff_member("Redaktion"))
    return client


def test_without_answers_questions_may_change(survey_factory, editor_client):
    survey = survey_factory()

    response = _edit(editor_client, survey, _rename_choice)

    assert response.status_code == 302
    survey = SurveyPage.objects.get(pk=survey.pk)
    assert survey.question_list[0].choices[0].label == "Am Friedhof"


@pytest.mark.parametrize("publish", [True, False], ids=["publish", "save-draft"])
@pytest.mark.parametrize("change", [_rename_choice, _add_choice, _reword_question, _drop_question])
def test_with_answers_questions_and_choices_are_locked(
    survey_factory, editor_client, change, publish
):
    # given
    survey = survey_factory()
    survey_answer_submit(survey=survey, answers=valid_answers(survey), browser_token="a" * 43)
    before = survey.questions.get_prep_value()

    # when
    response = _edit(editor_client, survey, change, publish=publish)

    # then: refused with the reason, nothing changed
    assert response.status_code == 200
    assert str(QUESTIONS_LOCKED) in unescape(response.content.decode())
    survey = SurveyPage.objects.get(pk=survey.pk)
    assert survey.questions.get_prep_value() == before
    assert not survey.revisions.exists()  # not even as a draft


def test_with_answers_help_texts_may_still_change(survey_factory, editor_client):
    survey = survey_factory()
    survey_answer_submit(survey=survey, answers=valid_answers(survey), browser_token="a" * 43)

    response = _edit(editor_client, survey, _new_help_text)

    assert response.status_code == 302
    assert SurveyPage.objects.get(pk=survey.pk).question_list[1].help_text == "Bis zu zwei Wünsche."


def test_with_answers_the_way_of_taking_part_is_locked(survey_factory, editor_client):
    survey = survey_factory(way_of_taking_part="open")
    survey_answer_submit(survey=survey, answers=valid_answers(survey), browser_token="a" * 43)

    response = _edit(editor_client, survey, way_of_taking_part="account")

    assert response.status_code == 200
    assert SurveyPage.objects.get(pk=survey.pk).way_of_taking_part == "open"


def test_a_survey_must_close_after_it_opens(survey_factory, editor_client):
    survey = survey_factory()

    response = _edit(editor_client, survey, closes_at=_local(survey.opens_at))

    assert response.status_code == 200
    assert SurveyPage.objects.get(pk=survey.pk).closes_at == survey.closes_at


def test_the_council_cannot_edit_surveys(survey_factory, client, staff_member):
    survey = survey_factory()
    client.force_login(staff_member("Gemeinderat"))

    response = _edit(client, survey, _rename_choice)

    assert response.status_code in {302, 403}
    assert SurveyPage.objects.get(pk=survey.pk).question_list[0].choices[0].label == "Am Mühlenberg"
