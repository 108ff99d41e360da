"""Deleting an account removes every trace of its address; retention jobs delete what is no
longer needed; the beat schedule runs them."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from celery.schedules import crontab
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from accounts import privacy
from accounts.models import CitizenProfile
from archive.models import SavedSearch
from barleben_portal.celery import app as celery_app
from notices.models import Subscription
from notifications.models import Delivery, DigestEntry, Dispatch
from participation.answering import survey_answer_submit
from participation.models import Answer, Participation, Response
from tests.factories import BarrierReportFactory, SavedSearchFactory, SubscriptionFactory
from tests.participation.conftest import valid_answers
from tests.participation.factories import CitizenFactory, SurveyPageFactory
from website.models import BarrierReport

pytestmark = [pytest.mark.service("postgres", "redis"), pytest.mark.django_db]

URL = "/konto/loeschen/"
PASSWORD = "Kraniche-ziehen-im-Herbst"
ADDRESS = "anna@example.org"


def citizen_with_password(email: str):
    user = CitizenFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def citizen(home):
    return citizen_with_password(ADDRESS)


@pytest.fixture
def other_citizen(home):
    return citizen_with_password("bernd@example.org")


def dispatch(title: str = "Neue Mitteilung") -> Dispatch:
    site = Site.objects.get(is_default_site=True)
    return Dispatch.objects.create(
        site=site,
        source_type=ContentType.objects.get_for_model(Site),
        source_id=Dispatch.objects.count() + 1,
        audience="board",
        label="Neuigkeit",
        title=title,
        url="https://example.org/",
        fanned_out_at=timezone.now(),
    )


def every_address_data(user, home) -> dict:
    """Everything the portal can hold under the user's address, for the user and by e-mail."""
    email = user.email
    CitizenProfile.objects.create(user=user, name="Anna Schulze")
    # signed up for by e-mail, before the account, in another case
    subscription = SubscriptionFactory(email=email.upper(), frequency="daily")
    search = SavedSearchFactory(email=email)
    news = dispatch()
    pending = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        audience="board",
        recipient_id=subscription.pk,
        dispatch=news,
    )
    refused = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        audience="saved_search",
        recipient_id=search.pk,
        dispatch=dispatch("Neues Dokument"),
        status=Delivery.Status.FAILED,
        error=f"550 5.1.1 <{email}>: Recipient address rejected",
    )
    DigestEntry.objects.create(dispatch=news, audience="board", recipient_id=subscription.pk)
    BarrierReportFactory(email=email, name="Anna Schulze", message="Das PDF ist nicht lesbar.")
    survey = SurveyPageFactory(parent=home, way_of_taking_part="account")
    survey_answer_submit(survey=survey, answers=valid_answers(survey), user=user)
    return {
        "pending": pending,
        "refused": refused,
        "survey": survey,
        "subscription_id": subscription.pk,
    }


def rows_quoting(text: str) -> list[str]:
    """Every table with a text column that holds `text`: the address, anywhere."""
    found = []
    for model in apps.get_models():
        columns = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]
        if not columns:
            continue
        condition = models.Q(pk__in=[])
        for field in columns:
            condition |= models.Q(**{f"{field.attname}__icontains": text})
        if model._base_manager.filter(condition).exists():
            found.append(model._meta.label)
    return found


