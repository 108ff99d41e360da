import smtplib

from celery import shared_task

from .barrier_reports import barrier_report_notify, barrier_reports_pending
from .privacy import (
    accounts_unverified_delete,
    barrier_reports_expired_delete,
    deliveries_anonymise,
    sessions_expired_delete,
)


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


# Retention (barleben_portal/privacy.py; the schedule is CELERY_BEAT_SCHEDULE and the table in
# the README's security section). Each job is idempotent: a second run finds nothing to do.
@shared_task
def accounts_unverified_delete_task() -> None:
    accounts_unverified_delete()


@shared_task
def deliveries_anonymise_task() -> None:
    deliveries_anonymise()


@shared_task
def barrier_reports_expired_delete_task() -> None:
    barrier_reports_expired_delete()


@shared_task
def sessions_expired_delete_task() -> None:
    sessions_expired_delete()
