"""Staff and council members log in through the accounts' log-in, with its rate limits, and
need a second factor for the admin; failed log-ins are limited per account, wherever they
come from. Against the real cache (Redis) that holds the rate limits."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import staff_account, totp_code

pytestmark = [pytest.mark.service("postgres", "redis"), pytest.mark.django_db]

PASSWORD = "Sonnenblume-am-Elbufer-7"


@pytest.fixture
def council_member(demo):
    return staff_account("Gemeinderat", password=PASSWORD)


def log_in(client, user, password=PASSWORD, **headers):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": password}, **headers
    )


@pytest.mark.parametrize("group", ["Redaktion", "Freigabe", "Gemeinderat", "Administration"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, demo, group):
    member = staff_account(group)
    Authenticator.objects.filter(user=member).delete()
    client.force_login(member)

    for path in (reverse("wagtailadmin_home"), reverse("admin:index")):
        response = client.get(path, follow=True)

        assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
        assert "braucht einen zweiten Faktor" in response.content.decode()


def test_recovery_codes_alone_are_no_second_factor(client, demo):
    member = staff_account("Redaktion")
    Authenticator.objects.filter(user=member).update(type=Authenticator.Type.RECOVERY_CODES)
    client.force_login(member)

    response = client.get(reverse("wagtailadmin_home"))

    assert response.url == reverse("mfa_activate_totp")


def test_citizens_need_no_second_factor_for_their_account(client, demo):
    from tests.participation.factories import CitizenFactory

    client.force_login(CitizenFactory())

    assert client.get(reverse("account_overview")).status_code == 200


def test_log_in_asks_for_the_code_and_then_opens_the_admin(client, council_member):
    # when: e-mail address and password
    response = log_in(client, council_member)

    # then: not logged in yet, the code is asked for
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("wagtailadmin_home")).status_code == 302

    # when: a wrong code, then the right one
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Falscher Code" in wrong.content.decode()
    right = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(council_member.totp_secret)}
    )

    # then
    assert right.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_log_in_by_e_mail_code_also_asks_for_the_second_factor(client, council_member, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": council_member.email})
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", mailoutbox[-1].body).group()

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


@pytest.mark.parametrize("admin_login", ["wagtailadmin_login", "admin:login"])
def test_the_admins_own_log_in_forms_send_to_the_accounts_log_in(client, demo, admin_login):
    response = client.get(reverse(admin_login) + "?next=/admin/pages/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url


def test_an_anonymous_admin_visit_goes_to_the_accounts_log_in(client, demo):
    response = client.get(reverse("wagtailadmin_home"))

    assert response.url.startswith(reverse("account_login"))


def test_the_sixth_failed_log_in_within_five_minutes_is_refused_whatever_the_address(
    client, council_member
):
    for attempt in range(5):
        response = log_in(
            client,
            council_member,
            password="falsch",
            REMOTE_ADDR=f"192.0.2.{attempt + 1}",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt + 1}",
        )
        assert "sind leider falsch" in response.content.decode()

    # the sixth, from yet another address, with the right password
    response = log_in(
        client,
        council_member,
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )

    assert "Zu viele" in response.content.decode()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def log_in_and_confirm_the_password(client, user) -> None:
    """A log-in with both factors, then the password once more: switching a factor off asks
    for a fresh confirmation."""
    log_in(client, user)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user.totp_secret)})
    assert response.status_code == 302
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_staff_cannot_switch_off_their_only_second_factor(client, council_member):
    log_in_and_confirm_the_password(client, council_member)

    client.post(reverse("mfa_deactivate_totp"))

    assert Authenticator.objects.filter(user=council_member, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_citizens_may_switch_off_their_second_factor(client, demo):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.participation.factories import CitizenFactory

    citizen = CitizenFactory()
    citizen.set_password(PASSWORD)
    citizen.save()
    EmailAddress.objects.get_or_create(user=citizen, email=citizen.email, verified=True)
    citizen.totp_secret = generate_totp_secret()
    TOTP.activate(citizen, citizen.totp_secret)
    log_in_and_confirm_the_password(client, citizen)

    client.post(reverse("mfa_deactivate_totp"))

    assert not Authenticator.objects.filter(user=citizen).exists()