def sessions_of(user) -> list[str]:
    return [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def test_deletion_removes_every_trace_of_the_address_and_keeps_the_answers(
    home, citizen, other_citizen, client
):
    # given: the citizen's data everywhere, logged in on two devices; another citizen's data
    data = every_address_data(citizen, home)
    other = every_address_data(other_citizen, home)
    phone = Client()
    phone.force_login(citizen)
    client.force_login(citizen)
    assert len(sessions_of(citizen)) == 2
    assert set(rows_quoting(ADDRESS)) >= {
        "auth.User",
        "account.EmailAddress",
        "notices.Subscription",
        "archive.SavedSearch",
        "notifications.Delivery",
        "website.BarrierReport",
    }
    responses, answers = Response.objects.count(), Answer.objects.count()
    user_pk = citizen.pk

    # when
    response = client.post(URL, {"is_confirmed": "on", "password": PASSWORD})

    # then: logged out, on the page that says so
    assert response.status_code == 302
    assert response["Location"] == "/konto/geloescht/"
    page = client.get(response["Location"]).content.decode()
    assert "Wir haben Ihr Konto und Ihre Daten gelöscht." in page
    assert client.get("/konto/")["Location"].startswith("/konto/login/")
    # the address is in no table any more
    assert rows_quoting(ADDRESS) == []
    assert not get_user_model().objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(user_id=user_pk).exists()
    assert not CitizenProfile.objects.filter(user_id=user_pk).exists()
    assert not [
        session
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user_pk)
    ]
    assert phone.get("/konto/").status_code == 302
    # nothing waits to be sent to it; what was sent stays counted, without the address
    data["pending"].refresh_from_db()
    assert data["pending"].status == Delivery.Status.CANCELLED
    assert data["pending"].recipient_id is None
    data["refused"].refresh_from_db()
    assert data["refused"].recipient_id is None
    assert data["refused"].error == ""
    assert not DigestEntry.objects.filter(
        audience="board", recipient_id=data["subscription_id"]
    ).exists()
    # the barrier stays reported, without who reported it
    report = BarrierReport.objects.get(message="Das PDF ist nicht lesbar.", email="")
    assert report.name == ""
    # the answers still count; only the participation key of the account is gone
    assert (Response.objects.count(), Answer.objects.count()) == (responses, answers)
    assert data["survey"].responses.count() == 1
    assert not Participation.objects.filter(survey=data["survey"]).exists()
    # the other citizen keeps everything
    assert Subscription.objects.filter(email__iexact=other_citizen.email).exists()
    assert SavedSearch.objects.filter(email=other_citizen.email).exists()
    assert BarrierReport.objects.filter(email=other_citizen.email, name="Anna Schulze").exists()
    assert Participation.objects.filter(survey=other["survey"]).count() == 1
    other["pending"].refresh_from_db()
    assert other["pending"].status == Delivery.Status.PENDING


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": PASSWORD}, "Bitte setzen Sie das Häkchen"),
        ({"is_confirmed": "on"}, "Das Passwort ist nicht richtig."),
        ({"is_confirmed": "on", "password": "falsch"}, "Das Passwort ist nicht richtig."),
        ({"is_confirmed": "on", "password": "x" * 10_000}, "höchstens 1000 Zeichen"),
        ({}, "Bitte setzen Sie das Häkchen"),
    ],
)
def test_deletion_without_confirmation_changes_nothing(home, citizen, client, data, message):
    # given
    every_address_data(citizen, home)
    client.force_login(citizen)
    before = sorted(rows_quoting(ADDRESS))

    # when
    response = client.post(URL, data)

    # then: the form again with the German message; everything as it was
    assert response.status_code == 200
    assert message in response.content.decode()
    assert sorted(rows_quoting(ADDRESS)) == before
    assert get_user_model().objects.filter(pk=citizen.pk).exists()
    assert client.get("/konto/").status_code == 200


def test_get_only_shows_the_form(home, citizen, client):
    every_address_data(citizen, home)
    client.force_login(citizen)

    response = client.get(URL, {"is_confirmed": "on", "password": PASSWORD})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ja, mein Konto und alle meine Daten endgültig löschen." in page
    assert 'type="password"' in page
    assert get_user_model().objects.filter(pk=citizen.pk).exists()
    assert Subscription.objects.filter(email__iexact=ADDRESS).exists()


