"""Daily and weekly summaries: everything new goes into exactly one digest per subscriber.

The clock stands where the beat composes digests (07:00 in Barleben); the tasks the
services queue run in this process, and the e-mails land in `mail.outbox`.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.translation import ngettext

from notices.announcing import notice_announce
from notices.models import NoticeIndexPage, NoticeKind, Subscription
from notices.subscriptions import subscription_update
from notifications.audiences import audience_for
from notifications.fanout import (
    digest_period,
    digests_compose,
    dispatch_fan_out,
    notifications_sweep,
)
from notifications.models import Delivery, DigestEntry, Dispatch, Frequency
from notifications.recipients import recipient_unsubscribe
from tests.factories import NoticePageFactory, SubscriptionFactory

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
# A Monday: the weekly digest goes out at 07:00, as does every daily one.
MONDAY = datetime(2030, 3, 11, 7, 0, tzinfo=BERLIN)


def _news(board: NoticeIndexPage, title: str) -> Dispatch:
    """A notice published and fanned out to its subscribers."""
    notice = NoticePageFactory(
        parent=board,
        title=title,
        teaser="Mehr dazu auf der Seite.",
        kind=NoticeKind.objects.get(slug="neuigkeit"),
    )
    dispatch = notice_announce(notice=notice)
    dispatch_fan_out(dispatch_id=dispatch.pk)
    return dispatch


def _entries_of(subscription: Subscription):
    return DigestEntry.objects.filter(audience="board", recipient_id=subscription.pk)


def _titles(message) -> list[str]:
    """The titles in a digest's plain text, one a line: `* Neuigkeit (Ebendorf): Title`."""
    return [line.rsplit(": ", 1)[-1] for line in message.body.splitlines() if line.startswith("* ")]


def test_a_daily_subscriber_gets_one_digest_with_everything_new(board, outbox):
    # given
    with time_machine.travel(MONDAY - timedelta(hours=20), tick=False):
        daily = SubscriptionFactory(frequency=Frequency.DAILY)
        weekly = SubscriptionFactory(frequency=Frequency.WEEKLY)
        immediate = SubscriptionFactory(frequency=Frequency.IMMEDIATELY)
        titles = ["Neue Öffnungszeiten", "Sperrung der Ebendorfer Straße", "Sommerfest"]
        for title in titles:
            _news(board, title)
    outbox.clear()

    # when
    with time_machine.travel(MONDAY, tick=False):
        composed = digests_compose(frequency=Frequency.DAILY)

    # then
    assert composed == 1
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [daily.email]
    count = ngettext("%(count)d new notice", "%(count)d new notices", 3) % {"count": 3}
    assert count in message.subject
    assert sorted(_titles(message)) == sorted(titles)
    html = message.alternatives[0][0]
    for title in titles:
        assert message.body.count(title) == 1
        assert html.count(f">{title}</a>") == 1
    assert "List-Unsubscribe" in message.extra_headers
    digest = Delivery.objects.get(kind=Delivery.Kind.DIGEST)
    assert (digest.audience, digest.recipient_id, digest.digest_period, digest.status) == (
        "board",
        daily.pk,
        "2030-03-11",
        Delivery.Status.SENT,
    )
    assert set(_entries_of(daily).values_list("digest", flat=True)) == {digest.pk}
    assert _entries_of(weekly).filter(digest__isnull=True).count() == 3
    assert not _entries_of(immediate).exists()


def test_composing_again_in_the_same_period_sends_nothing_new(board, outbox):
    # given
    with time_machine.travel(MONDAY - timedelta(hours=20), tick=False):
        SubscriptionFactory(frequency=Frequency.DAILY)
        _news(board, "Neue Öffnungszeiten")
    with time_machine.travel(MONDAY, tick=False):
        digests_compose(frequency=Frequency.DAILY)

    # when
    with time_machine.travel(MONDAY + timedelta(hours=3), tick=False):
        composed = digests_compose(frequency=Frequency.DAILY)

    # then
    assert composed == 0
    assert len(outbox) == 1
    assert Delivery.objects.filter(kind=Delivery.Kind.DIGEST).count() == 1


def test_news_after_the_days_digest_waits_for_the_next_day(board, outbox):
    # given: the day's digest went out, then came more news, and a rerun the same day
    with time_machine.travel(MONDAY - timedelta(hours=20), tick=False):
        daily = SubscriptionFactory(frequency=Frequency.DAILY)
        _news(board, "Neue Öffnungszeiten")
    with time_machine.travel(MONDAY, tick=False):
        digests_compose(frequency=Frequency.DAILY)
    with time_machine.travel(MONDAY + timedelta(hours=5), tick=False):
        _news(board, "Sperrung der Ebendorfer Straße")
        rerun = digests_compose(frequency=Frequency.DAILY)

    # when
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        composed = digests_compose(frequency=Frequency.DAILY)

    # then
    assert rerun == 0
    assert composed == 1
    assert [_titles(message) for message in outbox] == [
        ["Neue Öffnungszeiten"],
        ["Sperrung der Ebendorfer Straße"],
    ]
    digests = Delivery.objects.filter(kind=Delivery.Kind.DIGEST).order_by("digest_period")
    assert [digest.digest_period for digest in digests] == ["2030-03-11", "2030-03-12"]
    entries = _entries_of(daily)
    assert entries.count() == 2
    assert not entries.filter(digest__isnull=True).exists()
    assert {entry.digest_id for entry in entries} == {digest.pk for digest in digests}


