"""What every page shows beside the page itself: the navigation, the footer links, the
Ortschaften and the logo of its site; and what finding a page needs: the site root's
children (routing to the board, the calendar or a standard page), and whether any page is
private at all.

They are the same for every page of a site and change only when something is saved, so
they are kept in the cache for the current generation of the page cache
(`page_cache.kept_for_generation`), which moves on with every committed change the public
site shows. Each request reads its own copy from the cache: what one request sets on a page
never reaches another.
"""

from itertools import chain

from django.http import Http404, HttpRequest
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page, PageViewRestriction, Site

from .models import AccessibilityStatementPage, MunicipalitySettings, Ortschaft, StandardPage
from .page_cache import kept_for_generation
from .seo import PREVIEW_IMAGE_FILTER

# The logo's size in the header (templates/base.html), and twice that for screens with two
# pixels to the point (phones, most laptops), where the first would look blurred.
HEADER_LOGO_FILTER = "height-64"
HEADER_LOGO_FILTER_2X = "height-128"


def any_view_restrictions() -> bool:
    """Whether any page is private (a password, a log-in or groups): until one is, no page
    needs to look for its restrictions."""
    return kept_for_generation(None, "view restrictions", PageViewRestriction.objects.exists)


def _children(request: HttpRequest, parent: Page) -> list[Page]:
    # The children of a site's root page (the board, the calendar, the archive, the standard
    # pages …), specific, in the order of the tree.
    return kept_for_generation(
        request,
        f"children {parent.pk}",
        lambda: list(parent.get_children().specific().order_by("path")),
    )


def child_page(request: HttpRequest, parent: Page, slug: str) -> Page:
    """The child of a site's root page with this slug, as Wagtail's routing finds it."""
    for page in _children(request, parent):
        if page.slug == slug:
            return page
    raise Http404


def live_child_of_type(request: HttpRequest, parent: Page, model: type[Page]) -> Page | None:
    """The first live, public child of a site's root page of this type (its board, its
    calendar), as `model.objects.child_of(parent).live().public().first()` finds it."""
    if any_view_restrictions():
        return model.objects.child_of(parent).live().public().first()
    for page in _children(request, parent):
        if isinstance(page, model) and page.live:
            return page
    return None


def site_layout(request: HttpRequest, site: Site) -> dict:
    """Navigation and footer links (title, url), the Ortschaften and the logo (in the header's
    size and as the link preview's image) of one site."""
    return kept_for_generation(request, f"layout {site.pk}", lambda: _build_layout(site))


def _build_layout(site: Site) -> dict:
    root = site.root_page
    footer_pages = sorted(
        chain.from_iterable(
            page_class.objects.live().public().filter(show_in_footer=True).descendant_of(root)
            for page_class in (StandardPage, AccessibilityStatementPage)
        ),
        key=lambda page: page.path,
    )
    logo = MunicipalitySettings.for_site(site).logo
    return {
        "root": _link(root, site),
        "navigation": [_link(page, site) for page in root.get_children().live().public().in_menu()],
        "footer": [_link(page, site) for page in footer_pages],
        "ortschaften": list(Ortschaft.objects.values("name", "slug", "short_description")),
        "logo": _rendition(logo, HEADER_LOGO_FILTER),
        "logo_2x": _rendition(logo, HEADER_LOGO_FILTER_2X),
        "preview_image": _rendition(logo, PREVIEW_IMAGE_FILTER),
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
