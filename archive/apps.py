from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Knowledge archive")

    def ready(self):
        from notifications.audiences import register

        from .alerts import SavedSearchAudience
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register(SavedSearchAudience())
