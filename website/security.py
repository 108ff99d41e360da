"""What the portal does for its security on every request: the admin's own
Content-Security-Policy (with Wagtail's choosers started without inline scripts), and a log
of log-ins, failed log-ins and refused requests.

The log names the account by its id and the client by its address, never by an e-mail
address, a user name or a password: enough to see an attack, nothing more about a person.
"""

import functools
import json
import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q
from django.http import HttpRequest, HttpResponseBase
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import escape, format_html
from wagtail.admin.widgets import BaseChooser
from wagtail.admin.widgets.workflows import AdminTaskChooser

logger = logging.getLogger("website.security")


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, where the rate limits find it (RATELIMIT_IP_META_KEY)."""
    if request is None:
        return "-"
    return request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR", "-")


def admin_path_prefixes() -> tuple[str, ...]:
    """The paths of the Wagtail admin and Django's admin, as configured; asked on every
    request, so looked up once per URLconf and script prefix."""
    return _admin_path_prefixes(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.cache
def _admin_path_prefixes(urlconf: str, script_prefix: str) -> tuple[str, ...]:
    return (reverse("wagtailadmin_home", urlconf=urlconf), reverse("admin:index", urlconf=urlconf))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with CONTENT_SECURITY_POLICY_ADMIN for the admin paths.

    Wagtail's admin needs inline scripts; the public pages, where untrusted text is shown,
    keep the strict CONTENT_SECURITY_POLICY.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        # Wagtail renders a preview by running the middleware for a dummy request to the
        # page's public address; the public policy's frame-ancestors 'none' would then keep
        # the admin from showing it. The admin's response that carries it gets the admin's.
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        is_admin = request.path_info.startswith(admin_path_prefixes())
        # A view's own choice (django-csp's decorators) wins over the path.
        if is_admin and not report_only and parts.config is None:
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts


# Wagtail's admin refuses a logged-in member of staff with a redirect to its dashboard and
# this message (wagtail.admin.auth.permission_denied), not with a 403.
WAGTAIL_PERMISSION_DENIED = "Sorry, you do not have permission to access this area."


def _is_wagtail_refusal(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 302:
        return False
    # The messages added during this request, read without marking them as shown.
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    if not queued:
        return False
    # Wagtail renders the message in HTML, in the member of staff's admin language.
    refusals = set()
    for language, _name in settings.WAGTAILADMIN_PERMITTED_LANGUAGES:
        with translation.override(language):
            refusals.add(escape(translation.gettext(WAGTAIL_PERMISSION_DENIED)))
    return any(refusal in str(message.message) for message in queued for refusal in refusals)


# Parts of an address that are a key to somebody's subscription or account.
SECRET_URL_PARAMETERS = {"token", "signature", "key", "uidb36"}


def _logged_path(request: HttpRequest) -> str:
    """The path, or its route where the address carries a token a log must not keep."""
    match = request.resolver_match
    if match is not None and SECRET_URL_PARAMETERS & set(match.kwargs):
        return "/" + match.route
    return request.path


class PermissionDeniedLogMiddleware:
    """Logs every refused request (403, and the admin's refusals): who (the account id),
    from where, and which path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 403 or _is_wagtail_refusal(request, response):
            user = getattr(request, "user", None)
            logger.warning(
                "Permission denied: user %s from %s, %s %s",
                user.pk if user is not None and user.is_authenticated else "anonymous",
                client_address(request),
                request.method,
                _logged_path(request),
            )
        return response


def _account_id(credentials: dict) -> str:
    """The id of the account a failed log-in tried, if it exists; the name tried stays out."""
    name = credentials.get("email") or credentials.get("username") or ""
    # A NUL byte is no name PostgreSQL can compare; no account has one.
    if not isinstance(name, str) or not name or "\x00" in name:
        return "unknown"
    user = (
        get_user_model()
        .objects.filter(Q(email__iexact=name) | Q(username=name))
        .values_list("pk", flat=True)
        .first()
    )
    return str(user) if user is not None else "unknown"


def log_logged_in(sender, request, user, **kwargs):
    logger.info("Log-in: user %s from %s", user.pk, client_address(request))


def log_logged_out(sender, request, user, **kwargs):
    if user is not None:
        logger.info("Log-out: user %s from %s", user.pk, client_address(request))


def log_login_failed(sender, credentials, request=None, **kwargs):
    logger.warning(
        "Failed log-in: user %s from %s", _account_id(credentials), client_address(request)
    )


_wagtail_chooser_render = BaseChooser.render


def _chooser_starter(widget: BaseChooser) -> str | None:
    """What static/js/admin-init.js calls to start a chooser; None for one it does not know."""
    render_js_init = type(widget).render_js_init
    if render_js_init is BaseChooser.render_js_init:
        return widget.js_constructor  # `new PageChooser(id, options)` and the like
    if render_js_init is AdminTaskChooser.render_js_init:
        return "createTaskChooser"
    return None


def _chooser_render(self: BaseChooser, name, value, attrs=None, renderer=None):
    """Wagtail's BaseChooser.render, with a mark for static/js/admin-init.js where Wagtail
    writes an inline script, which the admin's Content-Security-Policy does not run."""
    starter = _chooser_starter(self)
    if starter is None or not attrs or "id" not in attrs:
        return _wagtail_chooser_render(self, name, value, attrs, renderer)
    element_id = attrs["id"]
    value_data = self.get_value_data(value)
    options = self.get_js_init_options(element_id, name, value_data)
    return format_html(
        '{}<template data-admin-init="{}" data-for="{}" data-options="{}"></template>',
        self.render_html(name, value_data, attrs),
        starter,
        element_id,
        json.dumps(options),
    )


def admin_choosers_without_inline_scripts() -> None:
    BaseChooser.render = _chooser_render


def register_signal_handlers():
    user_logged_in.connect(log_logged_in, dispatch_uid="security_log_logged_in")
    user_logged_out.connect(log_logged_out, dispatch_uid="security_log_logged_out")
    user_login_failed.connect(log_login_failed, dispatch_uid="security_log_login_failed")
