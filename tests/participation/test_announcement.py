"""Announcing a survey to the subscribers of the Ortschaften it addresses, once, through the
notification service; the staff button that does it; the e-mail as a subscriber reads it."""

import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import PageViewRestriction
from wagtail.users.models import UserProfile

from notifications.models import Delivery, DigestEntry, Dispatch, Frequency
from participation.announcing import survey_announce, survey_announcement_summary
from participation.models import SurveyPage
from tests.factories import CategoryFactory, SubscriptionFactory

# The real SMTP server, Redis and workers of the notification tests, as fixtures here.
from tests.notifications.conftest import (  # noqa: F401
    broker,
    redis_server,
    smtp_server,
    wait_until,
    workers,
)

URL = "/admin/umfragen/{}/ankuendigung/"
INTRODUCTION = (
    "<p>Die Gemeinde plant einen neuen Spielplatz am Mühlenberg. Wir möchten wissen, was "
    "Ihnen dabei wichtig ist!</p><p>Die Ergebnisse beraten der Ortschaftsrat und der "
    "Gemeinderat im Frühjahr. " + "Danach entscheidet der Gemeinderat über den Bau. " * 8 + "</p>"
)


def german(text: str) -> str:
    with translation.override("de"):
        return gettext(text)


@pytest.fixture
def outbox(settings, mailoutbox, celery_eager, django_capture_on_commit_callbacks):
    """E-mails land in a list; the fan-out queued after the commit runs in this process."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mailoutbox


@pytest.fixture
def announce(django_capture_on_commit_callbacks):
    """Announce a survey and run what its commit queued (the fan-out, the e-mails)."""

    def run(survey: SurveyPage) -> Dispatch | None:
        with django_capture_on_commit_callbacks(execute=True):
            return survey_announce(survey=survey)

    return run


@pytest.fixture
def ebendorf_survey(survey_factory, ortschaften) -> SurveyPage:
    survey = survey_factory(title="Ein Spielplatz für Ebendorf", introduction=INTRODUCTION)
    survey.ortschaften.set([ortschaften["ebendorf"]])
    survey.save()
    return survey


@pytest.fixture
def subscriptions(home, ortschaften):
    """Subscribers with all kinds of choices; `concerned` are those a survey for Ebendorf
    reaches at once, `daily` the one it reaches in the next summary."""
    ebendorf, meitzendorf = ortschaften["ebendorf"], ortschaften["meitzendorf"]
    concerned = [
        SubscriptionFactory(email="ebendorf@example.org", ortschaften=[ebendorf]),
        SubscriptionFactory(email="everything@example.org"),
        SubscriptionFactory(email="both@example.org", ortschaften=[ebendorf, meitzendorf]),
    ]
    others = [
        SubscriptionFactory(email="meitzendorf@example.org", ortschaften=[meitzendorf]),
        SubscriptionFactory(email="unconfirmed@example.org", confirmed_at=None),
        SubscriptionFactory(email="paused@example.org", paused_at=timezone.now()),
        # narrowed to a topic: news without one does not reach them
        SubscriptionFactory(email="roads@example.org", categories=[CategoryFactory()]),
    ]
    daily = SubscriptionFactory(email="daily@example.org", frequency=Frequency.DAILY)
    return {"concerned": concerned, "others": others, "daily": daily}


def _dispatches(survey: SurveyPage):
    return Dispatch.objects.filter(
        source_type=ContentType.objects.get_for_model(SurveyPage), source_id=survey.pk
    )


@pytest.mark.service("postgres")
def test_the_announcement_reaches_exactly_the_subscribers_of_its_ortschaften(
    ebendorf_survey, subscriptions, announce, outbox
):
    # when
    dispatch = announce(ebendorf_survey)

    # then: one dispatch with what the e-mail says
    assert list(_dispatches(ebendorf_survey)) == [dispatch]
    dispatch.refresh_from_db()
    assert dispatch.label == german("Survey")
    assert dispatch.title == "Ein Spielplatz für Ebendorf"
    assert dispatch.url == ebendorf_survey.get_full_url()
    assert dispatch.summary.startswith("Die Gemeinde plant einen neuen Spielplatz am Mühlenberg.")
    assert [o.slug for o in dispatch.ortschaften.all()] == ["ebendorf"]
    assert dispatch.fanned_out_at is not None
    # a delivery for each concerned subscriber, a digest entry for the daily one, no more
    concerned = {subscription.pk for subscription in subscriptions["concerned"]}
    assert dispatch.audience == "board"
    assert set(dispatch.deliveries.values_list("audience", flat=True)) == {"board"}
    assert set(dispatch.deliveries.values_list("recipient_id", flat=True)) == concerned
    assert dispatch.deliveries.filter(status=Delivery.Status.SENT).count() == len(concerned)
    assert list(DigestEntry.objects.values_list("audience", "recipient_id")) == [
        ("board", subscriptions["daily"].pk)
    ]
    assert Counter(address for message in outbox for address in message.to) == Counter(
        {subscription.email: 1 for subscription in subscriptions["concerned"]}
    )


@pytest.mark.service("postgres")
def test_a_survey_for_the_whole_municipality_reaches_every_subscriber(
    survey_factory, subscriptions, announce, outbox
):
    survey = survey_factory()

    dispatch = announce(survey)

    assert not dispatch.ortschaften.exists()
    reached = {message.to[0] for message in outbox}
    assert reached == {s.email for s in subscriptions["concerned"]} | {"meitzendorf@example.org"}


@pytest.mark.service("postgres")
def test_a_second_announcement_creates_nothing(ebendorf_survey, subscriptions, announce, outbox):
    announce(ebendorf_survey)
    sent = len(outbox)

    assert announce(ebendorf_survey) is None

    assert _dispatches(ebendorf_survey).count() == 1
    assert Delivery.objects.count() == sent
    assert len(outbox) == sent


@pytest.mark.service("postgres")
@pytest.mark.parametrize("state", ["draft", "restricted", "closed"])
def test_a_survey_not_for_everyone_now_is_not_announced(
    survey_factory, subscriptions, announce, outbox, state
):
    # given
    survey = survey_factory()
    if state == "draft":
        survey.unpublish()
    elif state == "restricted":
        PageViewRestriction.objects.create(page=survey, restriction_type="login")
    else:
        survey.opens_at = timezone.now() - timedelta(days=10)
        survey.closes_at = timezone.now() - timedelta(days=1)
        survey.save()

    # when / then
    with pytest.raises(ValidationError) as refusal:
        announce(survey)
    assert refusal.value.code == {"draft": "not_live"}.get(state, state)
    assert not Dispatch.objects.exists()
    assert outbox == []


@pytest.mark.service("postgres")
def test_a_survey_not_yet_open_is_announced_with_its_period(survey_factory):
    now = timezone.now()
    survey = survey_factory(opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9))

    summary = survey_announcement_summary(survey=survey, now=now)

    assert summary.startswith("Die Gemeinde plant einen neuen Spielplatz.")
    assert str(survey.closes_at.year) in summary
    assert summary.count(str(survey.closes_at.year)) == 2  # from … to …


@pytest.mark.service("postgres")
def test_the_summary_is_the_introductions_first_sentences(ebendorf_survey):
    summary = survey_announcement_summary(survey=ebendorf_survey)

    # whole sentences as plain text, as many as fit into a teaser, then the period
    sentences = (
        "Die Gemeinde plant einen neuen Spielplatz am Mühlenberg. Wir möchten wissen, was "
        "Ihnen dabei wichtig ist! Die Ergebnisse beraten der Ortschaftsrat und der "
        "Gemeinderat im Frühjahr." + " Danach entscheidet der Gemeinderat über den Bau." * 2
    )
    assert len(sentences) <= 300
    assert summary.startswith(f"{sentences} ")
    assert summary.count("Danach") == 2
    assert str(ebendorf_survey.closes_at.year) in summary.removeprefix(sentences)


@pytest.mark.service("postgres")
def test_the_email_reads_well(ebendorf_survey, subscriptions, announce, outbox):
    # when
    announce(ebendorf_survey)

    # then
    message = next(m for m in outbox if m.to == ["ebendorf@example.org"])
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert message.subject == f"{german('Survey')}: Ein Spielplatz für Ebendorf"
    link_text = german("Take part in the survey")
    assert f"{link_text}:\n{ebendorf_survey.get_full_url()}" in message.body
    assert german("Read the whole notice") not in message.body
    assert f">{link_text}</a>" in html
    assert "Ebendorf" in message.body.splitlines()[0]
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / "survey-announcement.txt").write_text(
            f"Subject: {message.subject}\n\n{message.body}", encoding="utf-8"
        )
        (Path(directory) / "survey-announcement.html").write_text(html, encoding="utf-8")


# --- the staff button ------------------------------------------------------------------


@pytest.mark.service("postgres")
@pytest.mark.parametrize("group", ["Redaktion", "Freigabe", "Administration"])
def test_publishers_send_the_announcement_from_the_admin(
    ebendorf_survey,
    subscriptions,
    client,
    staff_member,
    outbox,
    django_capture_on_commit_callbacks,
    group,
):
    # given
    user = staff_member(group)
    client.force_login(user)
    edit_page = client.get(f"/admin/pages/{ebendorf_survey.pk}/edit/").content.decode()

    # when
    confirmation = client.get(URL.format(ebendorf_survey.pk))
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(URL.format(ebendorf_survey.pk), follow=True)
    again = client.post(URL.format(ebendorf_survey.pk), follow=True)

    # then
    assert URL.format(ebendorf_survey.pk) in edit_page
    assert confirmation.status_code == 200
    assert confirmation.context["recipient_count"] == 4  # three at once, one daily
    assert 'method="post"' in confirmation.content.decode()
    assert [m.level_tag for m in sent.context["messages"]] == ["success"]
    assert [m.level_tag for m in again.context["messages"]] == ["warning"]
    assert _dispatches(ebendorf_survey).count() == 1
    assert {m.to[0] for m in outbox} == {s.email for s in subscriptions["concerned"]}
    # the page now says when it was sent, and offers no second time
    assert again.context["dispatch"] is not None
    assert 'method="post"' not in again.content.decode()


@pytest.mark.service("postgres")
def test_the_announcement_is_german_whatever_language_the_admin_speaks(
    ebendorf_survey, client, staff_member, outbox
):
    user = staff_member("Freigabe")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)

    client.post(URL.format(ebendorf_survey.pk))

    dispatch = _dispatches(ebendorf_survey).get()
    assert dispatch.label == german("Survey")
    with translation.override("de"):
        assert dispatch.summary == survey_announcement_summary(
            survey=ebendorf_survey, now=dispatch.created_at
        )


@pytest.mark.service("postgres")
def test_the_council_may_not_announce(ebendorf_survey, client, staff_member, outbox):
    client.force_login(staff_member("Gemeinderat"))

    edit_page = client.get(f"/admin/pages/{ebendorf_survey.pk}/edit/")
    assert client.get(URL.format(ebendorf_survey.pk)).status_code == 403
    assert client.post(URL.format(ebendorf_survey.pk)).status_code == 403

    assert URL.format(ebendorf_survey.pk) not in edit_page.content.decode()
    assert not Dispatch.objects.exists()


@pytest.mark.service("postgres")
def test_a_closed_survey_shows_why_and_sends_nothing(survey_factory, client, staff_member, outbox):
    now = timezone.now()
    survey = survey_factory(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2))
    client.force_login(staff_member("Freigabe"))

    page = client.get(URL.format(survey.pk))
    sent = client.post(URL.format(survey.pk), follow=True)

    assert page.context["refusal"]
    assert 'method="post"' not in page.content.decode()
    assert [m.level_tag for m in sent.context["messages"]] == ["error"]
    assert not Dispatch.objects.exists()


# --- with the real pieces --------------------------------------------------------------


@pytest.mark.service("postgres", "redis")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_mails_the_announcement_once_to_each_concerned_subscriber(
    ebendorf_survey,
    subscriptions,
    workers,  # noqa: F811
    smtp_server,  # noqa: F811
    wait_until,  # noqa: F811
):
    # given
    workers.start()

    # when: announced as the button does it, the fan-out queued through Redis
    dispatch = survey_announce(survey=ebendorf_survey)

    # then
    def done() -> bool:
        dispatch.refresh_from_db()
        return (
            dispatch.fanned_out_at is not None
            and not dispatch.deliveries.filter(status=Delivery.Status.PENDING).exists()
        )

    wait_until(done, "the announcement's e-mails")
    assert smtp_server.recipient_counts() == Counter(
        {subscription.email: 1 for subscription in subscriptions["concerned"]}
    )
    (subject,) = {mail.message["Subject"] for mail in smtp_server.received}
    assert subject == f"{german('Survey')}: Ein Spielplatz für Ebendorf"
    body = smtp_server.received[0].message.get_body(("plain",)).get_content()
    assert ebendorf_survey.get_full_url() in body
