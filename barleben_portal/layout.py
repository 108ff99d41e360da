"""What the layout of every page shows beside the page itself: navigation, footer links and
the Ortschaften. Cached per site, since it changes only when pages or Ortschaften change."""

from itertools import chain

from django.core.cache import cache
from wagtail.models import Page, Site

from .models import AccessibilityStatementPage, Ortschaft, StandardPage

CACHE_KEY = "portal-layout:{site_id}"


def site_layout(site: Site) -> dict:
    """Navigation and footer links (title, url) and the Ortschaften of one site."""
    key = CACHE_KEY.format(site_id=site.pk)
    layout = cache.get(key)
    if layout is None:
        layout = _build_layout(site)
        cache.set(key, layout, timeout=None)
    return layout


def site_layout_forget() -> None:
    """Called whenever a page or an Ortschaft changes; the next request rebuilds the layout."""
    cache.delete_many(
        [CACHE_KEY.format(site_id=pk) for pk in Site.objects.values_list("pk", flat=True)]
    )


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
