"""The e-mail channel: German plain text with an HTML alternative, each with the links and
headers (RFC 8058 one-click) to change or end what the recipient receives.

A notification reads the same for every recipient but for its links, so it is rendered
once per dispatch and personalised by replacing placeholders.
"""

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.models import Site

from website.models import MunicipalitySettings

from .channels import Addressee, ConnectionFailure, Refused
from .models import Delivery

if TYPE_CHECKING:  # audiences imports this module for MailTemplate
    from .audiences import Audience

MANAGE_URL = "__MANAGE_URL__"
UNSUBSCRIBE_URL = "__UNSUBSCRIBE_URL__"


def site_root_url(site: Site) -> str:
    return site.root_url if site.hostname not in {"", "localhost"} else settings.BASE_URL


def recipient_url(site: Site, token: str, name: str) -> str:
    return site_root_url(site) + reverse(name, kwargs={"token": token})


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
    # Where the links to change or end what the recipient receives lead (URL names taking
    # the recipient's token): its audience's pages.
    manage_url_name: str
    unsubscribe_url_name: str
    _wire: bytes | None = field(default=None, init=False, repr=False)

    def message(self, *, email: str, token: str, key: str) -> EmailMultiAlternatives:
        text, html = self.text, self.html
        headers = {
            "Message-ID": f"<delivery.{key}@{self.site.hostname or 'localhost'}>",
            "Auto-Submitted": "auto-generated",
        }
        manage = recipient_url(self.site, token, self.manage_url_name)
        unsubscribe = recipient_url(self.site, token, self.unsubscribe_url_name)
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


def mail_render(
    template: str, subject: str, context: dict, site: Site, *, audience: "Audience"
) -> MailTemplate:
    """Render an e-mail from `<template>.txt` and `<template>.html` in the common layout, its
    links to change or end what the recipient receives leading to the audience's pages."""
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
        manage_url_name=audience.manage_url_name,
        unsubscribe_url_name=audience.unsubscribe_url_name,
    )


def _smtp_refusal(error: smtplib.SMTPException) -> Refused:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (550, b"refused"))
    else:
        code, text = error.smtp_code, error.smtp_error
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return Refused(f"{code} {text}".strip(), is_temporary=400 <= code < 500)


class EmailBatch:
    """E-mails over one open connection; notifications shared by a dispatch rendered once."""

    def __init__(self, backend: BaseEmailBackend):
        self.backend = backend
        self._shared: dict[int, MailTemplate] = {}

    def _template(self, delivery: Delivery, addressee: Addressee, audience) -> MailTemplate:
        if delivery.kind != Delivery.Kind.NOTIFICATION:
            recipient = audience.recipient_model.objects.select_related("site").get(pk=addressee.pk)
            return audience.message(delivery=delivery, recipient=recipient)
        if not audience.is_notification_shared:
            return audience.notification(dispatch=delivery.dispatch, recipient_id=addressee.pk)
        if delivery.dispatch_id not in self._shared:
            self._shared[delivery.dispatch_id] = audience.notification(
                dispatch=delivery.dispatch, recipient_id=addressee.pk
            )
        return self._shared[delivery.dispatch_id]

    def send(self, *, delivery: Delivery, addressee: Addressee, audience) -> None:
        """Send one e-mail over the open connection; Refused or ConnectionFailure if not."""
        template = self._template(delivery, addressee, audience)
        try:
            self._send(template, delivery, addressee)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            raise _smtp_refusal(error) from error
        except (smtplib.SMTPException, OSError) as error:
            # Refused sender, lost connection, timeout: the server, not this address.
            raise ConnectionFailure(f"{type(error).__name__}: {error}") from error

    def _send(self, template: MailTemplate, delivery: Delivery, addressee: Addressee) -> None:
        key = message_key(delivery)
        backend = self.backend
        wire = None
        if isinstance(backend, SMTPBackend) and backend.connection is not None:
            wire = template.wire(email=addressee.email, token=addressee.token, key=key)
        if wire is None:
            message = template.message(email=addressee.email, token=addressee.token, key=key)
            backend.send_messages([message])
            return
        # What Django's SMTP backend does with a message, minus building it anew.
        backend.connection.sendmail(
            sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET),
            [addressee.email],
            wire,
        )


class EmailChannel:
    name = "email"

    @contextmanager
    def open(self) -> Iterator[EmailBatch]:
        try:
            backend = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
            backend.open()
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectionFailure(f"{type(error).__name__}: {error}") from error
        try:
            yield EmailBatch(backend)
        finally:
            # The batch's outcomes are recorded; a QUIT that fails changes none.
            with suppress(smtplib.SMTPException, OSError):
                backend.close()
