"""The portal's public address is BASE_URL; the default Wagtail site follows it.

Wagtail builds every absolute address it gives out (canonical links, `og:url`, JSON-LD, the
sitemap, feeds, calendars, the API's `url` fields, the links in e-mails) from a Site's host
name and port, which `seed_demo` or an administrator set once. BASE_URL is the one source of
truth for the default site: after every migration (each deployment runs one) and in
`seed_demo` the default site takes BASE_URL's host and port, and `manage.py check` fails
where they disagree (a host changed in the admin, or BASE_URL changed without a migration).
Further sites keep the host names and ports set for them in the admin.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from wagtail.models import Site

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


def base_url_host_and_port() -> tuple[str, int]:
    """BASE_URL's host name and port, as a Wagtail site stores them."""
    address = urlsplit(settings.BASE_URL)
    return address.hostname or "", address.port or DEFAULT_PORTS.get(address.scheme, 80)


def default_site_follow_base_url(**kwargs) -> None:
    """Give the default site BASE_URL's host and port (a post_migrate receiver as well)."""
    hostname, port = base_url_host_and_port()
    changed = Site.objects.filter(is_default_site=True).exclude(hostname=hostname, port=port)
    if changed.update(hostname=hostname, port=port):
        logger.info("The default site follows BASE_URL now: %s", settings.BASE_URL)


def check_default_site_follows_base_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    if urlsplit(settings.BASE_URL).scheme == "https" and base_url_host_and_port()[1] != 443:
        errors.append(
            checks.Error(
                f"BASE_URL {settings.BASE_URL} is https on a port other than 443, which a "
                "Wagtail site cannot express (it makes http addresses for other ports).",
                hint="Serve https on port 443, or give BASE_URL an http address.",
                id="website.E001",
            )
        )
    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError:
        return errors  # no database yet: `migrate` makes the site follow
    if site is not None and (site.hostname, site.port) != base_url_host_and_port():
        errors.append(
            checks.Error(
                f"The default site's address {site.root_url} is not BASE_URL "
                f"({settings.BASE_URL}): pages, feeds and e-mails would give out the former.",
                hint="Run `manage.py migrate`, which sets the site from BASE_URL, or correct "
                "BASE_URL.",
                id="website.E002",
            )
        )
    return errors
