import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .celery import app as celery_app
from .models import Ortschaft
from .ortschaft import COOKIE_MAX_AGE, COOKIE_NAME

logger = logging.getLogger(__name__)


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
    if slug and Ortschaft.objects.filter(slug=slug).exists():
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


@login_required
@require_GET
def account_overview(request: HttpRequest) -> HttpResponse:
    """The citizen's account: addresses, e-mail notifications, password, log-out."""
    return render(request, "barleben_portal/account.html")


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
