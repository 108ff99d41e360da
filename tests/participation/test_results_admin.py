"""The council's results screens: who gets them, the audit log, and the survey page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from participation.questions import QuestionKind
from participation.results import EXPORT_ACTION, VIEW_ACTION

from .test_results import respond

pytestmark = pytest.mark.service("postgres")


@pytest.fixture
def closed_survey(survey_factory):
    now = timezone.now()
    survey = survey_factory(opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=1))
    single = next(q for q in survey.question_list if q.kind == QuestionKind.SINGLE_CHOICE)
    for _ in range(3):
        respond(survey, {single.id: single.choices[2].id})
    return survey


def test_council_member_sees_results_and_the_view_is_logged(client, staff_member, closed_survey):
    user = staff_member("Gemeinderat")
    client.force_login(user)

    response = client.get(reverse("participation_results", args=[closed_survey.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Am Sportplatz" in content and "100,0 %" in content
    entry = PageLogEntry.objects.get(action=VIEW_ACTION)
    assert (entry.page_id, entry.user_id) == (closed_survey.pk, user.pk)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_is_logged(client, staff_member, closed_survey, file_format):
    user = staff_member("Gemeinderat")
    client.force_login(user)

    response = client.get(
        reverse("participation_results_export", args=[closed_survey.pk, file_format])
    )
    b"".join(response.streaming_content) if response.streaming else response.content

    assert response.status_code == 200
    entry = PageLogEntry.objects.get(action=EXPORT_ACTION)
    assert (entry.page_id, entry.user_id, entry.data) == (
        closed_survey.pk,
        user.pk,
        {"format": file_format},
    )


@pytest.mark.parametrize("group", ["Redaktion", "Freigabe"])
def test_editors_who_are_not_council_members_see_no_results(
    client, staff_member, closed_survey, group
):
    client.force_login(staff_member(group))

    for url in (
        reverse("participation_results", args=[closed_survey.pk]),
        reverse("participation_results_export", args=[closed_survey.pk, "csv"]),
        reverse("participation_results_index"),
    ):
        response = client.get(url)
        # Wagtail answers a refusal in the admin with a redirect to its dashboard and a message
        assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert not PageLogEntry.objects.filter(action__startswith="participation.results").exists()


def test_anonymous_visitors_are_sent_to_the_login(client, closed_survey):
    response = client.get(reverse("participation_results", args=[closed_survey.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_council_member_cannot_edit_pages(client, staff_member, closed_survey):
    client.force_login(staff_member("Gemeinderat"))

    response = client.get(reverse("wagtailadmin_pages:edit", args=[closed_survey.pk]))

    assert response.status_code in (302, 403)
    assert b"Am Sportplatz" not in response.content


def test_open_survey_shows_no_results_anywhere(client, staff_member, survey_factory):
    survey = survey_factory()
    single = next(q for q in survey.question_list if q.kind == QuestionKind.SINGLE_CHOICE)
    for _ in range(3):
        respond(survey, {single.id: single.choices[2].id})
    client.force_login(staff_member("Gemeinderat"))

    page = client.get(reverse("participation_results", args=[survey.pk])).content.decode()
    export = client.get(reverse("participation_results_export", args=[survey.pk, "csv"]))

    assert "Am Sportplatz" not in page
    assert not export.streaming and b"Am Sportplatz" not in export.content
    assert not PageLogEntry.objects.filter(action__startswith="participation.results").exists()
