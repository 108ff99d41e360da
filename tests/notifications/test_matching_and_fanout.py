"""Whom a piece of news reaches, and how the fan-out and the senders get it there once.

The services are called directly here, as a worker would call them; the tasks they queue
run in this process (`celery_eager`), and the e-mails land in `mail.outbox`.
"""

import math
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from celery.signals import task_postrun, task_prerun
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from notices.announcing import notice_announce
from notices.models import Category, NoticeIndexPage, NoticeKind, Subscription
from notices.subscriptions import subscriptions_matching
from notifications import sending
from notifications.fanout import dispatch_fan_out, notifications_sweep
from notifications.models import Delivery, DigestEntry, Dispatch, Frequency
from notifications.sending import deliveries_send
from tests.factories import NoticePageFactory, SubscriptionFactory
from website.models import Ortschaft


def _ortschaften(*slugs: str) -> list[Ortschaft]:
    return list(Ortschaft.objects.filter(slug__in=slugs))


def _kinds(*slugs: str) -> list[NoticeKind]:
    return list(NoticeKind.objects.filter(slug__in=slugs))


def _categories(*slugs: str) -> list[Category]:
    return list(Category.objects.filter(slug__in=slugs))


def _subscribe(**choices) -> Subscription:
    """A subscription with choices given as slugs: `_subscribe(ortschaften=["ebendorf"])`."""
    return SubscriptionFactory(
        **{
            **choices,
            "ortschaften": _ortschaften(*choices.get("ortschaften", ())),
            "kinds": _kinds(*choices.get("kinds", ())),
            "categories": _categories(*choices.get("categories", ())),
        }
    )


def _announce(
    board: NoticeIndexPage,
    *,
    ortschaften: tuple[str, ...] = (),
    kind: str = "neuigkeit",
    categories: tuple[str, ...] = (),
) -> Dispatch:
    """The outbox row of a notice's first publication; its fan-out is left to the test."""
    notice = NoticePageFactory(
        parent=board,
        kind=NoticeKind.objects.get(slug=kind),
        ortschaften=_ortschaften(*ortschaften),
        categories=_categories(*categories),
    )
    return notice_announce(notice=notice)


def _recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


# Whom news reaches


@pytest.mark.parametrize(
    "choices, news, is_reached",
    [
        ({}, {"ortschaften": ["ebendorf"], "kind": "neuigkeit", "categories": ["umwelt"]}, True),
        ({}, {"ortschaften": [], "kind": None, "categories": []}, True),
        ({"ortschaften": ["barleben"]}, {"ortschaften": ["ebendorf"]}, False),
        ({"ortschaften": ["barleben"]}, {"ortschaften": ["barleben", "ebendorf"]}, True),
        ({"ortschaften": ["barleben"]}, {"ortschaften": []}, True),
        ({"kinds": ["veranstaltung"]}, {"kind": "neuigkeit"}, False),
        ({"kinds": ["veranstaltung", "neuigkeit"]}, {"kind": "neuigkeit"}, True),
        ({"categories": ["umwelt"]}, {"categories": []}, False),
        ({"categories": ["umwelt"]}, {"categories": ["verkehr"]}, False),
        ({"categories": ["umwelt"]}, {"categories": ["verkehr", "umwelt"]}, True),
        (
            {
                "ortschaften": ["ebendorf"],
                "kinds": ["baustelle-verkehr"],
                "categories": ["verkehr"],
            },
            {"ortschaften": ["ebendorf"], "kind": "baustelle-verkehr", "categories": ["verkehr"]},
            True,
        ),
        (
            {
                "ortschaften": ["ebendorf"],
                "kinds": ["baustelle-verkehr"],
                "categories": ["verkehr"],
            },
            {
                "ortschaften": ["meitzendorf"],
                "kind": "baustelle-verkehr",
                "categories": ["verkehr"],
            },
            False,
        ),
        (
            {
                "ortschaften": ["ebendorf"],
                "kinds": ["baustelle-verkehr"],
                "categories": ["verkehr"],
            },
            {"ortschaften": ["ebendorf"], "kind": "neuigkeit", "categories": ["verkehr"]},
            False,
        ),
    ],
    ids=[
        "everything-gets-local-news",
        "everything-gets-general-news",
        "other-ortschaft",
        "one-of-several-ortschaften",
        "whole-municipality-reaches-every-ortschaft",
        "other-kind",
        "one-of-the-kinds",
        "topic-filter-skips-news-without-topic",
        "other-topic",
        "one-of-the-topics",
        "all-three-match",
        "all-but-ortschaft",
        "all-but-kind",
    ],
)
def test_who_a_piece_of_news_reaches(demo, choices, news, is_reached):
    # given
    subscription = _subscribe(**choices)
    site = Site.objects.get(is_default_site=True)
    kind = news.get("kind", "neuigkeit")

    # when
    matching = subscriptions_matching(
        site_id=site.pk,
        ortschaft_ids=[o.pk for o in _ortschaften(*news.get("ortschaften", ()))],
        kind_id=NoticeKind.objects.get(slug=kind).pk if kind else None,
        category_ids=[c.pk for c in _categories(*news.get("categories", ()))],
    )

    # then
    assert (subscription in matching) is is_reached


