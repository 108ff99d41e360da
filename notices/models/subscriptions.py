"""What citizens subscribe to on the board: the board's audience of the notification service."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from notifications.models import Recipient
from website.models import Ortschaft

from .board import Category, NoticeKind


class Subscription(Recipient):
    """A citizen's wish to be told about new notices; active once the address is confirmed.

    Empty Ortschaften, kinds or categories mean "all of them".
    """

    ortschaften = models.ManyToManyField(Ortschaft, verbose_name=_("Ortschaften"), blank=True)
    kinds = models.ManyToManyField(NoticeKind, verbose_name=_("kinds of notice"), blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(Lower("email"), "site", name="one_subscription_per_address"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "signed_up_at"])]
        permissions = [("export_subscription", _("Can export subscribers"))]

    def __str__(self) -> str:
        return self.email
