import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.static import serve as static_serve

from . import privacy
from .celery import app as celery_app
from .forms import AccountDeleteForm, CitizenProfileForm
from .ortschaft import COOKIE_MAX_AGE, COOKIE_NAME, ortschaft_for_slug

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


@login_required
@require_http_methods(["GET", "POST"])
def account_overview(request: HttpRequest) -> HttpResponse:
    """The citizen's account: name and Ortschaft to change, what they subscribed to, saved
    and took part in, and the ways to their addresses, password and data."""
    profile = privacy.account_profile(user=request.user)
    initial = {"name": profile.name, "ortschaft": profile.ortschaft} if profile else {}
    data = request.POST if request.method == "POST" else None
    form = CitizenProfileForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        privacy.account_profile_update(user=request.user, **form.cleaned_data)
        return redirect(reverse("account_overview") + "?gespeichert=1")
    return render(
        request,
        "barleben_portal/account.html",
        {
            "form": form,
            "is_saved": "gespeichert" in request.GET,
            "subscriptions": privacy.account_subscriptions(user=request.user).filter(
                confirmed_at__isnull=False
            ),
            "saved_searches": privacy.account_saved_searches(user=request.user).filter(
                confirmed_at__isnull=False
            ),
            "surveys": privacy.account_survey_participations(user=request.user),
        },
    )


@never_cache
@login_required
@require_GET
def account_data_download(request: HttpRequest) -> JsonResponse:
    """Everything the portal holds about the account, as a JSON file (Art. 15, 20 DSGVO)."""
    response = JsonResponse(
        privacy.account_data_export(user=request.user),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    filename = f"buergerportal-daten-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """Asks for confirmation (GET shows the form, nothing more), then deletes the account."""
    user = request.user
    # Bound also to an empty POST: without the tick, that is a refusal with its message.
    data = request.POST if request.method == "POST" else None
    form = AccountDeleteForm(data, has_password=user.has_usable_password())
    if request.method == "POST" and form.is_valid():
        try:
            privacy.account_delete(
                user=user,
                is_confirmed=form.cleaned_data["is_confirmed"],
                password=form.cleaned_data.get("password", ""),
            )
        except ValidationError as error:
            # Keyed by the form's fields (tick, password), or for the whole form.
            form.add_error(None, error)
        else:
            logout(request)
            return redirect("account_deleted")
    return render(request, "barleben_portal/account_delete.html", {"form": form})


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "barleben_portal/account_deleted.html")


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