@pytest.mark.parametrize(
    "state",
    [
        {"confirmed_at": None},
        {"paused_at": timezone.now()},
        {"site": "other"},
    ],
    ids=["unconfirmed", "paused", "other-site"],
)
def test_news_does_not_reach_inactive_or_foreign_subscriptions(demo, state):
    # given
    if state.get("site") == "other":
        state = {"site": Site.objects.create(hostname="nachbargemeinde.example", root_page=demo)}
    excluded = SubscriptionFactory(**state)
    active = SubscriptionFactory()
    site = Site.objects.get(is_default_site=True)

    # when
    matching = subscriptions_matching(
        site_id=site.pk, ortschaft_ids=[], kind_id=None, category_ids=[]
    )

    # then
    assert list(matching) == [active]
    assert excluded not in matching


# The fan-out


def test_a_fan_out_mails_immediate_subscribers_and_keeps_news_for_digests(board, outbox):
    # given
    everything = _subscribe()
    ebendorf = _subscribe(ortschaften=["ebendorf"])
    _subscribe(ortschaften=["meitzendorf"])
    daily = _subscribe(frequency=Frequency.DAILY)
    weekly = _subscribe(ortschaften=["ebendorf"], frequency=Frequency.WEEKLY)
    _subscribe(confirmed_at=None)
    _subscribe(paused_at=timezone.now())
    dispatch = _announce(board, ortschaften=("ebendorf",))

    # when
    matched = dispatch_fan_out(dispatch_id=dispatch.pk)

    # then
    assert matched == 4
    deliveries = Delivery.objects.filter(dispatch=dispatch)
    assert {(d.audience, d.recipient_id) for d in deliveries} == {
        ("board", everything.pk),
        ("board", ebendorf.pk),
    }
    assert {d.status for d in deliveries} == {Delivery.Status.SENT}
    entries = DigestEntry.objects.filter(dispatch=dispatch, digest__isnull=True)
    assert {(entry.audience, entry.recipient_id) for entry in entries} == {
        ("board", daily.pk),
        ("board", weekly.pk),
    }
    assert _recipients(outbox) == sorted([everything.email, ebendorf.email])
    assert {message.subject for message in outbox} == {f"{dispatch.label}: {dispatch.title}"}
    dispatch.refresh_from_db()
    assert dispatch.fanned_out_at is not None
    assert dispatch.fanout_lease_until is None


def _outcome(dispatch: Dispatch, outbox) -> tuple:
    return (
        sorted(Delivery.objects.filter(dispatch=dispatch).values_list("recipient_id", "status")),
        sorted(
            DigestEntry.objects.filter(dispatch=dispatch).values_list("recipient_id", flat=True)
        ),
        _recipients(outbox),
    )


