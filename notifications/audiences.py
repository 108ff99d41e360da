"""Audiences: the groups of recipients the notification service tells, each registered by the
app that owns it (the board's subscriptions, the archive's saved searches, …).

The service knows no feature app. An app describes its audience once, with an `Audience`
subclass registered from its `AppConfig.ready()`: which model holds its recipients, whom a
dispatch concerns, how its messages read, and where the links in them lead. The fan-out,
the senders, double opt-in, digests, the sweep and retention then work for it unchanged.
"""

from django.db.models import QuerySet

from .email import MailTemplate
from .models import Delivery, Dispatch, Recipient


class Audience:
    """What the service needs to know of one audience; subclass it and register an instance."""

    # The name dispatches, deliveries and digest entries store; never change it once used.
    name: str
    recipient_model: type[Recipient]
    # Salt of its confirmation links; changing it invalidates the links in mailboxes.
    confirmation_salt: str
    # URL names of the page that confirms a sign-up (with its `signature`) and of the pages
    # to change or end it (with the recipient's `token`).
    confirm_url_name: str
    manage_url_name: str
    unsubscribe_url_name: str
    # Whether a notification reads the same for every recipient of a dispatch (but for its
    # links), so that it is rendered once per dispatch instead of once per recipient.
    is_notification_shared = True

    def recipients_matching(
        self, *, site_id: int, source_id: int, ortschaft_ids: list[int], criteria: dict
    ) -> QuerySet:
        """The active recipients a dispatch with these properties concerns."""
        raise NotImplementedError

    def notification(self, *, dispatch: Dispatch, recipient_id: int) -> MailTemplate:
        """The e-mail that tells a recipient of a dispatch."""
        raise NotImplementedError

    def message(self, *, delivery: Delivery, recipient: Recipient) -> MailTemplate:
        """Any other e-mail to a recipient: confirmation request, reminder, digest."""
        raise NotImplementedError


_registry: dict[str, Audience] = {}


def register(audience: Audience) -> None:
    """Make an audience known to the service; call it from the owning app's ready()."""
    known = _registry.get(audience.name)
    if known is not None and type(known) is not type(audience):
        raise ValueError(f"Two audiences named {audience.name!r}")
    _registry[audience.name] = audience


def audience_for(name: str) -> Audience:
    """The registered audience of this name; LookupError if no installed app registered it."""
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"No audience {name!r} is registered") from None


def audiences() -> list[Audience]:
    return list(_registry.values())
