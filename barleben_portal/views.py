"""The portal's operational views: its health check, and its images where no web server
in front serves them."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import (
    require_GET,
    require_safe,
)
from django.views.static import serve as static_serve

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """State of database, cache and broker; no addresses, no error details (they go to the log)."""
    checks: dict[str, str] = {}
    for name, check in [
        ("database", _check_database),
        ("cache", _check_cache),
        ("broker", _check_broker),
    ]:
        try:
            checks[name] = check() or "ok"
        except Exception:  # any failure means "unavailable"; the reason goes to the log
            logger.exception("Health check of %s failed", name)
            checks[name] = "unavailable"
    is_healthy = all(state != "unavailable" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if is_healthy else "unavailable", "checks": checks},
        status=200 if is_healthy else 503,
    )


# A day: an image replaced by staff may get the name of the old one's sizes.
IMAGE_MAX_AGE = 24 * 60 * 60


@require_safe
@cache_control(public=True, max_age=IMAGE_MAX_AGE)
def media_image(request: HttpRequest, folder: str, path: str) -> HttpResponse:
    """A public image's file (its prepared sizes, its original), where no web server in front
    serves MEDIA_ROOT (SERVE_MEDIA_IMAGES): gunicorn sends it with sendfile, and a browser
    that has it asks again with If-Modified-Since."""
    try:
        return static_serve(request, path, document_root=settings.MEDIA_ROOT / folder)
    except SuspiciousFileOperation:  # a path that leaves the folder ("../")
        raise Http404 from None
