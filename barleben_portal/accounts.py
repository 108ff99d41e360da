"""Citizen accounts (django-allauth): e-mails in the municipality's name."""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from wagtail.models import Site

from .models import MunicipalitySettings


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
