"""What every page shows beside the page itself: the site, its settings (name, address,
logo), the navigation, the footer links and the Ortschaften.

They are the same for every page of a site and change only when something is saved, so each
process makes them once per generation of the page cache (barleben_portal/page_cache.py),
which moves on with every committed change the public site shows: nothing here outlives what
it was made from, and a page made afresh makes none of it again (the site alone cost one of
the most expensive queries of a page). Every request gets its own copy of the model
instances, so what one request sets on them never reaches another.
"""

import copy
from collections.abc import Callable
from itertools import chain
from typing import TypeVar

from django.http import HttpRequest, HttpResponseBase
from django.http.request import split_domain_port
from wagtail.models import Page, Site

from .models import AccessibilityStatementPage, MunicipalitySettings, Ortschaft, StandardPage
from .page_cache import generation

T = TypeVar("T")

# (kind, site or host) -> (generation, value); a bound on hosts that are never used twice.
_MADE: dict[tuple, tuple[int, object]] = {}
MAX_MADE = 100


def _once_per_generation(request: HttpRequest, key: tuple, make: Callable[[], T]) -> T:
    current = getattr(request, "page_cache_generation", None)
    if current is None:
        current = request.page_cache_generation = generation()
    made = _MADE.get(key)
    if made is None or made[0] != current:
        if len(_MADE) >= MAX_MADE:
            _MADE.clear()
        made = _MADE[key] = (current, make())
    return made[1]


class LayoutMiddleware:
    """Gives each request the page cache has looked up (anonymous public pages) its site, the
    site's root page and its settings from what this process has made for the current
    generation, where Wagtail looks for them first (Site.find_for_request,
    Page.route_for_request, BaseSiteSetting.for_request). Other
    requests (accounts, admin, API, health check) find them as Wagtail does, and need no
    cache for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not hasattr(request, "page_cache_generation"):
            return self.get_response(request)
        # The validated host (a DisallowedHost is a 400), as Wagtail finds the site by it.
        hostname = split_domain_port(request.get_host())[0]
        site = _once_per_generation(
            request,
            ("site", hostname, request.get_port()),
            lambda: Site.find_for_request(request),
        )
        request._wagtail_site = copy.copy(site)
        if site is not None:
            # Where Wagtail starts to route the address from (Page.route_for_request).
            root = _once_per_generation(
                request, ("root", site.pk), lambda: site.root_page.localized.specific
            )
            request._wagtail_site.root_page = copy.copy(root)
            municipality = _once_per_generation(
                request,
                ("settings", site.pk),
                lambda: MunicipalitySettings.for_site(site),
            )
            municipality = copy.copy(municipality)
            municipality._request = request  # as for_request() does, for page addresses
            setattr(request, MunicipalitySettings.get_cache_attr_name(), municipality)
        return self.get_response(request)


def site_layout(request: HttpRequest, site: Site) -> dict:
    """Navigation and footer links (title, url) and the Ortschaften of one site."""
    return _once_per_generation(request, ("layout", site.pk), lambda: _build_layout(site))


def _build_layout(site: Site) -> dict:
    root = site.root_page
    footer_pages = sorted(
        chain.from_iterable(
            page_class.objects.live().public().filter(show_in_footer=True).descendant_of(root)
            for page_class in (StandardPage, AccessibilityStatementPage)
        ),
        key=lambda page: page.path,
    )
    return {
        "root": _link(root, site),
        "navigation": [_link(page, site) for page in root.get_children().live().public().in_menu()],
        "footer": [_link(page, site) for page in footer_pages],
        "ortschaften": list(Ortschaft.objects.values("name", "slug", "short_description")),
    }


def _link(page: Page, site: Site) -> dict:
    return {"pk": page.pk, "title": page.title, "url": page.get_url(current_site=site)}