@pytest.mark.parametrize("force", [False, True], ids=["called-again", "finish-mark-removed"])
def test_a_second_fan_out_creates_and_sends_nothing_twice(board, outbox, force):
    # given
    for frequency in (Frequency.IMMEDIATELY, Frequency.IMMEDIATELY, Frequency.DAILY):
        _subscribe(frequency=frequency)
    dispatch = _announce(board)
    dispatch_fan_out(dispatch_id=dispatch.pk)
    before = _outcome(dispatch, outbox)
    if force:
        # as if the first run had died just before recording that it finished
        Dispatch.objects.filter(pk=dispatch.pk).update(fanned_out_at=None, fanout_lease_until=None)

    # when
    matched = dispatch_fan_out(dispatch_id=dispatch.pk)

    # then
    assert matched == (3 if force else 0)
    assert _outcome(dispatch, outbox) == before
    assert len(outbox) == 2


def test_a_fan_out_resumes_where_a_killed_run_left_it(board, outbox):
    # given: a run created two deliveries, sent one, and was killed; its lease ran out
    sent, created, untouched = (_subscribe() for _ in range(3))
    dispatch = _announce(board)
    Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        dispatch=dispatch,
        audience="board",
        recipient_id=sent.pk,
        status=Delivery.Status.SENT,
        queued_at=timezone.now(),
    )
    Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        dispatch=dispatch,
        audience="board",
        recipient_id=created.pk,
    )
    Dispatch.objects.filter(pk=dispatch.pk).update(
        fanout_lease_until=timezone.now() - timedelta(seconds=1)
    )

    # when
    dispatch_fan_out(dispatch_id=dispatch.pk)

    # then: each e-mail goes out once
    assert _recipients(outbox) == sorted([created.email, untouched.email])
    assert Delivery.objects.filter(dispatch=dispatch).count() == 3


def test_a_fan_out_leaves_a_dispatch_alone_while_another_holds_its_lease(board, outbox):
    # given
    _subscribe()
    dispatch = _announce(board)
    Dispatch.objects.filter(pk=dispatch.pk).update(
        fanout_lease_until=timezone.now() + timedelta(minutes=5)
    )

    # when
    matched = dispatch_fan_out(dispatch_id=dispatch.pk)

    # then
    assert matched == 0
    assert not Delivery.objects.exists()
    assert outbox == []


def test_a_fan_out_in_many_chunks_and_batches_reaches_everyone_once(board, settings, outbox):
    # given: more recipients than fit in a chunk, with others between them
    settings.NOTIFICATIONS_CHUNK_SIZE = 7
    settings.NOTIFICATIONS_BATCH_SIZE = 3
    recipients = []
    for number in range(23):
        recipients.append(_subscribe())
        if number % 5 == 0:
            _subscribe(paused_at=timezone.now())
    dispatch = _announce(board)

    # when
    matched = dispatch_fan_out(dispatch_id=dispatch.pk)

    # then
    assert matched == 23
    assert _recipients(outbox) == sorted(subscription.email for subscription in recipients)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


# The senders


@pytest.mark.parametrize(
    "change, status",
    [
        (lambda delivery: None, Delivery.Status.SENT),
        (
            lambda delivery: Subscription.objects.get(pk=delivery.recipient_id).delete(),
            Delivery.Status.CANCELLED,
        ),
        (
            lambda delivery: Subscription.objects.update(paused_at=timezone.now()),
            Delivery.Status.CANCELLED,
        ),
        (
            lambda delivery: Subscription.objects.update(confirmed_at=None),
            Delivery.Status.CANCELLED,
        ),
        (
            lambda delivery: Delivery.objects.update(status=Delivery.Status.SENT),
            Delivery.Status.SENT,
        ),
        (
            lambda delivery: Delivery.objects.update(status=Delivery.Status.CANCELLED),
            Delivery.Status.CANCELLED,
        ),
        (
            lambda delivery: Delivery.objects.update(
                next_attempt_at=timezone.now() + timedelta(minutes=5)
            ),
            Delivery.Status.PENDING,
        ),
        (
            lambda delivery: Delivery.objects.update(
                lease_until=timezone.now() + timedelta(minutes=5)
            ),
            Delivery.Status.PENDING,
        ),
    ],
    ids=[
        "active",
        "subscription-deleted",
        "subscription-paused",
        "subscription-unconfirmed",
        "sent-already",
        "cancelled-already",
        "retry-not-due",
        "another-sender-holds-it",
    ],
)
def test_a_sender_mails_only_what_is_still_wanted_and_due(board, outbox, change, status):
    # given
    subscription = _subscribe()
    delivery = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        dispatch=_announce(board),
        audience="board",
        recipient_id=subscription.pk,
    )
    change(delivery)

    # when
    counts = deliveries_send(delivery_ids=[delivery.pk])

    # then
    delivery.refresh_from_db()
    assert delivery.status == status
    is_mailed_now = status == Delivery.Status.SENT and counts[Delivery.Status.SENT] == 1
    assert len(outbox) == (1 if is_mailed_now else 0)
    if is_mailed_now:
        assert outbox[0].to == [subscription.email]


