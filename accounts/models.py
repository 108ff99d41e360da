from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from website.models import Ortschaft


class CitizenProfile(models.Model):
    """What a citizen tells about themselves beyond the log-in: a name and their Ortschaft.

    Both are optional; the row is created the first time the citizen saves them and goes
    with the account.
    """

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="citizen_profile",
        editable=False,
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    ortschaft = models.ForeignKey(
        Ortschaft,
        verbose_name=_("Ortschaft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")

    def __str__(self) -> str:
        return self.name or str(self.user_id)
