"""The security log (logger "website.security"): log-ins, failed log-ins and refused
requests, with the account's id and the client's address, never its e-mail address or
password."""

import logging
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import SubscriptionFactory
from website.models import StandardPage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "erika.mustermann@example.org"
PASSWORD = "Lindenblüte-im-Juni-7"
ADDRESS = "203.0.113.5"


@pytest.fixture
def citizen(db):
    user = get_user_model().objects.create_user(username="erika", email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    return user


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="website.security")

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "website.security"]

    return messages


def assert_no_personal_data(messages: list[str]) -> None:
    text = "\n".join(messages)
    for secret in (EMAIL, "erika", PASSWORD):
        assert secret not in text


def test_log_in_is_logged_with_account_id_and_address(citizen, security_log):
    client = Client(REMOTE_ADDR=ADDRESS)

    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})

    assert response.status_code == 302
    assert f"Log-in: user {citizen.pk} from {ADDRESS}" in security_log()
    assert_no_personal_data(security_log())


def test_failed_log_in_is_logged_without_the_name_or_password_tried(citizen, security_log):
    client = Client(REMOTE_ADDR=ADDRESS)

    client.post(reverse("account_login"), {"login": EMAIL, "password": "falsch"})
    client.post(reverse("account_login"), {"login": "niemand@example.org", "password": PASSWORD})

    assert security_log() == [
        f"Failed log-in: user {citizen.pk} from {ADDRESS}",
        f"Failed log-in: user unknown from {ADDRESS}",
    ]
    assert_no_personal_data(security_log())
    assert "niemand" not in "\n".join(security_log())


def test_request_refused_by_csrf_protection_is_logged(demo, security_log):
    client = Client(REMOTE_ADDR=ADDRESS, enforce_csrf_checks=True)
    path = reverse("notices:subscription_sign_up")

    response = client.post(path, {"email": EMAIL})

    assert response.status_code == 403
    assert security_log() == [f"Permission denied: user anonymous from {ADDRESS}, POST {path}"]


def test_refused_request_to_a_link_with_a_token_logs_the_route_only(demo, security_log):
    # given the address from a subscriber's e-mail, posted without the form's CSRF token
    token = SubscriptionFactory().token
    client = Client(REMOTE_ADDR=ADDRESS, enforce_csrf_checks=True)

    response = client.post(reverse("notices:subscription_manage", args=[token]))

    assert response.status_code == 403
    assert security_log() == [
        f"Permission denied: user anonymous from {ADDRESS}, "
        "POST /benachrichtigungen/verwalten/<slug:token>/"
    ]


def test_staff_allowed_an_admin_page_is_not_logged(demo, staff_member, security_log):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(staff_member("Redaktion"))
    path = reverse("wagtailadmin_pages:edit", args=[StandardPage.objects.first().pk])

    assert client.get(path).status_code == 200
    assert [m for m in security_log() if m.startswith("Permission denied")] == []


def test_staff_refused_an_admin_page_is_logged(demo, staff_member, security_log):
    # given a council member, who may read the admin but edit nothing
    member = staff_member("Gemeinderat")
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(member)
    path = reverse("wagtailadmin_pages:edit", args=[StandardPage.objects.first().pk])

    response = client.get(path)

    # (Wagtail answers with its dashboard and a message, not with a 403)
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert f"Permission denied: user {member.pk} from {ADDRESS}, GET {path}" in security_log()
