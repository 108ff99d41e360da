"""A citizen's account says what happened, once, in the layout; it never shows the user name
allauth made up; log-in codes say until when they are valid and what to do after wrong
tries; the account's Ortschaft and the header's choice are one."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth import get_user_model

from accounts.models import CitizenProfile
from website.models import Ortschaft

pytestmark = [pytest.mark.service("postgres", "redis"), pytest.mark.django_db]

ADDRESS = "frieda@example.org"
PASSWORD = "Kraniche-ziehen-im-Herbst"
# What allauth makes up for an account signed up with its address only.
MADE_UP_NAME = "frieda.1796659721354"


@pytest.fixture
def citizen(home):
    user = get_user_model().objects.create_user(MADE_UP_NAME, ADDRESS, PASSWORD)
    EmailAddress.objects.create(user=user, email=ADDRESS, verified=True, primary=True)
    return user


def _messages(html: str) -> list[str]:
    box = re.search(r'<div class="notice notice--messages" role="status">(.*?)</div>', html, re.S)
    return re.findall(r"<li[^>]*>(.*?)</li>", box.group(1), re.S) if box else []


def test_log_in_and_out_are_confirmed_once_and_by_the_address(citizen, client):
    # when: logging in with the password
    logged_in = client.post(
        "/konto/login/", {"login": ADDRESS, "password": PASSWORD}, follow=True
    ).content.decode()

    # then: the account page says so, by the address, never the made-up name
    assert _messages(logged_in) == [f"Sie sind angemeldet als {ADDRESS}."]
    assert MADE_UP_NAME not in logged_in

    # when: logging out, and going on to the log-in page
    logged_out = client.post("/konto/logout/", follow=True).content.decode()
    login_page = client.get("/konto/login/").content.decode()

    # then: the home page says so, and the next page shows nothing stale
    assert _messages(logged_out) == ["Sie haben sich abgemeldet."]
    assert _messages(login_page) == []


def test_confirming_the_address_is_confirmed_without_the_made_up_name(home, client):
    # given: a new account whose address is not confirmed yet
    user = get_user_model().objects.create_user(MADE_UP_NAME, ADDRESS, PASSWORD)
    address = EmailAddress.objects.create(user=user, email=ADDRESS, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key

    # when: opening the link, then pressing the button
    question = client.get(f"/konto/confirm-email/{key}/").content.decode()
    done = client.post(f"/konto/confirm-email/{key}/", follow=True).content.decode()

    # then
    assert MADE_UP_NAME not in question and ADDRESS in question
    assert f"Sie haben die Adresse {ADDRESS} bestätigt." in _messages(done)
    assert MADE_UP_NAME not in done


def _request_code(client, mailoutbox) -> tuple[str, str]:
    page = client.post("/konto/login/code/", {"email": ADDRESS}, follow=True).content.decode()
    # The code stands on the line after its announcement.
    lines = [line.strip() for line in mailoutbox[-1].body.splitlines() if line.strip()]
    code = lines[lines.index("Ihr Anmeldecode für das Bürgerportal:") + 1]
    return page, code


def test_log_in_code_says_until_when_it_is_valid(citizen, client, mailoutbox):
    page, code = _request_code(client, mailoutbox)

    # then: the page and the e-mail say until when (a quarter of an hour), in local time
    until = re.search(r"Er gilt bis (\d\d:\d\d) Uhr", " ".join(_messages(page)))
    assert until, _messages(page)
    assert f"Er gilt bis {until.group(1)} Uhr am" in mailoutbox[-1].body
    assert "nach drei falschen Versuchen" in mailoutbox[-1].body
    assert MADE_UP_NAME not in page

    # and the code logs in
    response = client.post("/konto/login/code/confirm/", {"code": code}, follow=True)
    assert response.context["user"].is_authenticated


def test_three_wrong_codes_say_how_to_get_a_new_one(citizen, client, mailoutbox):
    _request_code(client, mailoutbox)

    for _ in range(3):
        response = client.post("/konto/login/code/confirm/", {"code": "XXXXXX"}, follow=True)

    page = response.content.decode()
    assert "gilt nicht mehr. Sie können sofort einen neuen Code anfordern" in page
    assert 'name="email"' in page  # the form that sends a new one
    assert not response.context["user"].is_authenticated


def test_too_many_wrong_passwords_say_how_long_to_wait(citizen, client):
    for _ in range(6):
        response = client.post("/konto/login/", {"login": ADDRESS, "password": "falsch"})

    assert "Bitte warten Sie 5 Minuten" in response.content.decode()


# --- The account's Ortschaft and the header's choice -------------------------------------


def test_log_in_brings_the_account_ortschaft_into_the_header(citizen, client):
    # given: an account whose Ortschaft is Ebendorf, in a browser that chose none
    CitizenProfile.objects.create(user=citizen, ortschaft=Ortschaft.objects.get(slug="ebendorf"))

    # when
    client.post("/konto/login/", {"login": ADDRESS, "password": PASSWORD})

    # then: the header shows it on every page, and pages with a choice show it first
    assert client.cookies["ortschaft"].value == "ebendorf"
    response = client.get("/konto/")
    assert response.context["chosen_ortschaft"]["slug"] == "ebendorf"
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].endswith("?ortschaft=ebendorf")


def test_saving_the_profile_ortschaft_chooses_it_in_the_header(citizen, client):
    client.force_login(citizen)
    meitzendorf = Ortschaft.objects.get(slug="meitzendorf")

    client.post("/konto/", {"name": "", "ortschaft": meitzendorf.pk})
    assert client.cookies["ortschaft"].value == "meitzendorf"

    # and no Ortschaft forgets the choice
    client.post("/konto/", {"name": "", "ortschaft": ""})
    assert client.cookies["ortschaft"].value == ""


def test_the_header_choice_is_kept_in_the_account(citizen, client):
    client.force_login(citizen)

    client.post("/ortschaft/", {"ortschaft": "barleben", "next": "/"})
    assert CitizenProfile.objects.get(user=citizen).ortschaft.slug == "barleben"

    client.post("/ortschaft/", {"ortschaft": "", "next": "/"})
    assert CitizenProfile.objects.get(user=citizen).ortschaft is None


def test_the_header_shows_the_remembered_choice_also_where_the_address_names_another(home, client):
    client.cookies["ortschaft"] = "ebendorf"

    response = client.get("/?ortschaft=meitzendorf")

    assert response.context["chosen_ortschaft"]["slug"] == "ebendorf"
