from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notice board")

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