def test_anonymous_request_deletes_nothing(home, citizen, client):
    response = client.post(URL, {"is_confirmed": "on", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")
    assert get_user_model().objects.filter(pk=citizen.pk).exists()


def test_account_without_password_is_deleted_with_the_tick(home, client):
    # given: an account that logs in by a code sent by e-mail
    user = CitizenFactory(email="code@example.org")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get(URL).content.decode()

    # when
    refused = client.post(URL, {})
    response = client.post(URL, {"is_confirmed": "on"})

    # then
    assert 'type="password"' not in page
    assert "Bitte setzen Sie das Häkchen" in refused.content.decode()
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_unverified_address_of_someone_else_is_not_deleted(home, citizen, other_citizen, client):
    # given: the citizen adds another citizen's address to the account without verifying it
    EmailAddress.objects.create(user=citizen, email=other_citizen.email.upper(), verified=False)
    SubscriptionFactory(email=other_citizen.email)
    SavedSearchFactory(email=other_citizen.email)
    BarrierReportFactory(email=other_citizen.email, name="Bernd Meier")
    client.force_login(citizen)

    # when
    response = client.post(
        URL, {"is_confirmed": "on", "password": PASSWORD, "user": other_citizen.pk}
    )

    # then: the account is gone, what is held under the other address stays
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=citizen.pk).exists()
    assert get_user_model().objects.filter(pk=other_citizen.pk).exists()
    assert Subscription.objects.filter(email=other_citizen.email).exists()
    assert SavedSearch.objects.filter(email=other_citizen.email).exists()
    assert BarrierReport.objects.filter(email=other_citizen.email, name="Bernd Meier").exists()


def test_staff_account_is_not_deleted_here(home, client):
    staff = citizen_with_password("redaktion@example.org")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    response = client.post(URL, {"is_confirmed": "on", "password": PASSWORD})

    assert response.status_code == 200
    assert "bitte wenden Sie sich an die Verwaltung der Gemeinde" in response.content.decode()
    assert get_user_model().objects.filter(pk=staff.pk).exists()


# --- Retention ---------------------------------------------------------------------------


def test_unverified_accounts_are_deleted_after_30_days(home):
    # given
    now = timezone.now()
    old = CitizenFactory(email="alt@example.org", is_verified=False)
    recent = CitizenFactory(email="neu@example.org", is_verified=False)
    verified = CitizenFactory(email="bestaetigt@example.org")
    staff = get_user_model().objects.create_user("verwaltung", is_staff=True)
    get_user_model().objects.filter(pk__in=[old.pk, verified.pk, staff.pk]).update(
        date_joined=now - timedelta(days=31)
    )
    get_user_model().objects.filter(pk=recent.pk).update(date_joined=now - timedelta(days=29))
    # the unverified address was used by its owner for a subscription by e-mail
    SubscriptionFactory(email="alt@example.org")

    # when
    deleted = privacy.accounts_unverified_delete(now=now)
    rerun = privacy.accounts_unverified_delete(now=now)

    # then
    assert (deleted, rerun) == (1, 0)
    remaining = set(get_user_model().objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, verified.pk, staff.pk}
    assert not EmailAddress.objects.filter(email="alt@example.org").exists()
    assert Subscription.objects.filter(email="alt@example.org").exists()


def test_finished_deliveries_are_detached_from_recipients_after_90_days(home):
    # given
    now = timezone.now()
    subscription = SubscriptionFactory(email="leser@example.org", frequency="daily")
    news = dispatch()
    old_sent = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        audience="board",
        recipient_id=subscription.pk,
        dispatch=news,
        status=Delivery.Status.SENT,
        created_at=now - timedelta(days=91),
    )
    old_digest = Delivery.objects.create(
        kind=Delivery.Kind.DIGEST,
        audience="board",
        recipient_id=subscription.pk,
        digest_period="2026-08-01",
        status=Delivery.Status.FAILED,
        error="550 <leser@example.org> unknown",
        created_at=now - timedelta(days=91),
    )
    DigestEntry.objects.create(
        dispatch=dispatch("Alt"),
        audience="board",
        recipient_id=subscription.pk,
        digest=old_digest,
    )
    old_pending = Delivery.objects.create(
        kind=Delivery.Kind.CONFIRMATION,
        audience="board",
        recipient_id=subscription.pk,
        created_at=now - timedelta(days=91),
    )
    recent_sent = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        audience="board",
        recipient_id=subscription.pk,
        dispatch=dispatch("Neu"),
        status=Delivery.Status.SENT,
        created_at=now - timedelta(days=89),
    )
    waiting_entry = DigestEntry.objects.create(
        dispatch=dispatch("Wartet"), audience="board", recipient_id=subscription.pk
    )

    # when
    detached = privacy.deliveries_anonymise(now=now)
    rerun = privacy.deliveries_anonymise(now=now)

    # then: the old finished ones stay for the figures, without recipient or error
    assert (detached, rerun) == (2, 0)
    for delivery in (old_sent, old_digest):
        delivery.refresh_from_db()
        assert (delivery.recipient_id, delivery.error) == (None, "")
    assert news.deliveries.filter(status=Delivery.Status.SENT).count() == 1
    for delivery in (old_pending, recent_sent):
        delivery.refresh_from_db()
        assert (delivery.audience, delivery.recipient_id) == ("board", subscription.pk)
    assert list(DigestEntry.objects.all()) == [waiting_entry]
    assert rows_quoting("leser@example.org") == ["notices.Subscription"]


def test_resolved_barrier_reports_are_deleted_after_a_year(home):
    now = timezone.now()
    old_resolved = BarrierReportFactory(is_resolved=True)
    old_open = BarrierReportFactory(is_resolved=False)
    recent_resolved = BarrierReportFactory(is_resolved=True)
    BarrierReport.objects.filter(pk__in=[old_resolved.pk, old_open.pk]).update(
        created_at=now - timedelta(days=366)
    )
    BarrierReport.objects.filter(pk=recent_resolved.pk).update(created_at=now - timedelta(days=300))

    deleted = privacy.barrier_reports_expired_delete(now=now)

    assert deleted == 1
    assert set(BarrierReport.objects.values_list("pk", flat=True)) == {
        old_open.pk,
        recent_resolved.pk,
    }