def test_the_rate_limit_holds_the_email_over_it_back_to_the_next_second(
    board, settings, outbox, monkeypatch
):
    # given
    settings.NOTIFICATIONS_MAX_PER_SECOND = 5
    dispatch = _announce(board)
    deliveries = [
        Delivery.objects.create(
            kind=Delivery.Kind.NOTIFICATION,
            dispatch=dispatch,
            audience="board",
            recipient_id=_subscribe().pk,
        )
        for _ in range(6)
    ]
    second_starts = timezone.now().replace(microsecond=0) + timedelta(seconds=1)

    # when: on a clock that stands still but for the limiter's waiting (no real time, so
    # a slow machine cannot blur the seconds)
    with time_machine.travel(second_starts, tick=False) as clock:
        monkeypatch.setattr(sending, "time", SimpleNamespace(time=time.time, sleep=clock.shift))
        deliveries_send(delivery_ids=[delivery.pk for delivery in deliveries])

    # then: five in the first second, the sixth at the start of the next
    sent_at = Counter(Delivery.objects.values_list("sent_at", flat=True))
    assert len(outbox) == 6
    assert sent_at == {second_starts: 5, second_starts + timedelta(seconds=1): 1}


# The sweep

LONG_AGO = timedelta(minutes=10)


@pytest.mark.parametrize(
    "fields, is_requeued",
    [
        ({"created_at": -LONG_AGO}, True),
        ({"queued_at": -LONG_AGO}, True),
        ({"queued_at": -LONG_AGO, "lease_until": -timedelta(minutes=1)}, True),
        ({"queued_at": -timedelta(minutes=1)}, False),
        ({"queued_at": -LONG_AGO, "lease_until": timedelta(minutes=5)}, False),
        ({"queued_at": timedelta(hours=1), "next_attempt_at": timedelta(hours=1)}, False),
        ({"queued_at": -LONG_AGO, "status": Delivery.Status.SENT}, False),
        ({"queued_at": -LONG_AGO, "status": Delivery.Status.FAILED}, False),
    ],
    ids=[
        "never-queued",
        "queued-long-ago",
        "sender-lease-ran-out",
        "queued-just-now",
        "being-sent",
        "retry-later",
        "sent",
        "failed",
    ],
)
def test_the_sweep_requeues_deliveries_left_behind(board, settings, outbox, fields, is_requeued):
    # given
    settings.NOTIFICATIONS_SWEEP_AFTER = 300
    now = timezone.now()
    subscription = _subscribe()
    delivery = Delivery.objects.create(
        kind=Delivery.Kind.NOTIFICATION,
        dispatch=_announce(board),
        audience="board",
        recipient_id=subscription.pk,
        **{
            name: now + value if isinstance(value, timedelta) else value
            for name, value in fields.items()
        },
    )
    status_before = delivery.status

    # when
    result = notifications_sweep()

    # then
    assert result["deliveries"] == (1 if is_requeued else 0)
    delivery.refresh_from_db()
    if is_requeued:
        assert delivery.status == Delivery.Status.SENT
        assert _recipients(outbox) == [subscription.email]
    else:
        assert delivery.status == status_before
        assert outbox == []


