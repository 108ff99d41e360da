"""Barrier reports: stored first, then e-mailed to staff; a sweep re-sends what failed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .models import BarrierReport, MunicipalitySettings
from .task_queue import task_queue_on_commit

logger = logging.getLogger(__name__)


def barrier_report_submit(
    *, site: Site | None, message: str, location: str = "", name: str = "", email: str = ""
) -> BarrierReport:
    """Store a citizen's barrier report and queue the e-mail to staff after commit."""
    from .tasks import barrier_report_notify_task

    report = BarrierReport(site=site, message=message, location=location, name=name, email=email)
    report.full_clean()
    with transaction.atomic():
        report.save()
        # A broker or mail server that is away must not turn the citizen's stored report into
        # an error page.
        task_queue_on_commit(
            barrier_report_notify_task, report.pk, if_unreachable="the report sweep sends it"
        )
    logger.info("Stored barrier report %s", report.pk)
    return report


def barrier_report_notify(*, report_id: int) -> None:
    """E-mail one report to the municipality's staff, once."""
    with transaction.atomic():
        report = BarrierReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.notified_at is not None:
            return
        site = report.site or Site.objects.filter(is_default_site=True).first()
        municipality = MunicipalitySettings.for_site(site) if site else None
        recipient = municipality.barrier_report_recipient if municipality else ""
        if not recipient:
            logger.error(
                "Barrier report %s not sent: no recipient set in the site settings", report.pk
            )
            return
        context = {"report": report, "municipality": municipality, "base_url": settings.BASE_URL}
        EmailMessage(
            subject=_("Barrier report from the citizen portal"),
            body=render_to_string("website/email/barrier_report.txt", context),
            to=[recipient],
            reply_to=[report.email] if report.email else None,
        ).send()
        report.notified_at = timezone.now()
        report.save(update_fields=["notified_at"])
    logger.info("Sent barrier report %s to staff", report.pk)


def barrier_reports_pending(*, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Reports whose e-mail did not go out, e.g. because the mail server was down."""
    cutoff = timezone.now() - older_than
    return list(
        BarrierReport.objects.filter(notified_at__isnull=True, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
