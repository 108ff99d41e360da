"""Accounts (django-allauth): e-mails in the municipality's name, and the second factor that
staff and council members need for the admin."""

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from website.models import MunicipalitySettings
from website.security import admin_path_prefixes

logger = logging.getLogger(__name__)


def user_display(user) -> str:
    """How allauth's pages and messages name an account (ACCOUNT_USER_DISPLAY)."""
    return user.email or gettext("your account")


def login_code_valid_until() -> datetime:
    """Until when a log-in code sent now is valid."""
    return timezone.now() + timedelta(seconds=settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT)


# After too many wrong codes allauth ends the code: a new one can be asked for at once.
TOO_MANY_WRONG_CODES = _(
    "The code was entered wrongly too often and is no longer valid. You can ask for a new "
    "code at once: enter your e-mail address below."
)


class AccountAdapter(DefaultAccountAdapter):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        # Made per request (allauth makes an adapter for each), in the language it is in.
        self.error_messages = {
            **self.error_messages,
            # Failed passwords are counted per account (ACCOUNT_RATE_LIMITS).
            "too_many_login_attempts": ngettext(
                "Too many failed log-ins to this account. Please wait %(minutes)s minute, "
                "then try again, or log in with a code sent by e-mail.",
                "Too many failed log-ins to this account. Please wait %(minutes)s minutes, "
                "then try again, or log in with a code sent by e-mail.",
                settings.LOGIN_FAILED_WAIT_MINUTES,
            )
            % {"minutes": settings.LOGIN_FAILED_WAIT_MINUTES},
            # allauth's limits on requests (log-in codes, sign-ups, resets) count per minute.
            "rate_limited": gettext(
                "There were too many requests in a short time. Please wait a minute, then "
                "try again."
            ),
        }

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
        if template_prefix == "account/email/login_code":
            context["valid_until"] = login_code_valid_until()
        super().send_mail(template_prefix, email, context)

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template == "account/messages/login_code_sent.txt":
            message_context = {**(message_context or {}), "valid_until": login_code_valid_until()}
        is_code_page = (
            getattr(request.resolver_match, "url_name", "") == "account_confirm_login_code"
        )
        if is_code_page and message == self.error_messages["too_many_login_attempts"]:
            message = TOO_MANY_WRONG_CODES
        super().add_message(request, level, message_template, message_context, extra_tags, message)


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