def test_a_weekly_subscriber_gets_the_weeks_news_on_monday(board, outbox):
    # given: news in the week before, a digest on Monday, news on Wednesday
    with time_machine.travel(MONDAY - timedelta(days=3), tick=False):
        SubscriptionFactory(frequency=Frequency.WEEKLY)
        _news(board, "Neue Öffnungszeiten")
    with time_machine.travel(MONDAY, tick=False):
        first = digests_compose(frequency=Frequency.WEEKLY)
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        _news(board, "Sommerfest")

    # when: composed again on Sunday (same week), then next Monday
    with time_machine.travel(MONDAY + timedelta(days=6, hours=16), tick=False):
        sunday = digests_compose(frequency=Frequency.WEEKLY)
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        next_monday = digests_compose(frequency=Frequency.WEEKLY)

    # then
    assert (first, sunday, next_monday) == (1, 0, 1)
    assert [_titles(message) for message in outbox] == [["Neue Öffnungszeiten"], ["Sommerfest"]]
    assert sorted(
        Delivery.objects.filter(kind=Delivery.Kind.DIGEST).values_list("digest_period", flat=True)
    ) == ["2030-W11", "2030-W12"]


@pytest.mark.parametrize(
    "frequency, moment, period",
    [
        (Frequency.DAILY, datetime(2030, 3, 10, 23, 30, tzinfo=BERLIN), "2030-03-10"),
        (Frequency.DAILY, datetime(2030, 3, 10, 23, 30, tzinfo=UTC), "2030-03-11"),
        (Frequency.WEEKLY, datetime(2030, 3, 10, 23, 30, tzinfo=BERLIN), "2030-W10"),
        (Frequency.WEEKLY, datetime(2030, 3, 10, 23, 30, tzinfo=UTC), "2030-W11"),
        (Frequency.WEEKLY, datetime(2029, 12, 31, 7, 0, tzinfo=BERLIN), "2030-W01"),
        (Frequency.WEEKLY, datetime(2027, 1, 1, 7, 0, tzinfo=BERLIN), "2026-W53"),
    ],
    ids=[
        "day-in-barleben",
        "utc-evening-is-next-day-in-barleben",
        "sunday-ends-the-week",
        "monday-in-barleben-starts-the-next",
        "iso-week-of-next-year",
        "iso-week-of-last-year",
    ],
)
def test_the_period_of_a_digest_is_the_local_day_or_iso_week(frequency, moment, period):
    assert digest_period(frequency, moment) == period


@pytest.mark.parametrize(
    "leave",
    [
        lambda subscription: Subscription.objects.update(paused_at=MONDAY),
        lambda subscription: recipient_unsubscribe(
            audience=audience_for("board"), token=subscription.token
        ),
    ],
    ids=["paused", "unsubscribed"],
)
def test_no_digest_goes_to_a_paused_or_unsubscribed_address(board, outbox, leave):
    # given
    with time_machine.travel(MONDAY - timedelta(hours=20), tick=False):
        subscription = SubscriptionFactory(frequency=Frequency.DAILY)
        _news(board, "Neue Öffnungszeiten")
        leave(subscription)

    # when
    with time_machine.travel(MONDAY, tick=False):
        composed = digests_compose(frequency=Frequency.DAILY)

    # then
    assert composed == 0
    assert outbox == []


def test_news_waiting_for_a_digest_reaches_a_subscriber_who_switches_to_immediate_emails(
    board, outbox
):
    # given: news waits for the daily digest, then its subscriber wants every notice at once
    with time_machine.travel(MONDAY - timedelta(hours=20), tick=False):
        subscription = SubscriptionFactory(frequency=Frequency.DAILY)
        _news(board, "Neue Öffnungszeiten")
        subscription_update(
            subscription=subscription,
            ortschaften=[],
            kinds=[],
            categories=[],
            frequency=Frequency.IMMEDIATELY,
        )

    # when: the sweep runs, as it does every minute
    with time_machine.travel(MONDAY, tick=False):
        notifications_sweep()

    # then
    assert any("Neue Öffnungszeiten" in message.body for message in outbox)


# Composing (find who waits in each audience: subscriptions and saved searches; create the
# digest, assign the entries) and sending it (claim, load, lock subscription and delivery,
# load the subscription, render with the news and their Ortschaften, record), savepoints
# included.
DIGEST_QUERIES = 24


@pytest.mark.parametrize("entries", [3, 30])
def test_a_digest_costs_the_same_queries_for_few_and_many_news(
    board, outbox, django_assert_num_queries, entries
):
    # given
    with time_machine.travel(MONDAY - timedelta(hours=20), tick=False):
        SubscriptionFactory(frequency=Frequency.DAILY)
        for number in range(entries):
            _news(board, f"Mitteilung {number}")

    # when / then
    with time_machine.travel(MONDAY, tick=False), django_assert_num_queries(DIGEST_QUERIES):
        digests_compose(frequency=Frequency.DAILY)
    assert len(outbox) == 1
    assert len(_titles(outbox[0])) == entries
