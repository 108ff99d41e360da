"""The board's audience of the notification service: its subscriptions, whom a dispatch
concerns (by Ortschaft, kind and category), and how its e-mails read.

Registered from NoticesConfig.ready(). Other parts announce to it by name, e.g. a survey's
opening (participation.announcing), with no kind or category.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.audiences import Audience
from notifications.email import MailTemplate, mail_render
from notifications.models import Delivery, Dispatch, Frequency
from notifications.recipients import CONFIRMATION_MAX_AGE, confirmation_url
from website.models import MunicipalitySettings

from .models import Subscription
from .subscriptions import AUDIENCE, subscriptions_matching


class BoardAudience(Audience):
    name = AUDIENCE
    recipient_model = Subscription
    confirmation_salt = "notices.subscription.confirm"
    confirm_url_name = "notices:subscription_confirm"
    manage_url_name = "notices:subscription_manage"
    unsubscribe_url_name = "notices:subscription_unsubscribe"

    def recipients_matching(
        self, *, site_id: int, source_id: int, ortschaft_ids: list[int], criteria: dict
    ) -> QuerySet[Subscription]:
        return subscriptions_matching(
            site_id=site_id,
            ortschaft_ids=ortschaft_ids,
            kind_id=criteria.get("kind"),
            category_ids=criteria.get("categories", []),
        )

    def notification(self, *, dispatch: Dispatch, recipient_id: int) -> MailTemplate:
        subject = f"{dispatch.label}: {dispatch.title}"
        # What the link does, where the source is not a notice to read (a survey: take part).
        source = ContentType.objects.get_for_id(dispatch.source_type_id).model_class()
        context = {
            "dispatch": dispatch,
            "ortschaften": list(dispatch.ortschaften.all()),
            "link_text": getattr(source, "notification_link_text", ""),
        }
        return mail_render(
            "notices/email/notification", subject, context, dispatch.site, audience=self
        )

    def message(self, *, delivery: Delivery, recipient: Subscription) -> MailTemplate:
        if delivery.kind == Delivery.Kind.DIGEST:
            return digest_template(self, delivery, recipient)
        if delivery.kind == Delivery.Kind.CONFIRMATION:
            return confirmation_template(self, recipient)
        return reminder_template(self, recipient)


def digest_template(
    audience: Audience, delivery: Delivery, subscription: Subscription
) -> MailTemplate:
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
    return mail_render(
        "notices/email/digest", subject, context, subscription.site, audience=audience
    )


def confirmation_template(audience: Audience, subscription: Subscription) -> MailTemplate:
    municipality = MunicipalitySettings.for_site(subscription.site)
    expires_at = timezone.localtime(timezone.now() + CONFIRMATION_MAX_AGE)
    context = {
        "subscription": subscription,
        "confirm_url": confirmation_url(audience=audience, recipient=subscription),
        "expires_at": date_format(expires_at, "DATETIME_FORMAT"),
        "ortschaften": list(subscription.ortschaften.all()),
        "kinds": list(subscription.kinds.all()),
        "categories": list(subscription.categories.all()),
    }
    subject = _("Please confirm your subscription – citizen portal %(name)s") % {
        "name": municipality.name
    }
    return mail_render(
        "notices/email/confirmation", subject, context, subscription.site, audience=audience
    )


def reminder_template(audience: Audience, subscription: Subscription) -> MailTemplate:
    municipality = MunicipalitySettings.for_site(subscription.site)
    subject = _("Your subscription – citizen portal %(name)s") % {"name": municipality.name}
    return mail_render(
        "notices/email/reminder",
        subject,
        {"subscription": subscription},
        subscription.site,
        audience=audience,
    )
