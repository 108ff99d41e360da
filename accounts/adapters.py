"""Accounts (django-allauth): e-mails in the municipality's name, and the second factor that
staff and council members need for the admin."""

import logging
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from website.models import MunicipalitySettings
from website.security import admin_path_prefixes

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites allauth would sign its e-mails with the host name.
        site = Site.objects.filter(is_default_site=True).first()
        municipality = MunicipalitySettings.for_site(site) if site else None
        name = municipality.name if municipality else settings.WAGTAIL_SITE_NAME
        context = {
            "current_site": SimpleNamespace(name=name, domain=settings.BASE_URL),
            "municipality": municipality,
            **context,
        }
        super().send_mail(template_prefix, email, context)


SECOND_FACTOR_NEEDED = _(
    "The administration area needs a second factor. Please set up an authenticator app "
    "(or a security key) for your account; afterwards the log-in asks for its code."
)


def second_factor_required(user) -> bool:
    """Staff and council members: whoever may enter an admin."""
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def second_factor_active(user) -> bool:
    """An authenticator app or a security key; recovery codes alone are not one."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff keep at least one second factor: another one first, then this one may go."""
        user = authenticator.user
        if authenticator.type not in SECOND_FACTORS or not second_factor_required(user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(
            pk=authenticator.pk
        )
        return others.exists()


class SecondFactorRequiredMiddleware:
    """Keeps staff and council members out of both admins until their account has a second
    factor; they are sent to set one up. Once it has one, every log-in asks for it (allauth's
    log-in stages), so a session of such an account has passed it: only the session in which
    it was set up, with a code just entered, has not gone through a log-in with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            request.path_info.startswith(admin_path_prefixes())
            and second_factor_required(user)
            and not second_factor_active(user)
        ):
            logger.warning("Staff member %s was sent to set up a second factor", user.pk)
            messages.warning(request, SECOND_FACTOR_NEEDED)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
