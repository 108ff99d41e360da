"""Error pages are German; the 500 page renders without a request or a database."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext


def broken_view(request):
    raise RuntimeError("Simulated fault")


# Used as ROOT_URLCONF by the 500 test: the portal plus one view that fails.
urlpatterns = [path("kaputt/", broken_view), path("", include("barleben_portal.urls"))]


def german(message: str) -> str:
    with translation.override("de"):
        translated = gettext(message)
    assert translated != message, f"{message!r} has no German translation"
    return translated


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/gibt-es-nicht/", "/impressum/gibt-es-nicht/"])
def test_unknown_address_answers_404_in_german(client, demo, settings, path):
    assert settings.DEBUG is False

    response = client.get(path)

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert german("Page not found") in html
    # the portal's own layout, with the municipality in the footer
    assert "base.html" in [template.name for template in response.templates]
    assert "Gemeinde Barleben" in html


def test_500_page_renders_without_request_or_database():
    # not marked django_db: any query here would fail the test
    with translation.override("de"):
        html = render_to_string("500.html")

    assert '<html lang="de">' in html
    assert german("Technical fault") in html


def test_failing_view_answers_500_in_german(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/kaputt/")

    assert response.status_code == 500
    html = response.content.decode()
    assert german("Technical fault") in html
    assert "Simulated fault" not in html
