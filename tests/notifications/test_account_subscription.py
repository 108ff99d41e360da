"""Citizens with an account manage the same subscription from their account page."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from notices.models import Subscription
from notices.subscriptions import CONSENT_VERSION
from tests.factories import SubscriptionFactory

URL = "/konto/benachrichtigungen/"


@pytest.fixture
def citizen(demo):
    user = get_user_model().objects.create_user("anna", "Anna@Example.org", "geheim-und-lang-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_page_needs_a_login(demo, client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_verified_citizen_subscribes_without_a_confirmation_mail(citizen, client):
    # given
    client.force_login(citizen)

    # when
    response = client.post(
        URL, {"ortschaften": ["ebendorf"], "frequency": "weekly", "consent": "on"}
    )

    # then: active at once, with the consent recorded, and no e-mail to confirm
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.email == "anna@example.org"
    assert subscription.confirmed_at is not None
    assert subscription.consent_version == CONSENT_VERSION
    assert subscription.frequency == "weekly"
    assert [o.slug for o in subscription.ortschaften.all()] == ["ebendorf"]
    assert mail.outbox == []
    page = client.get(response["Location"]).content.decode()
    assert "Ihre Auswahl ist gespeichert." in page


def test_consent_is_required(citizen, client):
    client.force_login(citizen)

    response = client.post(URL, {"frequency": "immediately"})

    assert response.status_code == 200
    assert "Bitte stimmen Sie zu" in response.content.decode()
    assert not Subscription.objects.exists()


def test_account_changes_the_subscription_made_by_e_mail(citizen, client):
    # given: a subscription signed up for earlier without an account, for the same address
    SubscriptionFactory(email="anna@example.org", frequency="immediately")
    client.force_login(citizen)

    # when
    page = client.get(URL).content.decode()
    response = client.post(URL, {"ortschaften": ["meitzendorf"], "frequency": "daily"})

    # then: the same row changed; no consent asked again
    assert "anna@example.org" in page
    assert 'name="consent"' not in page
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.frequency == "daily"
    assert [o.slug for o in subscription.ortschaften.all()] == ["meitzendorf"]


def test_unverified_address_cannot_subscribe(demo, client):
    user = get_user_model().objects.create_user("ben", "ben@example.org", "geheim-und-lang-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)

    response = client.post(URL, {"frequency": "daily", "consent": "on"})

    assert response.status_code == 200
    assert "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse" in response.content.decode()
    assert not Subscription.objects.exists()


def test_another_citizens_subscription_is_not_shown(citizen, client):
    SubscriptionFactory(email="someone-else@example.org")
    client.force_login(citizen)

    page = client.get(URL).content.decode()

    assert "someone-else@example.org" not in page
    assert 'name="consent"' in page
