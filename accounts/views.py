"""The citizen's account: name and Ortschaft, their data as a file, deleting it."""

import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from website.ortschaft import ortschaft_remember

from . import privacy
from .forms import AccountDeleteForm, CitizenProfileForm

logger = logging.getLogger(__name__)

# Codes to confirm a deletion, per account: enough for a lost e-mail or two.
DELETE_CODE_RATE = "3/15m"
DELETE_CODE_RATE_LIMITED = gettext_lazy(
    "We have sent you several codes in a short time. Please look for the newest e-mail, or "
    "wait up to 15 minutes before you ask for another code."
)


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
        response = redirect(reverse("account_overview") + "?gespeichert=1")
        # From now on the portal shows this Ortschaft first, as if chosen in the header.
        ortschaft_remember(response, request=request, ortschaft=form.cleaned_data["ortschaft"])
        return response
    return render(
        request,
        "accounts/account.html",
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
    """Asks for confirmation (GET shows the form, nothing more), then deletes the account.

    The password confirms it, or a code sent by e-mail (`action=send_code`) for whoever
    logs in by code and has no password at hand.
    """
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return _delete_code_send(request)
    valid_until = privacy.account_delete_code_valid_until(session=request.session)
    # Bound also to an empty POST: without the tick, that is a refusal with its message.
    data = request.POST if request.method == "POST" else None
    form = AccountDeleteForm(
        data, has_password=user.has_usable_password(), has_code=valid_until is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            privacy.account_delete(
                user=user,
                is_confirmed=form.cleaned_data["is_confirmed"],
                password=form.cleaned_data.get("password", ""),
                code=form.cleaned_data.get("code"),
                session=request.session,
            )
        except ValidationError as error:
            # Keyed by the form's fields (tick, password, code), or for the whole form.
            form.add_error(None, error)
        else:
            logout(request)
            return redirect("account_deleted")
    return render(
        request, "accounts/account_delete.html", {"form": form, "code_valid_until": valid_until}
    )


def _delete_code_send(request: HttpRequest) -> HttpResponse:
    if is_ratelimited(
        request,
        group="account-delete-code",
        key="user",
        rate=DELETE_CODE_RATE,
        increment=True,
    ):
        logger.warning("Deletion codes rate-limited for account %s", request.user.pk)
        messages.error(request, DELETE_CODE_RATE_LIMITED)
    else:
        valid_until = privacy.account_delete_code_send(request=request, user=request.user)
        messages.success(
            request,
            _("We have sent you a code by e-mail. It is valid until %(time)s.")
            % {"time": timezone.localtime(valid_until).strftime("%H:%M")},
        )
    return redirect("account_delete")


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account_deleted.html")
