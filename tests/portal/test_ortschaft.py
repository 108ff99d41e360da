"""The Ortschaft switcher: a cookie remembers the citizen's choice, no account needed."""

import pytest
from django.test import Client

from tests.factories import OrtschaftFactory
from website.ortschaft import COOKIE_MAX_AGE, COOKIE_NAME, remembered_ortschaft_redirect

pytestmark = pytest.mark.django_db


@pytest.fixture
def ebendorf():
    return OrtschaftFactory(name="Ebendorf", slug="ebendorf")


def test_choosing_an_ortschaft_sets_the_cookie_and_returns(client, ebendorf):
    response = client.post("/ortschaft/", {"ortschaft": "ebendorf", "next": "/impressum/"})

    assert response.status_code == 302
    assert response["Location"] == "/impressum/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == "ebendorf"
    assert cookie["max-age"] == COOKIE_MAX_AGE
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


@pytest.mark.parametrize("slug", ["", "atlantis"], ids=["whole-municipality", "unknown"])
def test_no_or_unknown_ortschaft_forgets_the_choice(client, ebendorf, slug):
    # given a citizen who chose Ebendorf before
    client.cookies[COOKIE_NAME] = "ebendorf"

    response = client.post("/ortschaft/", {"ortschaft": slug, "next": "/"})

    assert response.status_code == 302
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == ""
    assert cookie["max-age"] == 0


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""],
)
def test_switcher_only_redirects_within_the_portal(client, ebendorf, next_url):
    response = client.post("/ortschaft/", {"ortschaft": "ebendorf", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switcher_needs_no_csrf_token(ebendorf):
    # it only sets a display preference in the chooser's own browser
    response = Client(enforce_csrf_checks=True).post("/ortschaft/", {"ortschaft": "ebendorf"})

    assert response.status_code == 302


def test_switcher_answers_get_with_405(client):
    assert client.get("/ortschaft/", {"ortschaft": "ebendorf"}).status_code == 405


def test_pages_know_the_chosen_ortschaft(client, demo):
    client.cookies[COOKIE_NAME] = "ebendorf"

    response = client.get(demo.url, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"{demo.url}?ortschaft=ebendorf", 302)]
    assert response.context["chosen_ortschaft"]["slug"] == "ebendorf"
    assert b'<option value="ebendorf" selected>' in response.content


@pytest.mark.parametrize("is_preview, redirects", [(False, True), (True, False)])
def test_remembered_ortschaft_redirects_citizens_but_not_previews(rf, demo, is_preview, redirects):
    # given a request with a remembered Ortschaft and no choice in the address
    request = rf.get(demo.url, {"seite": "2"})
    request.COOKIES[COOKIE_NAME] = "ebendorf"
    request.is_preview = is_preview

    # when the page asks where to send it
    response = remembered_ortschaft_redirect(request, demo.url)

    # then a citizen goes to the address with the choice (other parameters kept); an
    # editor's preview stays on the page
    if redirects:
        assert response.url == f"{demo.url}?seite=2&ortschaft=ebendorf"
    else:
        assert response is None
