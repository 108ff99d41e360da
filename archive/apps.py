from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Knowledge archive")

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
