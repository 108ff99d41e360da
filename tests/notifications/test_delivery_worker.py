"""Notifications go out through real Celery workers, Redis, PostgreSQL and an SMTP server.

What subscribers are promised: everyone a notice concerns gets exactly one e-mail about
it, nobody else gets one, and one click ends the subscription. These tests keep that
promise honest when a mail server refuses, a worker is killed and Redis loses its queues.
"""

import threading
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from barleben_portal.celery import app
from notices.models import Subscription
from notifications.audiences import audience_for
from notifications.fanout import dispatch_fan_out, notifications_sweep
from notifications.models import Delivery, DigestEntry, Frequency
from notifications.recipients import recipient_unsubscribe
from notifications.tasks import delivery_send_batch_task, notifications_sweep_task
from tests.factories import CategoryFactory, SubscriptionFactory

pytestmark = [
    pytest.mark.service("postgres", "redis"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BATCH_SIZE = 50  # WORKER_SETTINGS


def _subscriber_of(address: str) -> int:
    """The id of the subscription of this address, which its deliveries name."""
    return Subscription.objects.get(email=address).pk


def _sweep_until(condition, wait_until, what: str, *, timeout: float = 60) -> None:
    """Queue the periodic sweep (as beat would, but every second) until `condition` holds."""
    last_sweep = 0.0

    def swept_and_done() -> bool:
        nonlocal last_sweep
        if condition():
            return True
        if time.monotonic() - last_sweep > 1:
            notifications_sweep_task.delay()
            last_sweep = time.monotonic()
        return False

    wait_until(swept_and_done, what, timeout=timeout)


def test_a_notice_reaches_exactly_the_subscribers_it_concerns(
    workers,
    smtp_server,
    publish_notice,
    ortschaften,
    kinds,
    deliveries_done,
    wait_until,
):
    # the test process queues through the private Redis instead of running tasks itself
    assert app.conf.task_always_eager is False

    # given subscriptions with all kinds of choices
    ebendorf, meitzendorf = ortschaften["ebendorf"], ortschaften["meitzendorf"]
    concerned = [
        SubscriptionFactory(email="ebendorf@example.org", ortschaften=[ebendorf]),
        SubscriptionFactory(email="everything@example.org"),
        SubscriptionFactory(email="both@example.org", ortschaften=[ebendorf, meitzendorf]),
        SubscriptionFactory(email="news@example.org", kinds=[kinds["neuigkeit"]]),
    ]
    SubscriptionFactory(email="meitzendorf@example.org", ortschaften=[meitzendorf])
    SubscriptionFactory(email="unconfirmed@example.org", ortschaften=[ebendorf], confirmed_at=None)
    SubscriptionFactory(email="paused@example.org", paused_at=timezone.now())
    SubscriptionFactory(email="events-only@example.org", kinds=[kinds["veranstaltung"]])
    SubscriptionFactory(
        email="roadworks@example.org", categories=[CategoryFactory(name="Straßenbau")]
    )
    daily = SubscriptionFactory(email="daily@example.org", frequency=Frequency.DAILY)
    workers.start()

    # when a notice for Ebendorf is published for the first time
    _notice, dispatch = publish_notice(
        title="Straßenfest in Ebendorf", ortschaften=[ebendorf], kind=kinds["neuigkeit"]
    )
    wait_until(lambda: deliveries_done(dispatch), "the notice's e-mails")

    # then each concerned subscriber got exactly one e-mail, nobody else any
    assert smtp_server.recipient_counts() == Counter(
        {subscription.email: 1 for subscription in concerned}
    )
    assert list(dispatch.deliveries.values_list("status", flat=True)) == ["sent"] * len(concerned)
    # and the daily subscriber's news waits for the digest
    assert DigestEntry.objects.filter(
        dispatch=dispatch, audience="board", recipient_id=daily.pk
    ).exists()
    mails = smtp_server.received
    assert {mail.message["Subject"] for mail in mails} == {"Neuigkeit: Straßenfest in Ebendorf"}
    # and each e-mail names its own unsubscribe address, for one-click unsubscribing (RFC 8058),
    # and a Message-ID that stays the same should it ever be sent again
    unsubscribe_urls, message_ids = {}, {}
    for mail in mails:
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # long headers are folded; the parser keeps the space of the continuation line
        header = mail.message["List-Unsubscribe"].strip()
        assert header.startswith("<http") and header.endswith(">"), header
        unsubscribe_urls[mail.recipients[0]] = header[1:-1]
        message_ids[mail.recipients[0]] = mail.message["Message-ID"]
    assert len(set(unsubscribe_urls.values())) == len(concerned)
    addresses = {subscription.pk: subscription.email for subscription in concerned}
    for delivery in dispatch.deliveries.all():
        assert delivery.audience == "board"
        assert message_ids[addresses[delivery.recipient_id]].startswith(f"<delivery.{delivery.pk}.")

    # when a mail program unsubscribes with one POST, without cookies or a CSRF token
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(unsubscribe_urls["ebendorf@example.org"]).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    # then the subscription is gone
    assert response.status_code == 200
    assert not Subscription.objects.filter(email="ebendorf@example.org").exists()
    assert Subscription.objects.filter(email="everything@example.org").exists()


def test_temporarily_refused_recipients_get_the_mail_on_a_retry(
    workers, smtp_server, subscribers, publish_notice, deliveries_done, wait_until
):
    # given five subscribers, two of whose mail servers ask to try again later, once
    emails = [subscription.email for subscription in subscribers(5)]
    deferred = emails[1:3]
    for address in deferred:
        smtp_server.refuse(address, code=451, times=1)
    workers.start()

    # when a notice is published
    _notice, dispatch = publish_notice()
    wait_until(lambda: deliveries_done(dispatch), "the notice's e-mails and the retries")

    # then everybody got exactly one e-mail, the deferred ones on their second attempt
    assert smtp_server.recipient_counts() == Counter(dict.fromkeys(emails, 1))
    for address in deferred:
        assert smtp_server.rcpt_count(address) == 2
    addresses = dict(Subscription.objects.values_list("pk", "email"))
    attempts = {
        addresses[recipient_id]: count
        for recipient_id, count in dispatch.deliveries.filter(
            status=Delivery.Status.SENT
        ).values_list("recipient_id", "attempts")
    }
    assert attempts == {address: 1 if address in deferred else 0 for address in emails}


def test_permanent_refusals_fail_the_delivery_and_pause_the_subscription(
    workers, smtp_server, subscribers, publish_notice, deliveries_done, wait_until
):
    # given three subscribers, one of whose addresses does not exist (any longer)
    subscriptions = subscribers(3)
    gone = subscriptions[0]
    smtp_server.refuse(gone.email, code=550)
    # the workers pause a subscription after two refusals in a row
    workers.start(NOTIFICATIONS_PAUSE_AFTER_FAILURES="2")

    # when a notice is published
    _notice, first = publish_notice()
    wait_until(lambda: deliveries_done(first), "the first notice's e-mails")

    # then its delivery failed with the server's reason; one refusal does not pause
    delivery = first.deliveries.get(audience="board", recipient_id=gone.pk)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.error == "550 5.1.1 No such mailbox"
    gone.refresh_from_db()
    assert (gone.failure_count, gone.paused_at) == (1, None)

    # when a second notice is refused too
    _notice, second = publish_notice()
    wait_until(lambda: deliveries_done(second), "the second notice's e-mails")

    # then the subscription is paused
    gone.refresh_from_db()
    assert gone.failure_count == 2
    assert gone.paused_at is not None
    second_delivery = second.deliveries.get(audience="board", recipient_id=gone.pk)
    assert second_delivery.status == Delivery.Status.FAILED

    # and a third notice is not even tried at the address
    _notice, third = publish_notice()
    wait_until(lambda: deliveries_done(third), "the third notice's e-mails")
    assert not third.deliveries.filter(audience="board", recipient_id=gone.pk).exists()
    assert smtp_server.rcpt_count(gone.email) == 2
    assert smtp_server.recipient_counts() == Counter(
        {subscription.email: 3 for subscription in subscriptions[1:]}
    )


def test_after_a_worker_is_killed_mid_fan_out_everybody_gets_exactly_one_mail(
    workers, smtp_server, broker, subscribers, publish_notice, deliveries_done, wait_until
):
    """SIGKILL in the middle of a fan-out to 2,000; a new worker and the sweep finish it.

    The kill comes while the SMTP server holds the worker at the 725th RCPT: every earlier
    message was accepted and recorded as sent, this one was not accepted. That point is
    chosen, not lucky. SMTP promises no exactly-once delivery across a crash between the
    server's 250 for a message and our commit of "sent": if a worker dies in that window,
    the message goes out again. That window is microseconds wide, and the e-mail's stable
    Message-ID (made from the delivery) lets mailboxes treat such a rare resend as one.
    """
    recipients, kill_at = 2000, 725
    # given 2,000 subscribers and a worker the SMTP server will hold at the 725th recipient,
    # in the middle of a batch
    emails = [subscription.email for subscription in subscribers(recipients)]
    pause = smtp_server.pause_at_rcpt(kill_at)
    first = workers.start()

    # when a notice goes out and the worker is killed while it is held there
    _notice, dispatch = publish_notice()
    pause.wait()
    first.kill()
    pause.release()

    # then 724 e-mails went out, and the database says so
    sent = dispatch.deliveries.filter(status=Delivery.Status.SENT)
    assert len(smtp_server.received) == kill_at - 1
    assert sent.count() == kill_at - 1
    held = dispatch.deliveries.get(recipient_id=_subscriber_of(smtp_server.rcpts()[-1]))
    assert held.status == Delivery.Status.PENDING

    # when a new worker starts
    workers.start()

    # then it sends what was still queued; the rest of the batch the killed worker had
    # taken stays behind until that worker's lease runs out
    pending = dispatch.deliveries.filter(status=Delivery.Status.PENDING)
    wait_until(
        lambda: not pending.exclude(lease_until__lt=timezone.now()).exists(),
        "the queued batches, and the killed worker's lease to run out",
    )
    assert held in pending
    assert 0 < pending.count() <= BATCH_SIZE

    # and the sweep sends those
    _sweep_until(lambda: deliveries_done(dispatch, is_idle=False), wait_until, "the sweep")
    assert smtp_server.recipient_counts() == Counter(dict.fromkeys(emails, 1))
    assert sent.count() == recipients
    message_ids = {mail.message["Message-ID"] for mail in smtp_server.received}
    assert len(message_ids) == recipients


def test_after_redis_restarts_mid_fan_out_the_sweep_sends_the_rest(
    workers, smtp_server, broker, subscribers, publish_notice, deliveries_done, wait_until
):
    recipients, restart_at = 800, 300
    # given 800 subscribers and a worker the SMTP server will hold at the 300th recipient
    emails = [subscription.email for subscription in subscribers(recipients)]
    pause = smtp_server.pause_at_rcpt(restart_at)
    workers.start()
    _notice, dispatch = publish_notice()
    pause.wait()
    queue = broker.client()
    assert queue.llen("mail-bulk") > 0

    # when Redis restarts without persistence, losing every queued batch
    broker.restart()
    assert queue.dbsize() == 0
    pause.release()

    # then the worker finishes the batch it had begun and reconnects to an empty Redis:
    # what was queued is lost, and nothing more goes out by itself
    unfinished = dispatch.deliveries.filter(status=Delivery.Status.PENDING)
    wait_until(
        lambda: not unfinished.filter(lease_until__isnull=False).exists(),
        "the worker to finish its batch",
    )
    wait_until(lambda: queue.exists("_kombu.binding.celery"), "the worker to reconnect")
    assert queue.llen("mail-bulk") == queue.llen("celery") == 0
    assert unfinished.count() > recipients - restart_at - BATCH_SIZE

    # when the sweep runs
    _sweep_until(lambda: deliveries_done(dispatch, is_idle=False), wait_until, "the sweep")
    wait_until(broker.is_idle, "the last sweeps")

    # then everybody got exactly one e-mail
    assert smtp_server.recipient_counts() == Counter(dict.fromkeys(emails, 1))
    assert dispatch.deliveries.filter(status=Delivery.Status.SENT).count() == recipients


def test_the_sweep_tells_deliveries_waiting_in_the_queue_from_lost_ones(
    broker, settings, subscribers, publish_notice
):
    # given a fan-out to 30 in three batches, waiting in the queue longer than the sweep
    # waits (no worker takes them: a long queue ahead, a rate limit)
    settings.NOTIFICATIONS_BATCH_SIZE = 10
    settings.NOTIFICATIONS_SWEEP_AFTER = 300
    subscribers(30)
    _notice, dispatch = publish_notice()
    dispatch_fan_out(dispatch_id=dispatch.pk)
    queue = broker.client()
    assert queue.llen("mail-bulk") == 3
    later = timezone.now() + timedelta(minutes=10)
    # and one delivery a sender took and left (killed before its lease ran out)
    left = dispatch.deliveries.order_by("pk").first()
    Delivery.objects.filter(pk=left.pk).update(lease_until=later - timedelta(minutes=1))

    # when the sweep runs
    result = notifications_sweep(now=later)

    # then it queues the one left again, and nothing of what waits
    assert result["deliveries"] == 1
    assert queue.llen("mail-bulk") == 4

    # when Redis restarts without its queues, and the sweep runs again
    broker.restart()
    result = notifications_sweep(now=later + timedelta(minutes=10))

    # then it queues every delivery again, once
    assert result["deliveries"] == 30
    assert queue.llen("mail-bulk") == 3


def test_unsubscribing_during_a_fan_out_stops_the_mail_not_yet_sent(
    workers,
    smtp_server,
    subscribers,
    publish_notice,
    deliveries_done,
    wait_until,
    lock_waiters,
):
    # given 120 subscribers and a worker the SMTP server holds at the 11th, mid-batch
    emails = [subscription.email for subscription in subscribers(120)]
    pause = smtp_server.pause_at_rcpt(11)
    workers.start()
    _notice, dispatch = publish_notice()
    pause.wait()
    in_flight = Subscription.objects.get(email=smtp_server.rcpts()[-1])
    # a subscriber of the same batch (taken by the worker, not yet sent)
    later = Subscription.objects.get(
        pk=dispatch.deliveries.filter(status=Delivery.Status.PENDING, lease_until__isnull=False)
        .exclude(recipient_id=in_flight.pk)
        .first()
        .recipient_id
    )
    assert not smtp_server.mails_to(later.email)

    # when that subscriber unsubscribes with one click
    response = Client(enforce_csrf_checks=True).post(f"/benachrichtigungen/abmelden/{later.token}/")
    assert response.status_code == 200

    # and the one whose e-mail is on its way unsubscribes too
    def unsubscribe_in_flight():
        try:
            recipient_unsubscribe(audience=audience_for("board"), token=in_flight.token)
        finally:
            connection.close()

    unsubscribing = threading.Thread(target=unsubscribe_in_flight)
    unsubscribing.start()
    # it waits for the sender's lock on the subscription: the e-mail is already on its way
    wait_until(lambda: lock_waiters() == 1, "the unsubscribe to wait for the sender")
    pause.release()
    unsubscribing.join(timeout=30)
    assert not unsubscribing.is_alive()
    wait_until(lambda: deliveries_done(dispatch), "the notice's e-mails")

    # then the later one got nothing; the one on its way arrived once; everybody else once
    assert smtp_server.recipient_counts() == Counter(
        {address: 1 for address in emails if address != later.email}
    )
    cancelled = dispatch.deliveries.get(status=Delivery.Status.CANCELLED)
    assert (cancelled.recipient_id, cancelled.error) == (None, "unsubscribed")
    assert not Subscription.objects.filter(pk__in=[in_flight.pk, later.pk]).exists()


def test_a_sender_slower_than_its_lease_sends_nothing_another_took_over(
    workers, smtp_server, subscribers, publish_notice, deliveries_done, wait_until
):
    """A sender slower than its lease (3 s here, 10 min in production: a tarpitting mail
    server, a frozen VM) is overtaken: its batch is handed out again, as the sweep or
    Redis's redelivery of an unacknowledged task would. Nobody gets an e-mail twice."""
    # given ten subscribers in one batch, and a sender the SMTP server holds at the third
    emails = [subscription.email for subscription in subscribers(10)]
    pause = smtp_server.pause_at_rcpt(address=emails[2])
    workers.start()
    workers.start()
    _notice, dispatch = publish_notice()
    pause.wait()
    held = dispatch.deliveries.get(recipient_id=_subscriber_of(emails[2]))
    rest = dispatch.deliveries.filter(status=Delivery.Status.PENDING).exclude(pk=held.pk)
    assert rest.exists()

    # when its lease runs out and the other worker gets the batch once more
    wait_until(
        lambda: not dispatch.deliveries.filter(lease_until__gte=timezone.now()).exists(),
        "the held sender's lease to run out",
    )
    delivery_send_batch_task.delay(list(dispatch.deliveries.values_list("pk", flat=True)))
    wait_until(lambda: not rest.exists(), "the other worker to send the rest")
    pause.release()
    wait_until(lambda: deliveries_done(dispatch), "the held sender")

    # then everybody got exactly one e-mail
    assert smtp_server.recipient_counts() == Counter(dict.fromkeys(emails, 1))
