"""The Ortschaft a citizen chose is remembered in a cookie, so no account is needed.

The cookie only preselects: a page that shows something per Ortschaft takes the choice
from its address (?ortschaft=…), so one cached copy serves everyone who asked the same.
The header shows the remembered choice on every page. An account keeps the choice too
(its profile's Ortschaft): a log-in sets the cookie from it, and a choice in the header
is kept in it (`ortschaft_chosen`).
"""

import re

from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

COOKIE_NAME = "ortschaft"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
SLUG = re.compile(r"[-\w]+")

# Sent when a citizen chooses an Ortschaft in the header, with `request` and `ortschaft`
# (None for the whole municipality).
ortschaft_chosen = Signal()


def ortschaft_for_slug(slug: str | None):
    """The Ortschaft a slug from an address, form or cookie names; None for none or no slug.

    What cannot be a slug is not looked up: PostgreSQL refuses a NUL byte with an error.
    """
    from .models import Ortschaft

    if not slug or not SLUG.fullmatch(slug):
        return None
    return Ortschaft.objects.filter(slug=slug).first()


def remembered_ortschaft_redirect(request: HttpRequest, url: str) -> HttpResponseRedirect | None:
    """A redirect to `url` with the remembered Ortschaft added to the current query, or None
    when the address already says which Ortschaft (`?ortschaft=` means all) or none is known."""
    if getattr(request, "is_preview", False):
        return None  # an editor's preview shows the page itself, not a redirect to the live one
    slug = request.COOKIES.get(COOKIE_NAME)
    if not slug or "ortschaft" in request.GET or ortschaft_for_slug(slug) is None:
        return None
    query = request.GET.copy()
    query["ortschaft"] = slug
    return HttpResponseRedirect(f"{url}?{query.urlencode()}")


def ortschaft_remember(response: HttpResponse, *, request: HttpRequest, ortschaft) -> None:
    """Remember the Ortschaft in the visitor's cookie; None forgets the choice."""
    if ortschaft is None:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        ortschaft.slug,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
