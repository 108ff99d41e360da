from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notice board")

    def ready(self):
        from notifications.audiences import register

        from .audience import BoardAudience
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register(BoardAudience())
