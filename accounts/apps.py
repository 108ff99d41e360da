from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Citizen accounts")

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
