"""Every public page of the demo is valid HTML, by the W3C's Nu HTML Checker (vnu.jar, run
with Java): every page of the sitemap and the pages it does not list (filters, search,
forms, account pages, error pages), as a citizen and as a logged-in citizen."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from notices.models import NoticeIndexPage, NoticePage
from services.models import Service
from tests.conftest import html_checker_jar
from tests.factories import SavedSearchFactory, SubscriptionFactory

pytestmark = [pytest.mark.service("postgres", "html-checker"), pytest.mark.django_db]

LOC = re.compile(r"<loc>https?://[^/<]+([^<]*)</loc>")


def _sitemap_paths(client) -> list[str]:
    paths = []
    for sitemap in LOC.findall(client.get(reverse("sitemap")).content.decode()):
        paths += LOC.findall(client.get(sitemap).content.decode())
    return paths


def _unlisted_paths() -> list[str]:
    board = NoticeIndexPage.objects.get()
    event = NoticePage.objects.live().filter(kind__is_event=True).first()
    subscription = SubscriptionFactory()
    saved_search = SavedSearchFactory()
    removed_service = Service.objects.create(
        leika_key="99000000000009", name="Eine Leistung, die es nicht mehr gibt"
    )
    removed_service.removed_at = removed_service.modified_at
    removed_service.save()
    return [
        f"{board.url}?ortschaft=ebendorf&art=baustelle-verkehr",
        f"{board.url}?von=31.02.2026",  # a rejected filter, with its message
        f"{board.url}archiv/",
        f"{board.url}druck/ebendorf/",
        f"{board.url}anzeige/ebendorf/",
        f"{event.url}",
        "/suche/?q=Haushalt",
        "/suche/?q=Bebauungsplan&ortschaft=ebendorf&sortierung=datum",
        "/suche/?q=",
        "/suche/?q=Personalausweis",  # with the box of administrative services
        "/leistungen/",
        "/leistungen/lebenslagen/umzug/",
        removed_service.get_absolute_url(),  # 410
        "/benachrichtigungen/",
        reverse("notices:subscription_manage", args=[subscription.token]),
        reverse("notices:subscription_unsubscribe", args=[subscription.token]),
        "/suchauftraege/?q=Haushalt",
        reverse("archive_alerts:manage", args=[saved_search.token]),
        reverse("archive_alerts:unsubscribe", args=[saved_search.token]),
        "/konto/login/",
        "/konto/signup/",
        "/konto/login/code/",
        "/konto/password/reset/",
        "/eine-seite-die-es-nicht-gibt/",
    ]


def _errors_of(files: list[Path]) -> list[str]:
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(html_checker_jar()),
            "--errors-only",
            "--format",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]


@pytest.fixture
def citizen_client():
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_user(
        "html-citizen", "html@example.org", "Kraniche-ziehen"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    logged_in = Client()
    logged_in.force_login(user)
    return logged_in


def test_every_public_page_is_valid_html(demo, client, tmp_path, citizen_client):
    # given: every page of the sitemap and those it does not list
    paths = _sitemap_paths(client) + _unlisted_paths()
    assert len(paths) > 30

    # when: each is fetched as a visitor and, for the account's pages, as a citizen
    files = []
    for number, path in enumerate(paths):
        response = client.get(path, follow=True)
        assert response.status_code in (200, 404, 410), path
        files.append(tmp_path / f"{number:03d}.html")
        files[-1].write_bytes(response.content)
    for path in [
        "/konto/",
        "/konto/loeschen/",
        "/konto/email/",
        "/suchauftraege/konto/",
        "/konto/benachrichtigungen/",
    ]:
        files.append(tmp_path / f"account-{len(files):03d}.html")
        files[-1].write_bytes(citizen_client.get(path).content)

    # then: the Nu checker finds no error in any of them
    errors = _errors_of(files)
    names = {file.name: path for file, path in zip(files, paths, strict=False)}
    assert not errors, "\n".join(
        f"{names.get(e.split(':')[0], e.split(':')[0])} {e}" for e in errors
    )
