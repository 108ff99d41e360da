"""The website's own view: choosing an Ortschaft."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .ortschaft import ortschaft_chosen, ortschaft_for_slug, ortschaft_remember


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
    ortschaft = ortschaft_for_slug(slug)
    # "Whole municipality" or an unknown value: forget the choice.
    ortschaft_remember(response, request=request, ortschaft=ortschaft)
    if ortschaft is not None or not slug:
        ortschaft_chosen.send(sender=ortschaft_choose, request=request, ortschaft=ortschaft)
    return response
