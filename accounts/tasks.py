from celery import shared_task

from .privacy import (
    accounts_unverified_delete,
    barrier_reports_expired_delete,
    deliveries_anonymise,
    sessions_expired_delete,
)


# Retention (accounts/privacy.py; the schedule is CELERY_BEAT_SCHEDULE and the table in
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
