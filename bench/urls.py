"""The portal's addresses plus a trivial view: the floor the portal's pages are measured
against (routing, middleware and gunicorn, no template and no query). Never from the page
cache: a copy of it would skip the middleware after the cache and be no view at all."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache


@never_cache
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("barleben_portal.urls")),
]
