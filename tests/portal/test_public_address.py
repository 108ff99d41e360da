"""One public address for everything the portal gives out: a demo seeded at one address and
served at another names only the served one, in pages, feeds, calendars, the sitemap,
robots.txt, the API, OParl and e-mails, once the deployment's migration has run."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Site

from notices.models import CalendarPage, NoticeIndexPage, NoticePage
from website.sites import check_default_site_follows_base_url

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]

SERVED = "https://portal.barleben.example"
ADDRESS = re.compile(r"https?://[^\s\"'<>()]+")
# Addresses of standards and vocabularies, not of the portal.
FOREIGN = ("www.w3.org", "schema.org", "purl.org", "ogp.me", "xmlns.com", "www.sitemaps.org")


def _own_addresses(text: str) -> set[str]:
    return {url for url in ADDRESS.findall(text) if not url.split("/")[2].startswith(FOREIGN)}


@pytest.fixture
def outbox(settings, mailoutbox, celery_eager):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mailoutbox


@pytest.fixture
def served_elsewhere(demo, settings):
    """The demo, seeded at the default BASE_URL, now deployed at another address."""
    seeded = Site.objects.get(is_default_site=True).root_url
    settings.BASE_URL = SERVED
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "portal.barleben.example"]
    assert seeded != SERVED
    call_command("migrate", verbosity=0)
    return seeded


def test_everything_the_portal_gives_out_names_the_served_address(
    served_elsewhere, client, outbox, django_capture_on_commit_callbacks
):
    host = {"HTTP_HOST": "portal.barleben.example", "secure": True}
    notice = NoticePage.objects.live().filter(kind__has_display_period=True).first()
    event = NoticePage.objects.live().filter(kind__is_event=True).first()
    board = NoticeIndexPage.objects.get()
    calendar = CalendarPage.objects.get()
    paths = [
        "/",
        notice.url,
        f"{board.url}rss/",
        f"{board.url}atom/",
        f"{calendar.url}ical/",
        f"{event.url}ical/",
        reverse("sitemap"),
        "/sitemap-seiten.xml",
        reverse("robots_txt"),
        "/api/v1/notices/",
        "/oparl/v1/body/papers/",
    ]

    found = set()
    for path in paths:
        response = client.get(path, **host)
        assert response.status_code == 200, path
        content = b"".join(response) if response.streaming else response.content
        found |= {(path, url) for url in _own_addresses(content.decode())}

    # and the e-mail asking to confirm a subscription
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/benachrichtigungen/",
            {"email": "erika@example.org", "frequency": "immediately", "consent": "on"},
            **host,
        )
    (mail,) = outbox
    found |= {("e-mail", url) for url in _own_addresses(mail.body)}

    assert {path for path, _ in found} >= {"/", notice.url, "e-mail", reverse("robots_txt")}
    elsewhere = {(path, url) for path, url in found if not url.startswith(SERVED + "/")}
    assert not elsewhere


def test_the_deploy_check_fails_while_the_site_names_another_address(demo, settings):
    settings.BASE_URL = SERVED

    # before the migration: the site still has the seeded address
    (error,) = check_default_site_follows_base_url()
    assert error.id == "website.E002" and SERVED in error.msg

    # after it: in step
    call_command("migrate", verbosity=0)
    assert check_default_site_follows_base_url() == []


def test_https_on_another_port_is_refused_by_the_check(settings):
    settings.BASE_URL = "https://portal.barleben.example:8443"

    errors = check_default_site_follows_base_url()

    assert "website.E001" in {error.id for error in errors}
