"""What a citizen sees: the form, the last look, the confirmation; before opening, after
closing, and for each way of taking part."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from participation.access_codes import CODE_USED, access_codes_generate
from participation.answering import ALREADY_ANSWERED, REQUIRED, TOO_MANY_CHOICES
from participation.forms import field_name
from participation.models import AccessCode, Participation, Response
from participation.questions import QuestionKind
from participation.views import BROWSER_COOKIE

from .conftest import form_data, valid_answers
from .factories import CitizenFactory

DRAFT_LOST = (
    "Your answers could not be taken over: the page was open for too long, or was changed. "
    "Nothing has been saved. Please fill in the form again."
)


def _html(response) -> str:
    return unescape(response.content.decode())


def _draft(review) -> str:
    return re.search(r'name="draft" value="([^"]+)"', review.content.decode()).group(1)


def _question(survey, kind):
    return next(q for q in survey.question_list if q.kind == kind)


def _answer(client, survey, answers=None, **extra):
    """Fill in the form, look at the review, send: the response to sending."""
    review = client.post(survey.url, form_data(survey, answers or valid_answers(survey), **extra))
    assert review.status_code == 200
    return client.post(survey.url + "absenden/", {"draft": _draft(review)})


def test_form_is_accessible_fieldsets_with_legends_and_described_help(survey_factory, client):
    survey = survey_factory()

    html = _html(client.get(survey.url))

    assert html.count("<fieldset") == 4  # the choices, the scale and yes/no
    for question in survey.question_list:
        if question.kind != QuestionKind.FREE_TEXT:
            assert f"<legend>{question.text}" in html
    multiple = _question(survey, QuestionKind.MULTIPLE_CHOICE)
    name = field_name(multiple.id)
    assert f'aria-describedby="id_{name}_helptext"' in html
    assert f'id="id_{name}_helptext">Denken Sie an alle Altersgruppen.' in html
    free_text = _question(survey, QuestionKind.FREE_TEXT)
    assert f'<label for="id_{field_name(free_text.id)}">' in html
    assert 'maxlength="200"' in html
    assert "1 (gar nicht zufrieden)" in html and "5 (sehr zufrieden)" in html
    assert gettext("Open survey: not representative") in html


def test_errors_are_named_and_linked_to_their_fields(survey_factory, client):
    # given: nothing chosen for the single choice, three where two are allowed
    survey = survey_factory()
    answers = valid_answers(survey)
    single = _question(survey, QuestionKind.SINGLE_CHOICE)
    multiple = _question(survey, QuestionKind.MULTIPLE_CHOICE)
    del answers[single.id]
    answers[multiple.id] = [choice.id for choice in multiple.choices[:3]]

    # when
    response = client.post(survey.url, form_data(survey, answers))

    # then: the summary names each question and links to its first option
    html = _html(response)
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert f'<a href="#id_{field_name(single.id)}_0">{single.text}: {REQUIRED}</a>' in html
    too_many = str(TOO_MANY_CHOICES) % {"max": 2, "count": 3}
    assert f'<a href="#id_{field_name(multiple.id)}_0">{multiple.text}: {too_many}</a>' in html
    assert f'id="id_{field_name(multiple.id)}_0"' in html
    assert not Response.objects.exists()


def test_open_survey_form_review_and_confirmation(survey_factory, client, ortschaften):
    # given
    survey = survey_factory(way_of_taking_part="open")
    free_text = _question(survey, QuestionKind.FREE_TEXT)

    # when: the form is sent, the review shows the answers, nothing is stored yet
    review = client.post(survey.url, form_data(survey, valid_answers(survey), ortschaft="ebendorf"))
    html = _html(review)
    assert gettext("Check your answers") in html
    for expected in (
        "Im Ortskern",
        "Schaukeln",
        "Klettergerüst",
        "4",
        "Bitte mit Schatten.",
        "Ebendorf",
    ):
        assert expected in html
    assert html.count(f">{gettext('Change')}<") == len(survey.question_list) + 1
    assert f'formaction="{survey.url}#id_{field_name(free_text.id)}"' in html
    assert not Response.objects.exists() and not Participation.objects.exists()

    sent = client.post(survey.url + "absenden/", {"draft": _draft(review)})

    # then
    assert sent.status_code == 302
    assert sent["Location"] == survey.url + "danke/"
    assert BROWSER_COOKIE in sent.cookies and sent.cookies[BROWSER_COOKIE]["httponly"]
    assert Response.objects.get().ortschaft == ortschaften["ebendorf"]
    thanks = _html(client.get(sent["Location"]))
    assert gettext("Thank you for taking part") in thanks
    # the same browser comes back
    again = _html(client.get(survey.url))
    assert (
        gettext("You have already answered this survey. Thank you! Each person can answer once.")
        in again
    )
    assert '<form method="post" action="' + survey.url + '"' not in again


def test_change_on_the_review_fills_the_form_in_again(survey_factory, client):
    survey = survey_factory()
    review = client.post(survey.url, form_data(survey, valid_answers(survey)))
    single = _question(survey, QuestionKind.SINGLE_CHOICE)

    form = _html(client.post(survey.url, {"draft": _draft(review)}))

    assert (
        f'value="{single.choices[1].id}" id="id_{field_name(single.id)}_1" required checked' in form
    )
    assert "Bitte mit Schatten." in form
    assert not Response.objects.exists()


def test_a_forged_draft_stores_nothing(survey_factory, client):
    survey = survey_factory()
    review = client.post(survey.url, form_data(survey, valid_answers(survey)))
    draft = _draft(review)

    response = client.post(survey.url + "absenden/", {"draft": draft[:-3] + "AAA"})

    assert gettext(DRAFT_LOST) in _html(response)
    assert not Response.objects.exists()


def test_a_draft_for_another_survey_stores_nothing(survey_factory, client):
    survey, other = survey_factory(), survey_factory()
    review = client.post(other.url, form_data(other, valid_answers(other)))

    response = client.post(survey.url + "absenden/", {"draft": _draft(review)})

    assert gettext(DRAFT_LOST) in _html(response)
    assert not Response.objects.exists()


def test_open_survey_answers_are_rate_limited_per_address(survey_factory, client, settings):
    settings.SURVEY_ANSWER_RATE = "2/h"
    survey = survey_factory()
    for _ in range(2):
        client.cookies.clear()  # a new browser each time, same address
        assert _answer(client, survey).status_code == 302

    client.cookies.clear()
    limited = _answer(client, survey)

    assert limited.status_code == 429
    assert gettext("Too many answers") in _html(limited)
    assert Response.objects.count() == 2


def test_account_survey_sends_visitors_to_log_in(survey_factory, client):
    survey = survey_factory(way_of_taking_part="account")

    html = _html(client.get(survey.url))

    assert gettext("Please log in to take part") in html
    assert f'href="/konto/login/?next={survey.url.replace("/", "%2F")}"' in html
    assert 'name="csrfmiddlewaretoken"' not in html.split("<main", 1)[1]
    sent = client.post(survey.url + "absenden/", {"draft": "x"})
    assert gettext("Please log in to take part") in _html(sent)
    assert not Response.objects.exists()


def test_account_survey_asks_to_confirm_the_address_first(survey_factory, client):
    survey = survey_factory(way_of_taking_part="account")
    client.force_login(CitizenFactory(is_verified=False))

    html = _html(client.get(survey.url))

    assert gettext("Please confirm your e-mail address first") in html
    assert 'href="/konto/email/"' in html


def test_account_survey_one_answer_per_account(survey_factory, client, citizen):
    survey = survey_factory(way_of_taking_part="account")
    client.force_login(citizen)

    assert _answer(client, survey).status_code == 302
    review_before = client.post(survey.url, form_data(survey, valid_answers(survey)))

    # then the form is gone, and an old review sent again stores nothing
    assert gettext(
        "You have already answered this survey. Thank you! Each person can answer once."
    ) in _html(client.get(survey.url))
    assert Response.objects.count() == 1
    assert gettext("Check your answers") not in _html(review_before)


def test_account_survey_second_answer_from_a_review_opened_before(survey_factory, client, citizen):
    # given: two tabs with the review; the first sends
    survey = survey_factory(way_of_taking_part="account")
    client.force_login(citizen)
    first = client.post(survey.url, form_data(survey, valid_answers(survey)))
    second = client.post(survey.url, form_data(survey, valid_answers(survey)))
    client.post(survey.url + "absenden/", {"draft": _draft(first)})

    # when the second tab sends too
    response = client.post(survey.url + "absenden/", {"draft": _draft(second)})

    assert str(ALREADY_ANSWERED).split(".")[0] in _html(response)
    assert Response.objects.count() == 1


def test_code_survey_asks_for_the_code_first(survey_factory, client):
    survey = survey_factory(way_of_taking_part="code")
    [code] = access_codes_generate(survey=survey, count=1)

    html = _html(client.get(survey.url))
    assert html.index('id="id_access_code"') < html.index("<fieldset")

    wrong = _html(
        client.post(
            survey.url, form_data(survey, valid_answers(survey), access_code="ACDE-FGHJ-KMNP")
        )
    )
    assert '<a href="#id_access_code">' in wrong
    assert not Response.objects.exists()

    assert _answer(client, survey, access_code=code.lower()).status_code == 302
    assert AccessCode.objects.get().is_used

    used = _html(
        client.post(survey.url, form_data(survey, valid_answers(survey), access_code=code))
    )
    assert str(CODE_USED) in used
    assert Response.objects.count() == 1


def test_code_used_between_review_and_sending(survey_factory, client):
    survey = survey_factory(way_of_taking_part="code")
    [code] = access_codes_generate(survey=survey, count=1)
    first = client.post(survey.url, form_data(survey, valid_answers(survey), access_code=code))
    second = client.post(survey.url, form_data(survey, valid_answers(survey), access_code=code))
    client.post(survey.url + "absenden/", {"draft": _draft(first)})

    response = client.post(survey.url + "absenden/", {"draft": _draft(second)})

    assert '<a href="#id_access_code">' in _html(response)
    assert Response.objects.count() == 1


def test_before_opening_the_page_says_when_it_opens(survey_factory, client):
    opens = timezone.now() + timedelta(days=3)
    survey = survey_factory(opens_at=opens, closes_at=opens + timedelta(days=7))

    html = _html(client.get(survey.url))

    expected = gettext("This survey opens on %(opens)s. Please come back then.") % {
        "opens": date_format(timezone.localtime(opens), "DATETIME_FORMAT")
    }
    assert expected in html
    assert "<fieldset" not in html
    assert client.post(survey.url, form_data(survey, valid_answers(survey))).status_code == 200
    assert not Response.objects.exists()


def test_after_closing_the_page_says_it_is_closed(survey_factory, client):
    survey = survey_factory()
    review = client.post(survey.url, form_data(survey, valid_answers(survey)))
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()

    page = _html(client.get(survey.url))
    sent = _html(client.post(survey.url + "absenden/", {"draft": _draft(review)}))

    expected = gettext("This survey closed on %(closes)s. Answers can no longer be sent.") % {
        "closes": date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
    }
    for html in (page, sent):
        assert expected in html
        assert "<fieldset" not in html
    assert not Response.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_refused(survey_factory, client, method):
    survey = survey_factory()
    assert getattr(client, method)(survey.url).status_code == 405
    assert getattr(client, method)(survey.url + "danke/").status_code == 405


def test_sending_by_get_goes_back_to_the_form(survey_factory, client):
    survey = survey_factory()
    response = client.get(survey.url + "absenden/")
    assert response.status_code == 302 and response["Location"] == survey.url


def test_pages_are_not_cached(survey_factory, client):
    survey = survey_factory()
    assert "no-store" in client.get(survey.url)["Cache-Control"]
