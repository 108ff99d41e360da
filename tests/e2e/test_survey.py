"""A survey in the browser: a citizen finds it on the home page and answers it with the
keyboard only (Tab, Space, arrow keys, Enter), through an error, the review and the thanks;
a council member logs in to the admin and opens its results. axe-core audits every page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext
from playwright.sync_api import expect

from participation.answering import REQUIRED, TOO_MANY_CHOICES, survey_answer_submit
from participation.forms import field_name
from participation.models import Answer, Response
from participation.paper import survey_paper_answer_enter
from participation.questions import QuestionKind
from tests.factories import SubscriptionFactory, staff_account, totp_code
from tests.participation.factories import SurveyPageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Storchennest-am-Kirchturm"
SUBMIT = ".content-page form button[type=submit]"


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.type")


def press(page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def open_header_action(page, name: str) -> None:
    """Follow one of the actions in the menu of the admin's page header."""
    page.locator("#w-slim-header-buttons .w-dropdown__toggle").click()
    with page.expect_navigation():
        page.locator("#w-slim-header-buttons").get_by_role("link", name=name).click()


def _question(survey, kind: QuestionKind):
    return next(question for question in survey.question_list if question.kind == kind)


def _id(question, index: int | None = None) -> str:
    suffix = "" if index is None else f"_{index}"
    return f"id_{field_name(question.id)}{suffix}"


def test_citizen_answers_an_open_survey_with_the_keyboard(page, audit, tab_to, demo):
    # given an open survey, announced on the home page
    survey = SurveyPageFactory(
        parent=demo, title="Ein neuer Spielplatz für Barleben", way_of_taking_part="open"
    )
    single = _question(survey, QuestionKind.SINGLE_CHOICE)
    multiple = _question(survey, QuestionKind.MULTIPLE_CHOICE)
    rating = _question(survey, QuestionKind.RATING)
    yes_no = _question(survey, QuestionKind.YES_NO)
    free_text = _question(survey, QuestionKind.FREE_TEXT)
    page.goto("/")
    surveys = page.locator("section.open-surveys")
    expect(surveys.get_by_role("link", name=survey.title)).to_be_visible()
    audit(page, "home")

    # when: following its link from the home page with the keyboard
    tab_to(page, f'#open-surveys-heading ~ ul a[href="{survey.url}"]')
    press(page, "Enter")

    # then: the form, each choice question a group named by its question
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    for question in (single, multiple, rating, yes_no):
        expect(page.get_by_role("group", name=question.text)).to_be_visible()
    audit(page, "form")

    # when: answering with the keyboard, one cross too many and the yes/no question left out
    tab_to(page, f"#{_id(single, 0)}")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the arrow moves within the group and chooses
    expect(page.locator(f"#{_id(single, 1)}")).to_be_checked()
    for index in range(3):
        tab_to(page, f"#{_id(multiple, index)}")
        page.keyboard.press("Space")
    tab_to(page, f"#{_id(rating, 0)}")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"input[name={field_name(rating.id)}][value='4']")).to_be_checked()
    tab_to(page, f"#{_id(free_text)}")
    page.keyboard.type("Bitte mit Schatten.")
    tab_to(page, "#id_ortschaft")
    page.keyboard.press("ArrowDown")  # from "no answer" to the first Ortschaft
    first = page.locator("#id_ortschaft option").nth(1)
    ortschaft = (first.get_attribute("value"), first.inner_text())
    expect(page.locator("#id_ortschaft")).to_have_value(ortschaft[0])
    tab_to(page, SUBMIT)
    press(page, "Enter")

    # then: the error summary names both problems and leads to their fields
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    too_many = gettext(TOO_MANY_CHOICES) % {"max": 2, "count": 3}
    expect(summary.get_by_role("link")).to_have_text(
        [f"{multiple.text}: {too_many}", f"{yes_no.text}: {gettext(REQUIRED)}"]
    )
    assert Response.objects.filter(survey=survey).count() == 0
    audit(page, "form-errors")
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    assert focused(page) == _id(multiple, 0)

    # when: correcting them
    page.keyboard.press("Space")  # the first cross off: two are left
    expect(page.locator(f"#{_id(multiple, 0)}")).not_to_be_checked()
    tab_to(page, f"#{_id(yes_no, 0)}")
    page.keyboard.press("Space")
    tab_to(page, SUBMIT)
    press(page, "Enter")

    # then: a last look at the answers before they are sent
    expect(page.get_by_role("heading", level=1)).to_have_text(gettext("Check your answers"))
    review = page.locator(".review-list")
    for answer in (
        "Im Ortskern",
        "Sandkasten",
        "Klettergerüst",
        "Bitte mit Schatten.",
        ortschaft[1],
    ):
        expect(review).to_contain_text(answer)
    expect(review).not_to_contain_text("Schaukeln")
    assert Response.objects.filter(survey=survey).count() == 0
    audit(page, "review")

    # when: sending
    tab_to(page, f"{SUBMIT}:not([formaction])")
    expect(page.locator(":focus")).to_have_text(gettext("Send answers"))
    press(page, "Enter")

    # then: thanks, and the answers stored once
    expect(page.get_by_role("heading", level=1)).to_have_text(gettext("Thank you for taking part"))
    audit(page, "thanks")
    response = Response.objects.get(survey=survey)
    assert (response.survey_id, response.ortschaft.slug, response.is_paper) == (
        survey.pk,
        ortschaft[0],
        False,
    )
    chosen = set(Answer.objects.filter(question_id=multiple.id).values_list("choice_id", flat=True))
    assert chosen == {multiple.choices[1].id, multiple.choices[2].id}


