"""The citizen's account: name and Ortschaft, their data as a file, deleting it."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import privacy
from .forms import AccountDeleteForm, CitizenProfileForm


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
    return render(request, "accounts/account_delete.html", {"form": form})


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account_deleted.html")
