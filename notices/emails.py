"""The e-mails to subscribers: German plain text with an HTML alternative, each with the
links and headers (RFC 8058 one-click) to change or end the subscription.

A notification reads the same for every recipient but for its links, so it is rendered
once per dispatch and personalised by replacing placeholders.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import models
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


def subscription_url(site: Site, token: str, name: str) -> str:
    return site_root_url(site) + reverse(name, kwargs={"token": token})


@dataclass(frozen=True)
class Recipient:
    """Who an e-mail goes to: what the sender reads of the subscription (or saved search)
    it has locked."""

    pk: int
    email: str
    token: str
    failure_count: int = 0
    model: type[models.Model] = Subscription


# Stand-ins in the serialised e-mail, replaced for each recipient (see MailTemplate.wire).
TOKEN_MARK = "subscription-token-mark"  # noqa: S105 (a placeholder, not a secret)
RECIPIENT_MARK = "recipient@mark.invalid"
MESSAGE_KEY_MARK = "message-key-mark"


def message_key(delivery: Delivery) -> str:
    # Stable, so a mailbox recognises the same e-mail should it ever arrive twice.
    return f"{delivery.pk}.{int(delivery.created_at.timestamp())}"


@dataclass
class MailTemplate:
    """A rendered e-mail whose links to change or end the subscription are still placeholders."""

    subject: str
    text: str
    html: str
    site: Site
    has_subscription_links: bool = True
    # Where the links to change or end it lead: a subscription's pages or a saved search's.
    manage_url_name: str = "notices:subscription_manage"
    unsubscribe_url_name: str = "notices:subscription_unsubscribe"
    _wire: bytes | None = field(default=None, init=False, repr=False)

    def message(self, *, email: str, token: str, key: str) -> EmailMultiAlternatives:
        text, html = self.text, self.html
        headers = {
            "Message-ID": f"<delivery.{key}@{self.site.hostname or 'localhost'}>",
            "Auto-Submitted": "auto-generated",
        }
        if self.has_subscription_links:
            manage = subscription_url(self.site, token, self.manage_url_name)
            unsubscribe = subscription_url(self.site, token, self.unsubscribe_url_name)
            text = text.replace(MANAGE_URL, manage).replace(UNSUBSCRIBE_URL, unsubscribe)
            html = html.replace(MANAGE_URL, manage).replace(UNSUBSCRIBE_URL, unsubscribe)
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            subject=self.subject, body=text, to=[email], headers=headers
        )
        message.attach_alternative(html, "text/html")
        return message

    def wire(self, *, email: str, token: str, key: str) -> bytes | None:
        """The e-mail as the SMTP server receives it, from a form serialised once.

        Building and serialising a MIME message costs more than all else a sender does per
        e-mail; the recipients of one notice differ only in address, token and Message-ID.
        None where replacing is not safe (an address that needs encoding, a body the
        serialiser had to encode), and the caller builds the message as usual.
        """
        if not email.isascii() or not token.isascii():
            return None
        if self._wire is None:
            form = self.message(email=RECIPIENT_MARK, token=TOKEN_MARK, key=MESSAGE_KEY_MARK)
            data = form.message().as_bytes(linesep="\r\n")
            tokens = 0
            if self.has_subscription_links:
                # every link in both parts, and the List-Unsubscribe header
                tokens = 1 + sum(
                    part.count(url)
                    for part in (self.text, self.html)
                    for url in (MANAGE_URL, UNSUBSCRIBE_URL)
                )
            is_verbatim = (
                data.count(RECIPIENT_MARK.encode()) == 1
                and data.count(MESSAGE_KEY_MARK.encode()) == 1
                and data.count(TOKEN_MARK.encode()) == tokens
            )
            self._wire = data if is_verbatim else b""
        if not self._wire:
            return None
        return (
            self._wire.replace(TOKEN_MARK.encode(), token.encode())
            .replace(RECIPIENT_MARK.encode(), email.encode())
            .replace(MESSAGE_KEY_MARK.encode(), key.encode())
        )


def mail_render(template: str, subject: str, context: dict, site: Site, **kwargs) -> MailTemplate:
    """Render an e-mail from `<template>.txt` and `<template>.html` in the common layout."""
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
        text=render_to_string(f"{template}.txt", context).strip() + "\n",
        html=render_to_string(f"{template}.html", context),
        site=site,
        **kwargs,
    )


def notification_template(dispatch: Dispatch) -> MailTemplate:
    subject = f"{dispatch.label}: {dispatch.title}"
    # What the link does, where the source is not a notice to read (a survey: take part).
    source = ContentType.objects.get_for_id(dispatch.source_type_id).model_class()
    context = {
        "dispatch": dispatch,
        "ortschaften": list(dispatch.ortschaften.all()),
        "link_text": getattr(source, "notification_link_text", ""),
    }
    return mail_render("notices/email/notification", subject, context, dispatch.site)


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
    return mail_render("notices/email/digest", subject, context, subscription.site)


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
    return mail_render("notices/email/confirmation", subject, context, subscription.site)


def reminder_template(subscription: Subscription) -> MailTemplate:
    municipality = MunicipalitySettings.for_site(subscription.site)
    subject = _("Your subscription – citizen portal %(name)s") % {"name": municipality.name}
    return mail_render(
        "notices/email/reminder", subject, {"subscription": subscription}, subscription.site
    )


class MailTemplates:
    """Templates rendered once per batch: all recipients of a dispatch share one."""

    def __init__(self):
        self._notifications: dict[int, MailTemplate] = {}

    def _template(self, delivery: Delivery, recipient: Recipient) -> MailTemplate:
        if delivery.saved_search_id is not None:
            from archive.alerts import alert_mail_template

            # Each names its saved search, so it is rendered for its recipient.
            return alert_mail_template(delivery=delivery, saved_search_id=recipient.pk)
        if delivery.kind == Delivery.Kind.NOTIFICATION:
            if delivery.dispatch_id not in self._notifications:
                self._notifications[delivery.dispatch_id] = notification_template(delivery.dispatch)
            return self._notifications[delivery.dispatch_id]
        subscription = Subscription.objects.select_related("site").get(pk=recipient.pk)
        if delivery.kind == Delivery.Kind.DIGEST:
            return digest_template(delivery, subscription)
        if delivery.kind == Delivery.Kind.CONFIRMATION:
            return confirmation_template(subscription)
        return reminder_template(subscription)

    def send(self, backend: BaseEmailBackend, delivery: Delivery, recipient: Recipient) -> None:
        """Send one e-mail over the backend's open connection; smtplib's errors propagate."""
        template = self._template(delivery, recipient)
        key = message_key(delivery)
        wire = None
        if isinstance(backend, SMTPBackend) and backend.connection is not None:
            wire = template.wire(email=recipient.email, token=recipient.token, key=key)
        if wire is None:
            message = template.message(email=recipient.email, token=recipient.token, key=key)
            backend.send_messages([message])
            return
        # What Django's SMTP backend does with a message, minus building it anew.
        backend.connection.sendmail(
            sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET),
            [recipient.email],
            wire,
        )
