from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "barleben_portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import page_cache, security
        from .signal_handlers import register_signal_handlers

        register_signal_handlers(self)
        security.register_signal_handlers()
        security.admin_choosers_without_inline_scripts()
        page_cache.register_signal_handlers()
