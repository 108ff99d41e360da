"""The e-mails to subscribers: German plain text with an HTML alternative, each with the
links and headers (RFC 8058 one-click) to change or end the subscription.

A notification reads the same for every recipient but for its links, so it is rendered
once per dispatch and personalised by replacing placeholders.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from barleben_portal.models import MunicipalitySettings

from .models import Delivery, Dispatch, Frequency, Subscription

MANAGE_URL = "__MANAGE_URL__"
UNSUBSCRIBE_URL = "__UNSUBSCRIBE_URL__"


def site_root_url(site: Site) -> str:
    return site.root_url if site.hostname not in {"", "localhost"} else settings.BASE_URL


def subscription_url(subscription: Subscription, name: str, **kwargs) -> str:
    return site_root_url(subscription.site) + reverse(
        name, kwargs={"token": subscription.token, **kwargs}
    )


@dataclass
class MailTemplate:
    """A rendered e-mail whose links to change or end the subscription are still placeholders."""

    subject: str
    text: str
    html: str
    has_subscription_links: bool = True

    def message(self, *, delivery: Delivery, subscription: Subscription) -> EmailMultiAlternatives:
        text, html = self.text, self.html
        headers = {
            # Stable, so a mailbox recognises the same e-mail should it ever arrive twice.
            "Message-ID": "<delivery.{}.{}@{}>".format(
                delivery.pk,
                int(delivery.created_at.timestamp()),
                subscription.site.hostname or "localhost",
            ),
            "Auto-Submitted": "auto-generated",
        }
        if self.has_subscription_links:
            manage = subscription_url(subscription, "notices:subscription_manage")
            unsubscribe = subscription_url(subscription, "notices:subscription_unsubscribe")
            text = text.replace(MANAGE_URL, manage).replace(UNSUBSCRIBE_URL, unsubscribe)
            html = html.replace(MANAGE_URL, manage).replace(UNSUBSCRIBE_URL, unsubscribe)
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            subject=self.subject, body=text, to=[subscription.email], headers=headers
        )
        message.attach_alternative(html, "text/html")
        return message


def _render(name: str, subject: str, context: dict, site: Site, **kwargs) -> MailTemplate:
    municipality = MunicipalitySettings.for_site(site)
    context = {
        **context,
        "subject": subject,
        "municipality": municipality,
        "site_url": site_root_url(site),
        "manage_url": MANAGE_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
    }
    return MailTemplate(
        subject=subject,
        text=render_to_string(f"notices/email/{name}.txt", context).strip() + "\n",
        html=render_to_string(f"notices/email/{name}.html", context),
        **kwargs,
    )


def notification_template(dispatch: Dispatch) -> MailTemplate:
    subject = f"{dispatch.label}: {dispatch.title}"
    context = {"dispatch": dispatch, "ortschaften": list(dispatch.ortschaften.all())}
    return _render("notification", subject, context, dispatch.site)


def digest_template(delivery: Delivery, subscription: Subscription) -> MailTemplate:
    dispatches = [
        entry.dispatch
        for entry in delivery.entries.select_related("dispatch")
        .prefetch_related("dispatch__ortschaften")
        .order_by("dispatch__created_at", "dispatch__pk")
    ]
    if subscription.frequency == Frequency.WEEKLY:
        heading = _("Your weekly summary")
    elif subscription.frequency == Frequency.DAILY:
        heading = _("Your daily summary")
    else:
        # News held for a summary before its subscriber chose immediate e-mails.
        heading = _("Your summary")
    count = ngettext("%(count)d new notice", "%(count)d new notices", len(dispatches)) % {
        "count": len(dispatches)
    }
    subject = f"{heading}: {count}"
    context = {"dispatches": dispatches, "heading": heading, "count": count}
    return _render("digest", subject, context, subscription.site)


def confirmation_template(subscription: Subscription, now: datetime | None = None) -> MailTemplate:
    from .subscriptions import CONFIRMATION_MAX_AGE, confirmation_signature

    municipality = MunicipalitySettings.for_site(subscription.site)
    expires_at = timezone.localtime((now or timezone.now()) + CONFIRMATION_MAX_AGE)
    context = {
        "subscription": subscription,
        "confirm_url": site_root_url(subscription.site)
        + reverse(
            "notices:subscription_confirm",
            kwargs={"signature": confirmation_signature(subscription)},
        ),
        "expires_at": date_format(expires_at, "DATETIME_FORMAT"),
        "ortschaften": list(subscription.ortschaften.all()),
        "kinds": list(subscription.kinds.all()),
        "categories": list(subscription.categories.all()),
    }
    subject = _("Please confirm your subscription – citizen portal %(name)s") % {
        "name": municipality.name
    }
    return _render("confirmation", subject, context, subscription.site)


def reminder_template(subscription: Subscription) -> MailTemplate:
    municipality = MunicipalitySettings.for_site(subscription.site)
    subject = _("Your subscription – citizen portal %(name)s") % {"name": municipality.name}
    return _render("reminder", subject, {"subscription": subscription}, subscription.site)


class MailTemplates:
    """Templates rendered once per batch: all recipients of a dispatch share one."""

    def __init__(self):
        self._notifications: dict[int, MailTemplate] = {}

    def message(self, delivery: Delivery, subscription: Subscription) -> EmailMultiAlternatives:
        if delivery.kind == Delivery.Kind.NOTIFICATION:
            if delivery.dispatch_id not in self._notifications:
                self._notifications[delivery.dispatch_id] = notification_template(delivery.dispatch)
            template = self._notifications[delivery.dispatch_id]
        elif delivery.kind == Delivery.Kind.DIGEST:
            template = digest_template(delivery, subscription)
        elif delivery.kind == Delivery.Kind.CONFIRMATION:
            template = confirmation_template(subscription)
        else:
            template = reminder_template(subscription)
        return template.message(delivery=delivery, subscription=subscription)
