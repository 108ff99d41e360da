"""The service that stores answers: each way of taking part, and each refusal storing nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participation.access_codes import access_codes_generate
from participation.answering import survey_answer_submit
from participation.models import AccessCode, Answer, Participation, Response
from participation.questions import QuestionKind

from .conftest import valid_answers
from .factories import CitizenFactory


def _question(survey, kind):
    return next(q for q in survey.question_list if q.kind == kind)


def _nothing_stored():
    return not (
        Response.objects.exists() or Answer.objects.exists() or Participation.objects.exists()
    )


def _refusal(**kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        survey_answer_submit(**kwargs)
    return caught.value


def _codes(error: ValidationError) -> dict:
    """Field (question id, `access_code`, `__all__`) → error codes."""
    if hasattr(error, "error_dict"):
        return {key: [e.code for e in errors] for key, errors in error.error_dict.items()}
    return {"__all__": [e.code for e in error.error_list]}


def test_open_survey_stores_one_response_with_its_answers(survey_factory, ortschaften):
    # given
    survey = survey_factory(way_of_taking_part="open")
    answers = valid_answers(survey)

    # when
    response = survey_answer_submit(
        survey=survey,
        answers=answers,
        ortschaft=ortschaften["ebendorf"],
        browser_token="t" * 43,
    )

    # then: one row per choice ticked, one per other answer
    assert response.ortschaft == ortschaften["ebendorf"]
    assert response.submitted_on == timezone.localdate()
    assert not response.is_paper
    multiple = _question(survey, QuestionKind.MULTIPLE_CHOICE)
    rows = {(a.question_id, a.choice_id, a.number, a.text) for a in response.answers.all()}
    assert (multiple.id, multiple.choices[0].id, None, "") in rows
    assert (multiple.id, multiple.choices[2].id, None, "") in rows
    assert (_question(survey, QuestionKind.RATING).id, None, 4, "") in rows
    assert (_question(survey, QuestionKind.YES_NO).id, "yes", None, "") in rows
    assert (_question(survey, QuestionKind.FREE_TEXT).id, None, None, "Bitte mit Schatten.") in rows
    assert len(rows) == 6
    assert Participation.objects.filter(survey=survey).count() == 1


def test_account_survey_takes_one_answer_per_account(survey_factory, citizen):
    survey = survey_factory(way_of_taking_part="account")
    survey_answer_submit(survey=survey, answers=valid_answers(survey), user=citizen)

    error = _refusal(survey=survey, answers=valid_answers(survey), user=citizen)

    assert _codes(error) == {"__all__": ["already_answered"]}
    assert Response.objects.count() == 1
    # another citizen may still answer
    survey_answer_submit(survey=survey, answers=valid_answers(survey), user=CitizenFactory())
    assert Response.objects.count() == 2


@pytest.mark.parametrize("who", ["anonymous", "unverified"])
def test_account_survey_refuses_who_has_no_verified_account(survey_factory, home, who):
    from django.contrib.auth.models import AnonymousUser

    survey = survey_factory(way_of_taking_part="account")
    user = AnonymousUser() if who == "anonymous" else CitizenFactory(is_verified=False)

    error = _refusal(survey=survey, answers=valid_answers(survey), user=user)

    assert _codes(error) == {"__all__": ["account_required"]}
    assert _nothing_stored()


def test_code_survey_takes_one_answer_per_code(survey_factory):
    survey = survey_factory(way_of_taking_part="code")
    first, second = access_codes_generate(survey=survey, count=2)

    # typed in lower case and without dashes, as people do
    survey_answer_submit(
        survey=survey, answers=valid_answers(survey), access_code=first.lower().replace("-", " ")
    )
    error = _refusal(survey=survey, answers=valid_answers(survey), access_code=first)

    assert _codes(error) == {"access_code": ["code_used"]}
    assert Response.objects.count() == 1
    assert AccessCode.objects.filter(is_used=True).count() == 1
    survey_answer_submit(survey=survey, answers=valid_answers(survey), access_code=second)
    assert Response.objects.count() == 2


@pytest.mark.parametrize(
    "code, expected",
    [("", "code_missing"), ("AAAA-AAAA-AAAA", "code_unknown"), ("kurz", "code_unknown")],
)
def test_code_survey_refuses_missing_and_made_up_codes(survey_factory, code, expected):
    survey = survey_factory(way_of_taking_part="code")
    access_codes_generate(survey=survey, count=1)

    error = _refusal(survey=survey, answers=valid_answers(survey), access_code=code)

    assert _codes(error) == {"access_code": [expected]}
    assert _nothing_stored()
    assert not AccessCode.objects.filter(is_used=True).exists()


def test_a_code_of_another_survey_is_refused(survey_factory):
    survey = survey_factory(way_of_taking_part="code")
    other = survey_factory(way_of_taking_part="code")
    [code] = access_codes_generate(survey=other, count=1)

    error = _refusal(survey=survey, answers=valid_answers(survey), access_code=code)

    assert _codes(error) == {"access_code": ["code_unknown"]}
    assert _nothing_stored()
    assert not AccessCode.objects.filter(is_used=True).exists()


def test_the_same_browser_answers_an_open_survey_once(survey_factory):
    survey = survey_factory(way_of_taking_part="open")
    survey_answer_submit(survey=survey, answers=valid_answers(survey), browser_token="a" * 43)

    error = _refusal(survey=survey, answers=valid_answers(survey), browser_token="a" * 43)

    assert _codes(error) == {"__all__": ["already_answered"]}
    assert Response.objects.count() == 1


def _with(survey, kind, value) -> dict:
    answers = valid_answers(survey)
    question = _question(survey, kind)
    if value is None:
        del answers[question.id]
    else:
        answers[question.id] = value(question) if callable(value) else value
    return answers


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        (QuestionKind.SINGLE_CHOICE, None, "required"),
        (QuestionKind.SINGLE_CHOICE, "", "required"),
        (QuestionKind.MULTIPLE_CHOICE, [], "required"),
        (QuestionKind.RATING, None, "required"),
        (QuestionKind.YES_NO, None, "required"),
        # too many choices: three where two are allowed
        (QuestionKind.MULTIPLE_CHOICE, lambda q: [c.id for c in q.choices[:3]], "too_many_choices"),
        # tampered choice ids
        (QuestionKind.SINGLE_CHOICE, "not-a-choice", "invalid_choice"),
        (QuestionKind.MULTIPLE_CHOICE, lambda q: [q.choices[0].id, "forged"], "invalid_choice"),
        (QuestionKind.YES_NO, "maybe", "invalid_choice"),
        (QuestionKind.SINGLE_CHOICE, ["a", "b"], "invalid_choice"),
        # a choice of another question of the same survey
        (
            QuestionKind.SINGLE_CHOICE,
            lambda q: "yes",
            "invalid_choice",
        ),
        (QuestionKind.RATING, 6, "invalid_rating"),
        (QuestionKind.RATING, "fünf", "invalid_rating"),
        (QuestionKind.FREE_TEXT, "x" * 201, "too_long"),
    ],
)
def test_invalid_answers_are_refused_by_question(survey_factory, kind, value, expected):
    survey = survey_factory()
    question = _question(survey, kind)

    error = _refusal(survey=survey, answers=_with(survey, kind, value), browser_token="b" * 43)

    assert _codes(error) == {question.id: [expected]}
    assert _nothing_stored()


def test_free_text_counts_a_line_break_once(survey_factory):
    survey = survey_factory()
    text = "x" * 99 + "\r\n" + "y" * 100  # 200 characters as the citizen sees them

    survey_answer_submit(
        survey=survey,
        answers=_with(survey, QuestionKind.FREE_TEXT, text),
        browser_token="c" * 43,
    )

    assert Answer.objects.get(text__startswith="x").text == "x" * 99 + "\n" + "y" * 100


def test_optional_questions_may_stay_unanswered(survey_factory):
    survey = survey_factory()

    response = survey_answer_submit(
        survey=survey,
        answers=_with(survey, QuestionKind.FREE_TEXT, None),
        browser_token="d" * 43,
    )

    free_text = _question(survey, QuestionKind.FREE_TEXT)
    assert not response.answers.filter(question_id=free_text.id).exists()


def test_answers_for_another_survey_are_refused(survey_factory):
    survey = survey_factory()
    other = survey_factory()

    error = _refusal(survey=survey, answers=valid_answers(other), browser_token="e" * 43)

    assert _codes(error) == {"__all__": ["unknown_question"]}
    assert _nothing_stored()


def test_a_made_up_question_id_is_refused(survey_factory):
    survey = survey_factory()
    answers = {**valid_answers(survey), "00000000-0000-0000-0000-000000000000": "yes"}

    error = _refusal(survey=survey, answers=answers, browser_token="f" * 43)

    assert _codes(error) == {"__all__": ["unknown_question"]}
    assert _nothing_stored()


@pytest.mark.parametrize(
    "opens, closes, expected",
    [
        (timedelta(hours=1), timedelta(days=2), "not_open_yet"),
        (-timedelta(days=10), -timedelta(seconds=1), "closed"),
    ],
)
def test_answers_outside_the_period_are_refused(survey_factory, opens, closes, expected):
    now = timezone.now()
    survey = survey_factory(opens_at=now + opens, closes_at=now + closes)

    error = _refusal(survey=survey, answers=valid_answers(survey), browser_token="g" * 43)

    assert _codes(error) == {"__all__": [expected]}
    assert _nothing_stored()


def test_an_ortschaft_outside_the_audience_is_refused(survey_factory, ortschaften):
    survey = survey_factory()
    survey.ortschaften.set([ortschaften["ebendorf"]])
    survey.save()

    error = _refusal(
        survey=survey,
        answers=valid_answers(survey),
        ortschaft=ortschaften["meitzendorf"],
        browser_token="h" * 43,
    )

    assert _codes(error) == {"ortschaft": ["ortschaft"]}
    assert _nothing_stored()


def test_a_refused_code_survey_answer_leaves_the_code_unused(survey_factory):
    # given a valid code but a missing required answer
    survey = survey_factory(way_of_taking_part="code")
    [code] = access_codes_generate(survey=survey, count=1)

    _refusal(survey=survey, answers=_with(survey, QuestionKind.YES_NO, None), access_code=code)

    # then the household can still answer
    assert not AccessCode.objects.filter(is_used=True).exists()
    survey_answer_submit(survey=survey, answers=valid_answers(survey), access_code=code)


def test_generating_codes_is_refused_for_other_ways_and_counts(survey_factory):
    with pytest.raises(ValidationError):
        access_codes_generate(survey=survey_factory(way_of_taking_part="open"), count=3)
    code_survey = survey_factory(way_of_taking_part="code")
    for count in (0, 5001):
        with pytest.raises(ValidationError):
            access_codes_generate(survey=code_survey, count=count)
    assert not AccessCode.objects.exists()
