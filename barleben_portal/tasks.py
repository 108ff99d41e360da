import smtplib

from celery import shared_task

from .barrier_reports import barrier_report_notify, barrier_reports_pending


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
