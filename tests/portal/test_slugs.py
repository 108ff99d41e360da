"""The admin's slug fields write the German letters out ("Neue Sitzbänke" becomes
"neue-sitzbaenke", not "neue-sitzbanke"): the field carries the replacements Wagtail's slug
script applies. The browser test types a title (tests/e2e/test_admin_german.py)."""

import html
import json
import re

import pytest
from django.urls import reverse

from website.models import HomePage

pytestmark = pytest.mark.django_db


def slug_replacements(page: str) -> dict[str, str]:
    """The slug field's formatters: {"ä": "ae", …}."""
    [field] = re.findall(r'<input[^>]*\bname="slug"[^>]*>', page)
    [formatters] = re.findall(r'data-w-slug-formatters-value="([^"]*)"', field)
    return {
        pattern: replacement
        for (pattern, _flags), replacement in json.loads(html.unescape(formatters))
    }


def new_page_form() -> str:
    home = HomePage.objects.get()
    return reverse("wagtailadmin_pages:add", args=["website", "standardpage", home.pk])


def new_ortschaft_form() -> str:
    return reverse("wagtailsnippets_website_ortschaft:add")


@pytest.mark.parametrize(
    ("group", "form"),
    [("Redaktion", new_page_form), ("Administration", new_ortschaft_form)],
    ids=["page", "ortschaft"],
)
def test_slug_field_writes_umlauts_out(client, staff_member, group, form):
    # given a member of staff
    client.force_login(staff_member(group))

    # when the form with a slug opens
    response = client.get(form())

    # then its slug field replaces the German letters before it makes the slug
    assert response.status_code == 200
    replacements = slug_replacements(response.content.decode())
    assert {letter: replacements.get(letter) for letter in "äöüÄÖÜß"} == {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
    }