def _answered_survey(demo):
    """A survey closed yesterday, with answers given online and five from paper forms."""
    now = timezone.now()
    survey = SurveyPageFactory(
        parent=demo,
        title="Ein neuer Spielplatz für Barleben",
        opens_at=now - timedelta(days=14),
        closes_at=now - timedelta(days=1),
    )
    answers = {
        _question(survey, QuestionKind.SINGLE_CHOICE).id: survey.question_list[0].choices[0].id,
        _question(survey, QuestionKind.MULTIPLE_CHOICE).id: [survey.question_list[1].choices[0].id],
        _question(survey, QuestionKind.RATING).id: 4,
        _question(survey, QuestionKind.YES_NO).id: "yes",
        _question(survey, QuestionKind.FREE_TEXT).id: "Mehr Bänke im Schatten.",
    }
    for number in range(6):
        survey_answer_submit(
            survey=survey,
            answers=answers,
            browser_token=f"browser-{number}",
            now=now - timedelta(days=3),
        )
    editor = staff_account("Redaktion", username="paper-e2e")
    for _ in range(5):
        survey_paper_answer_enter(survey=survey, answers=answers, user=editor)
    return survey


def _staff(group: str):
    return staff_account(group, username=f"{group.lower()}-e2e", password=PASSWORD)


def _second_factor(page, user) -> None:
    page.fill("#id_code", totp_code(user.totp_secret))
    press(page, "Enter")


def _log_in_to_the_admin(page, user, next_url: str) -> None:
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    press(page, "Enter")
    _second_factor(page, user)


def test_council_member_logs_in_and_opens_the_results(page, audit, demo):
    # given
    survey = _answered_survey(demo)
    member = _staff("Gemeinderat")

    # when: logging in to the admin
    page.goto(f"/admin/login/?next=/admin/umfragen/{survey.pk}/ergebnisse/")
    audit(page, "admin-login")
    page.fill("#id_login", member.email)
    page.fill("#id_password", PASSWORD)
    press(page, "Enter")
    audit(page, "admin-second-factor")
    _second_factor(page, member)

    # then: the results, online and paper answers counted
    expect(page.get_by_role("heading", level=1)).to_contain_text(survey.title)
    expect(page.locator(".results-summary")).to_contain_text("11")
    audit(page, "results")


def test_editor_enters_a_paper_form_and_announces_the_survey(
    page, audit, demo, celery_eager, mailoutbox
):
    # given
    survey = SurveyPageFactory(parent=demo, title="Ein neuer Spielplatz für Barleben")
    subscription = SubscriptionFactory(email="buergerin@example.org")
    single = _question(survey, QuestionKind.SINGLE_CHOICE)
    multiple = _question(survey, QuestionKind.MULTIPLE_CHOICE)
    rating = _question(survey, QuestionKind.RATING)
    yes_no = _question(survey, QuestionKind.YES_NO)

    # when: the editor opens the paper forms from the actions of the survey's edit page
    _log_in_to_the_admin(page, _staff("Redaktion"), f"/admin/pages/{survey.pk}/edit/")
    open_header_action(page, gettext("Enter paper forms"))
    audit(page, "paper-form")
    # and saves a form with a required answer left out
    page.locator(f"#{_id(single, 2)}").check()
    page.locator(f"#{_id(multiple, 3)}").check()
    page.locator(f"input[name={field_name(rating.id)}][value='2']").check()
    with page.expect_navigation():
        page.get_by_role("button", name=gettext("Save this paper form")).click()

    # then: refused, saying why
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"{yes_no.text}: {gettext(REQUIRED)}")
    assert not Response.objects.filter(survey=survey).exists()
    audit(page, "paper-form-errors")

    # when: completed
    page.locator(f"#{_id(yes_no, 1)}").check()
    with page.expect_navigation():
        page.get_by_role("button", name=gettext("Save this paper form")).click()

    # then: stored as paper, and an empty form for the next one
    response = Response.objects.get(survey=survey)
    assert response.is_paper
    expect(page.locator(f"#{_id(single, 2)}")).not_to_be_checked()
    audit(page, "paper-form-saved")

    # when: the editor, who may publish, opens the announcement and sends it
    page.goto(f"/admin/pages/{survey.pk}/edit/")
    open_header_action(page, gettext("Send announcement"))
    audit(page, "announcement")
    with page.expect_navigation():
        page.get_by_role("button", name=gettext("Send announcement")).click()

    # then: sent once, and the e-mail reads as a subscriber sees it
    expect(page.get_by_role("button", name=gettext("Send announcement"))).to_have_count(0)
    audit(page, "announcement-sent")
    (message,) = mailoutbox
    assert message.to == [subscription.email]
    assert message.subject == f"{gettext('Survey')}: {survey.title}"
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    page.set_content(html)
    expect(page.get_by_role("link", name=gettext("Take part in the survey"))).to_have_attribute(
        "href", survey.get_full_url()
    )
    audit(page, "announcement-email")
