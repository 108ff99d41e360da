"""The portal's addresses plus a trivial view: the floor the portal's pages are measured
against (routing, middleware and gunicorn, no template and no query)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("barleben_portal.urls")),
]