@pytest.mark.parametrize(
    "fields, is_restarted",
    [
        ({"created_at": -LONG_AGO}, True),
        ({"created_at": -LONG_AGO, "fanout_lease_until": -timedelta(minutes=1)}, True),
        ({"created_at": -LONG_AGO, "fanout_lease_until": timedelta(minutes=5)}, False),
        ({"created_at": -timedelta(minutes=1)}, False),
        ({"created_at": -LONG_AGO, "fanned_out_at": -LONG_AGO}, False),
    ],
    ids=["never-started", "lease-ran-out", "being-fanned-out", "just-created", "finished"],
)
def test_the_sweep_restarts_unfinished_fan_outs(board, settings, outbox, fields, is_restarted):
    # given
    settings.NOTIFICATIONS_SWEEP_AFTER = 300
    now = timezone.now()
    subscription = _subscribe()
    dispatch = _announce(board)
    Dispatch.objects.filter(pk=dispatch.pk).update(
        **{name: now + value for name, value in fields.items()}
    )

    # when
    result = notifications_sweep()

    # then
    assert result["dispatches"] == (1 if is_restarted else 0)
    assert Delivery.objects.filter(dispatch=dispatch).exists() is is_restarted
    assert _recipients(outbox) == ([subscription.email] if is_restarted else [])


# What fan-out and senders cost in queries


@contextmanager
def _queries_outside_tasks():
    """The queries of the code under test, without those of the tasks it queues: those run
    in this process here (eager), in a worker of their own in production."""
    own = []
    inside = []
    with CaptureQueriesContext(connection) as context:

        def started(**kwargs):
            inside.append([len(context.captured_queries), None])

        def finished(**kwargs):
            inside[-1][1] = len(context.captured_queries)

        task_prerun.connect(started, weak=False)
        task_postrun.connect(finished, weak=False)
        try:
            yield own
        finally:
            task_prerun.disconnect(started)
            task_postrun.disconnect(finished)
    task_indexes = {index for start, end in inside for index in range(start, end)}
    own.extend(
        query for index, query in enumerate(context.captured_queries) if index not in task_indexes
    )


def _sql(queries) -> str:
    return "\n".join(f"{number}. {query['sql']}" for number, query in enumerate(queries, 1))


FAN_OUT_CHUNK = 50
# claim, load, its Ortschaften, the empty last chunk, finish (kind and categories are in
# the dispatch's criteria)
FAN_OUT_QUERIES = 5
FAN_OUT_QUERIES_PER_CHUNK = 6  # read, deliveries, digest entries, unqueued, queued, lease


@pytest.mark.parametrize("subscribers", [20, 200])
def test_a_fan_out_costs_queries_per_chunk_not_per_subscriber(board, settings, outbox, subscribers):
    # given: every fourth subscriber wants a daily digest
    settings.NOTIFICATIONS_CHUNK_SIZE = FAN_OUT_CHUNK
    for number in range(subscribers):
        _subscribe(frequency=Frequency.DAILY if number % 4 == 0 else Frequency.IMMEDIATELY)
    dispatch = _announce(board)

    # when
    with _queries_outside_tasks() as queries:
        dispatch_fan_out(dispatch_id=dispatch.pk)

    # then
    chunks = math.ceil(subscribers / FAN_OUT_CHUNK)
    expected = FAN_OUT_QUERIES + FAN_OUT_QUERIES_PER_CHUNK * chunks
    assert len(queries) == expected, _sql(queries)
    assert len(outbox) == subscribers - math.ceil(subscribers / 4)


SEND_QUERIES = 7  # claim and lease (in a savepoint), load, the notice's Ortschaften, settings
# lock the subscription, then the delivery (still this sender's?), record, in a savepoint
SEND_QUERIES_PER_EMAIL = 5


@pytest.mark.parametrize("emails", [3, 30])
def test_sending_costs_a_fixed_number_of_queries_per_email(
    board, outbox, django_assert_num_queries, emails
):
    # given
    dispatch = _announce(board)
    deliveries = [
        Delivery.objects.create(
            kind=Delivery.Kind.NOTIFICATION,
            dispatch=dispatch,
            audience="board",
            recipient_id=_subscribe().pk,
        )
        for _ in range(emails)
    ]

    # when / then
    with django_assert_num_queries(SEND_QUERIES + SEND_QUERIES_PER_EMAIL * emails):
        deliveries_send(delivery_ids=[delivery.pk for delivery in deliveries])
    assert len(outbox) == emails
