from celery import shared_task
from django.conf import settings

from .importing import catalogue_import_url


@shared_task
def catalogue_import_task(url: str = "") -> int | None:
    """Import the export at `url` or SERVICES_IMPORT_URL; the run's id (its report)."""
    url = url or settings.SERVICES_IMPORT_URL
    if not url:
        return None
    return catalogue_import_url(url).pk
