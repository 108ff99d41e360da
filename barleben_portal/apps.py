from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project: settings, addresses, the Celery app, the API's router, the sitemaps and
    the demo. Its migrations hold the history of the models the website app took over."""

    name = "barleben_portal"
    verbose_name = _("Portal")
