"""The website's own view: choosing an Ortschaft."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .ortschaft import COOKIE_MAX_AGE, COOKIE_NAME, ortschaft_for_slug


# Choosing an Ortschaft only sets a display preference in the chooser's own browser, so a
# forged cross-site request can do no harm; without the CSRF token every page's header
# stays the same for every visitor and can be cached.
@csrf_exempt
@require_POST
def ortschaft_choose(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    # The page's address may hold the previous choice; without it, the page follows the cookie.
    parts = urlsplit(next_url)
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query) if key != "ortschaft"])
    response = HttpResponseRedirect(urlunsplit(parts._replace(query=query)))
    slug = request.POST.get("ortschaft", "")
    if ortschaft_for_slug(slug) is not None:
        response.set_cookie(
            COOKIE_NAME,
            slug,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        # "Whole municipality" or an unknown value: forget the choice.
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    return response
