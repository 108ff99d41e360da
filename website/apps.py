from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    """The website every feature app stands on: the municipality and its Ortschaften, the
    home page and the pages of text, the layout, and what serves pages (page cache, cache,
    search backend, security headers). It imports no feature app."""

    name = "website"
    verbose_name = _("Website")

    def ready(self):
        from django.core import checks
        from django.db.models.signals import post_migrate

        from . import admin_dates, page_cache, security, sites
        from .signal_handlers import register_signal_handlers

        register_signal_handlers(self)
        security.register_signal_handlers()
        security.admin_choosers_without_inline_scripts()
        page_cache.register_signal_handlers()
        admin_dates.register_form_field_overrides()
        post_migrate.connect(sites.default_site_follow_base_url, sender=self)
        checks.register(sites.check_default_site_follows_base_url, deploy=True)
