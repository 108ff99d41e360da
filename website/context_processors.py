from django.http import HttpRequest
from wagtail.models import Site

from .layout import site_layout
from .ortschaft import COOKIE_NAME
from .page_cache import request_generation


def portal(request: HttpRequest) -> dict:
    """Navigation, footer and Ortschaft switcher, for the layout every page shares."""
    # What is kept in the cache for a generation (fragments, teasers) is read under this one.
    generation = {"generation": request_generation(request)}
    site = Site.find_for_request(request)
    if site is None:
        return generation
    layout = site_layout(request, site)
    # The header shows the remembered choice on every page, also where the address shows
    # another Ortschaft (a filter, a link to another Ortschaft's page).
    chosen_slug = request.COOKIES.get(COOKIE_NAME)
    return {
        **generation,
        "site_root": layout["root"],
        "navigation_pages": layout["navigation"],
        "footer_pages": layout["footer"],
        "ortschaften": layout["ortschaften"],
        "site_logo": layout["logo"],
        "site_logo_2x": layout["logo_2x"],
        "site_preview_image": layout["preview_image"],
        "chosen_ortschaft": next(
            (ortschaft for ortschaft in layout["ortschaften"] if ortschaft["slug"] == chosen_slug),
            None,
        ),
    }