def test_expired_sessions_are_deleted(home, citizen, client):
    client.force_login(citizen)
    expired = Client()
    expired.force_login(citizen)
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    privacy.sessions_expired_delete()

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_beat_schedule_names_existing_tasks_and_runs_every_retention_job():
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    unknown = [
        entry["task"] for entry in schedule.values() if entry["task"] not in celery_app.tasks
    ]

    assert unknown == []
    tasks = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    for name in [
        "accounts.tasks.accounts_unverified_delete_task",
        "accounts.tasks.deliveries_anonymise_task",
        "accounts.tasks.barrier_reports_expired_delete_task",
        "accounts.tasks.sessions_expired_delete_task",
        "notifications.tasks.recipients_unconfirmed_delete_task",
    ]:
        assert isinstance(tasks[name], crontab), name


def test_retention_tasks_run_the_jobs(home, celery_eager):
    from accounts import tasks

    old = CitizenFactory(email="alt@example.org", is_verified=False)
    get_user_model().objects.filter(pk=old.pk).update(
        date_joined=timezone.now() - timedelta(days=31)
    )
    report = BarrierReportFactory(is_resolved=True)
    BarrierReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(days=366)
    )

    tasks.accounts_unverified_delete_task.delay()
    tasks.barrier_reports_expired_delete_task.delay()
    tasks.deliveries_anonymise_task.delay()
    tasks.sessions_expired_delete_task.delay()

    assert not get_user_model().objects.filter(pk=old.pk).exists()
    assert not BarrierReport.objects.filter(pk=report.pk).exists()


def _code_from(mail) -> str:
    return next(line.strip() for line in mail.body.splitlines() if line.strip().isdigit())


def test_citizen_without_password_at_hand_deletes_by_a_code_sent_by_e_mail(
    home, citizen, client, mailoutbox
):
    # given: a citizen who logs in by code and does not know the account's password
    every_address_data(citizen, home)
    client.force_login(citizen)
    page = client.get(URL).content.decode()
    assert "Code per E-Mail schicken" in page

    # when: asking for a code
    sent = client.post(URL, {"action": "send_code"}, follow=True).content.decode()

    # then: one e-mail with the code and until when it is valid; the page asks for the code
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [ADDRESS]
    assert "Löschen Ihres Kontos" in mail.subject
    assert "Er gilt bis" in mail.body
    code = _code_from(mail)
    assert "Wir haben Ihnen einen Code per E-Mail geschickt. Er gilt bis" in sent
    assert 'autocomplete="one-time-code"' in sent and 'type="password"' not in sent

    # when: a wrong code, then the right one without the tick, then both
    wrong = client.post(URL, {"is_confirmed": "on", "code": "000000" if code != "000000" else "1"})
    no_tick = client.post(URL, {"code": code})
    response = client.post(URL, {"is_confirmed": "on", "code": code})

    # then
    assert "Der Code stimmt nicht." in wrong.content.decode()
    assert "Bitte setzen Sie das Häkchen" in no_tick.content.decode()
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=citizen.pk).exists()
    assert rows_quoting(ADDRESS) == []


def test_three_wrong_codes_end_the_code_and_nothing_is_deleted(home, citizen, client, mailoutbox):
    client.force_login(citizen)
    client.post(URL, {"action": "send_code"})
    code = _code_from(mailoutbox[0])
    wrong = "000000" if code != "000000" else "111111"

    # when: three wrong tries, then the right code
    tries = [client.post(URL, {"is_confirmed": "on", "code": wrong}) for _ in range(3)]
    late = client.post(URL, {"is_confirmed": "on", "code": code}).content.decode()

    # then: the third try says the code has ended and what to do; the right code no longer
    # deletes, and the page asks for the password or a new code again
    assert "Der Code stimmt nicht." in tries[1].content.decode()
    assert "Bitte lassen Sie sich einen neuen Code schicken." in tries[2].content.decode()
    assert get_user_model().objects.filter(pk=citizen.pk).exists()
    assert 'type="password"' in late and "Code per E-Mail schicken" in late


def test_codes_for_deletion_are_limited_per_account(home, citizen, client, mailoutbox):
    client.force_login(citizen)

    for _ in range(4):
        page = client.post(URL, {"action": "send_code"}, follow=True).content.decode()

    assert len(mailoutbox) == 3
    assert "in kurzer Zeit schon mehrere Codes geschickt" in page
