import logging
import smtplib

from celery import shared_task
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError

from .barrier_reports import barrier_report_notify, barrier_reports_pending
from .layout import HEADER_LOGO_FILTER, HEADER_LOGO_FILTER_2X
from .seo import PREVIEW_IMAGE_FILTER

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def barrier_report_notify_task(report_id: int) -> None:
    barrier_report_notify(report_id=report_id)


@shared_task
def barrier_report_sweep_task() -> None:
    for report_id in barrier_reports_pending():
        barrier_report_notify_task.delay(report_id)


# The sizes the public pages show images in: the logo in the header (layout.py), a notice's
# image block (templates/notices/blocks/image.html) and link previews (seo.py). Prepared when
# an image is saved, so that no citizen waits while one is made.
PUBLIC_RENDITIONS = (
    HEADER_LOGO_FILTER,
    HEADER_LOGO_FILTER_2X,
    "max-1200x900",
    PREVIEW_IMAGE_FILTER,
)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def image_renditions_prepare_task(image_id: int) -> None:
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return
    try:
        image.get_renditions(*PUBLIC_RENDITIONS)
    except SourceImageIOError:
        logger.warning("Image %s has no readable file; no renditions prepared", image_id)
