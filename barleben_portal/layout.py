"""What every page shows beside the page itself: the site, its settings (name, address,
logo), the navigation, the footer links and the Ortschaften; and what finding a page needs:
the first levels of the page tree (routing to the board, the calendar or a standard page, and
the breadcrumbs), and whether any page is private at all.

They are the same for every page of a site and change only when something is saved, so each
process makes them once per generation of the page cache (barleben_portal/page_cache.py),
which moves on with every committed change the public site shows: nothing here outlives what
it was made from, and a page made afresh makes none of it again (the site alone cost one of
the most expensive queries of a page). Every request gets its own copy of the model
instances, so what one request sets on them never reaches another.
"""

import copy
import functools
from collections.abc import Callable
from contextvars import ContextVar
from itertools import chain
from typing import TypeVar

from django.http import Http404, HttpRequest, HttpResponseBase
from django.http.request import split_domain_port
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page, PageViewRestriction, Site

from .models import AccessibilityStatementPage, MunicipalitySettings, Ortschaft, StandardPage
from .page_cache import generation
from .seo import PREVIEW_IMAGE_FILTER

T = TypeVar("T")

# The logo's size in the header (templates/base.html).
HEADER_LOGO_FILTER = "height-64"

# (kind, site or host) -> (generation, value); a bound on hosts that are never used twice.
_MADE: dict[tuple, tuple[int, object]] = {}
MAX_MADE = 100


# The generation of the request being answered, for what is asked without the request (the
# view restrictions); unset outside a request, where the cache is asked.
_request_generation: ContextVar[int | None] = ContextVar("request_generation", default=None)


def once_per_generation(request: HttpRequest | None, key: tuple, make: Callable[[], T]) -> T:
    """What `make` returns, made once per process and generation (the same object for every
    request until the next change: only to be read)."""
    if request is None:
        current = _request_generation.get() or generation()
    else:
        current = getattr(request, "page_cache_generation", None)
        if current is None:
            current = request.page_cache_generation = generation()
    if current is None:  # the cache cannot be reached: nothing known to be current
        return make()
    made = _MADE.get(key)
    if made is None or made[0] != current:
        if len(_MADE) >= MAX_MADE:
            _MADE.clear()
        made = _MADE[key] = (current, make())
    return made[1]


class LayoutMiddleware:
    """Gives each request the page cache has looked up (anonymous public pages) its site, the
    site's root page, the sites' root paths and its settings from what this process has made
    for the current generation, where Wagtail looks for them first (Site.find_for_request,
    Page.route_for_request, Page.get_url_parts, BaseSiteSetting.for_request). Other
    requests (accounts, admin, API, health check) find them as Wagtail does, and need no
    cache for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not hasattr(request, "page_cache_generation"):
            return self.get_response(request)
        # The validated host (a DisallowedHost is a 400), as Wagtail finds the site by it.
        hostname = split_domain_port(request.get_host())[0]
        site = once_per_generation(
            request,
            ("site", hostname, request.get_port()),
            lambda: Site.find_for_request(request),
        )
        request._wagtail_site = copy.copy(site)
        # Where each site's pages begin, for every page address (Page.get_url_parts).
        request._wagtail_cached_site_root_paths = once_per_generation(
            request, ("root paths",), Site.get_site_root_paths
        )
        if site is not None:
            # Where Wagtail starts to route the address from (Page.route_for_request).
            root = once_per_generation(
                request, ("root", site.pk), lambda: site.root_page.localized.specific
            )
            request._wagtail_site.root_page = copy.copy(root)
            municipality = once_per_generation(
                request,
                ("settings", site.pk),
                lambda: MunicipalitySettings.for_site(site),
            )
            municipality = copy.copy(municipality)
            municipality._request = request  # as for_request() does, for page addresses
            setattr(request, MunicipalitySettings.get_cache_attr_name(), municipality)
        token = _request_generation.set(request.page_cache_generation)
        try:
            return self.get_response(request)
        finally:
            _request_generation.reset(token)


def any_view_restrictions() -> bool:
    """Whether any page is private (a password, a log-in or groups): until one is, no page
    needs to look for its restrictions."""
    return once_per_generation(None, ("restrictions",), PageViewRestriction.objects.exists)


def _pages_near_root(request: HttpRequest) -> dict[str, Page]:
    # The tree's first levels: its root, the sites' root pages and their children (the board,
    # the calendar, the archive, the standard pages …), specific, by path.
    return once_per_generation(
        request,
        ("near-root",),
        lambda: {page.path: page for page in Page.objects.filter(depth__lte=3).specific()},
    )


def child_page(request: HttpRequest, parent: Page, slug: str) -> Page:
    """The child of a site's root page with this slug, as Wagtail's routing would find it
    with two queries; a copy for the request."""
    for page in _pages_near_root(request).values():
        if page.slug == slug and page.is_child_of(parent):
            return _child_copy(page, parent)
    raise Http404


def _child_copy(page: Page, parent: Page) -> Page:
    child = copy.copy(page)
    child._cached_parent_obj = parent  # for get_parent(), as Wagtail's routing sets it
    return child


def live_child_of_type(request: HttpRequest, parent: Page, model: type[Page]) -> Page | None:
    """The first live, public child of a site's root page of this type (its board, its
    calendar), as `model.objects.child_of(parent).live().public().first()` finds it; a copy
    for the request."""
    if any_view_restrictions():
        return model.objects.child_of(parent).live().public().first()
    for page in _pages_near_root(request).values():  # in the order of the tree
        if isinstance(page, model) and page.live and page.is_child_of(parent):
            return _child_copy(page, parent)
    return None


def page_ancestors(request: HttpRequest, page: Page) -> list[Page]:
    """A page's ancestors from the root down (the breadcrumbs), without a query where they
    are known: the first levels of the tree, and the parent routing found."""
    known = dict(_pages_near_root(request))
    parent = getattr(page, "_cached_parent_obj", None)
    if parent is not None:
        known[parent.path] = parent
    paths = [page.path[:end] for end in range(page.steplen, len(page.path), page.steplen)]
    if all(path in known for path in paths):
        return [known[path] for path in paths]
    return list(page.get_ancestors())


def site_layout(request: HttpRequest, site: Site) -> dict:
    """Navigation and footer links (title, url), the Ortschaften and the logo (in the header's
    size and as the link preview's image) of one site."""
    municipality = MunicipalitySettings.for_request(request)
    return once_per_generation(
        request, ("layout", site.pk), lambda: _build_layout(site, municipality.logo)
    )


def _build_layout(site: Site, logo) -> dict:
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
        # made when a page first shows them (templates call them), not for the admin's pages
        "logo": functools.cache(lambda: _rendition(logo, HEADER_LOGO_FILTER)),
        "preview_image": functools.cache(lambda: _rendition(logo, PREVIEW_IMAGE_FILTER)),
    }


def _rendition(image, spec: str) -> dict | None:
    """An image's size for the layout (address, width, height); None without an image, or
    when its file is missing (the page shows without it then)."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
    except SourceImageIOError:
        return None
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height}


def _link(page: Page, site: Site) -> dict:
    return {"pk": page.pk, "title": page.title, "url": page.get_url(current_site=site)}
