"""The legal life of an Amtliche Bekanntmachung: on the board only within its display period,
put up and taken down on time by the beat task, and on record ("ausgehängt vom … bis …")."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup

from notices.display import notice_display_sync
from notices.models import NoticeDisplayRecord, NoticeKind, NoticePage
from notices.tasks import publish_scheduled_task
from tests.factories import NoticePageFactory

BERLIN = ZoneInfo("Europe/Berlin")
# The display period: from Monday 2 March 2030, 8:00, to Monday 16 March 2030, 18:00.
PUT_UP = datetime(2030, 3, 2, 8, 0, tzinfo=BERLIN)
TAKEN_DOWN = datetime(2030, 3, 16, 18, 0, tzinfo=BERLIN)
BEFORE = PUT_UP - timedelta(days=3)
DURING = PUT_UP + timedelta(days=1)
# The beat runs every minute; it notices the end a few minutes late at most.
AFTER = TAKEN_DOWN + timedelta(minutes=5)


def listed_on(response) -> set[int]:
    # the board's page holds the notices' ids, its archive's the notices
    return {getattr(item, "pk", item) for item in response.context["results"]}


def display_period_lines(response) -> list[str]:
    """The notice's "Ausgehängt" entries, as a citizen reads them."""
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        " ".join(term.find_next_sibling("dd").get_text(" ", strip=True).split())
        for term in soup.select("dl.display-period dt")
        if term.get_text(strip=True) == "Ausgehängt"
    ]


def test_official_notice_lives_on_the_board_only_within_its_display_period(client, board):
    # given an official notice, published before its display period
    with time_machine.travel(BEFORE, tick=False):
        notice = NoticePageFactory(
            parent=board,
            official=True,
            title="Satzung über die Straßenreinigung",
            display_from=PUT_UP,
            display_until=TAKEN_DOWN,
        )

        # when the beat runs before the period, then the notice is neither on the board nor put up
        notice_display_sync()
        assert not NoticePage.objects.on_board().filter(pk=notice.pk).exists()
        assert notice.pk not in listed_on(client.get(board.url))
        assert not NoticeDisplayRecord.objects.filter(notice=notice).exists()

    # when the period has begun
    with time_machine.travel(DURING, tick=False):
        # then it is on the board, and the beat puts it up once, however often it runs
        assert NoticePage.objects.on_board().filter(pk=notice.pk).exists()
        assert notice.pk in listed_on(client.get(board.url))
        notice_display_sync()
        assert notice_display_sync() == (0, 0)
        record = NoticeDisplayRecord.objects.get(notice=notice)
        assert record.put_up_at == DURING
        assert record.taken_down_at is None
        assert record.notice_title == "Satzung über die Straßenreinigung"

    # when the period is over and the beat has run
    with time_machine.travel(AFTER, tick=False):
        notice_display_sync()

        # then the notice has left the board and is taken down at the time of that run
        assert not NoticePage.objects.on_board().filter(pk=notice.pk).exists()
        assert notice.pk not in listed_on(client.get(board.url))
        record.refresh_from_db()
        assert record.taken_down_at == AFTER
        # and it is in the archive
        archive = client.get(f"{board.url}archiv/")
        assert archive.status_code == 200
        assert notice.pk in listed_on(archive)
        # and it keeps its address, marked as no longer current, with its display on record
        response = client.get(notice.url)
        assert response.status_code == 200
        assert "Nicht mehr aktuell." in response.content.decode()
        assert display_period_lines(response) == [
            "vom 3. März 2030, 08:00 bis 16. März 2030, 18:05"
        ]


def test_notice_page_shows_since_when_it_hangs(client, board):
    # given an official notice put up by the beat
    with time_machine.travel(DURING, tick=False):
        notice = NoticePageFactory(
            parent=board, official=True, display_from=PUT_UP, display_until=TAKEN_DOWN
        )
        notice_display_sync()

        # when a citizen opens it
        response = client.get(notice.url)

    # then it is current and says since when it hangs
    html = response.content.decode()
    assert "Nicht mehr aktuell" not in html
    assert display_period_lines(response) == ["seit 3. März 2030, 08:00"]


def test_unpublished_official_notice_is_taken_down_at_the_next_run(board):
    # given an official notice on display
    with time_machine.travel(DURING, tick=False):
        notice = NoticePageFactory(
            parent=board, official=True, display_from=PUT_UP, display_until=TAKEN_DOWN
        )
        notice_display_sync()

    # when an editor withdraws it within its period
    withdrawn = DURING + timedelta(hours=2)
    with time_machine.travel(withdrawn, tick=False):
        notice.unpublish()
        notice_display_sync()

    # then its record ends then, not at the end of the period
    record = NoticeDisplayRecord.objects.get(notice=notice)
    assert record.taken_down_at == withdrawn


@pytest.mark.parametrize("traits", [{}, {"event": True}], ids=["neuigkeit", "veranstaltung"])
def test_other_kinds_are_always_on_the_board_and_never_on_record(board, traits):
    notice = NoticePageFactory(parent=board, **traits)

    notice_display_sync()

    assert NoticePage.objects.on_board().filter(pk=notice.pk).exists()
    assert not NoticeDisplayRecord.objects.filter(notice=notice).exists()


def test_publishing_in_the_period_puts_the_notice_up_at_once(
    board, celery_eager, django_capture_on_commit_callbacks
):
    # given a draft official notice whose period has begun
    with time_machine.travel(DURING, tick=False):
        notice = NoticePageFactory(
            parent=board, official=True, draft=True, display_from=PUT_UP, display_until=TAKEN_DOWN
        )

        # when a moderator publishes it
        with django_capture_on_commit_callbacks(execute=True):
            notice.save_revision().publish()

    # then it is put up now, not only at the next beat
    record = NoticeDisplayRecord.objects.get(notice=notice)
    assert (record.put_up_at, record.taken_down_at) == (DURING, None)


def test_beat_task_publishes_a_scheduled_official_notice_and_puts_it_up(board, celery_eager):
    # given an official notice scheduled to go live when its display period starts
    with time_machine.travel(BEFORE, tick=False):
        notice = NoticePageFactory(
            parent=board,
            official=True,
            draft=True,
            display_from=PUT_UP,
            display_until=TAKEN_DOWN,
            go_live_at=PUT_UP,
        )
        revision = notice.save_revision()
        revision.publish()  # with go_live_at ahead, Wagtail approves it for later
        revision.refresh_from_db()
        assert revision.approved_go_live_at == PUT_UP

        # when the beat runs before that time, then nothing happens
        publish_scheduled_task.delay()
        notice.refresh_from_db()
        assert not notice.live

    # when the beat runs after it
    first_run = PUT_UP + timedelta(seconds=40)
    with time_machine.travel(first_run, tick=False):
        publish_scheduled_task.delay()

        # then the notice is live, on the board and put up
        notice.refresh_from_db()
        assert notice.live
        assert notice.first_published_at == first_run
        assert NoticePage.objects.on_board().filter(pk=notice.pk).exists()
        record = NoticeDisplayRecord.objects.get(notice=notice)
        assert (record.put_up_at, record.taken_down_at) == (first_run, None)

    # when the beat runs after the period, then it takes the notice down and keeps it live
    with time_machine.travel(AFTER, tick=False):
        publish_scheduled_task.delay()

    notice.refresh_from_db()
    record.refresh_from_db()
    assert notice.live
    assert record.taken_down_at == AFTER


def test_record_outlives_the_deleted_notice(board):
    # given an official notice on display
    notice = NoticePageFactory(parent=board, official=True, title="Zurückgezogene Satzung")
    notice_display_sync()

    # when it is deleted, and the beat runs
    notice.delete()
    notice_display_sync()

    # then its record is closed and still says what hung
    record = NoticeDisplayRecord.objects.get(notice_title="Zurückgezogene Satzung")
    assert record.notice is None
    assert record.taken_down_at is not None


def test_notice_of_a_kind_made_official_later_still_answers(client, board):
    # given a notice of a kind without display period
    notice = NoticePageFactory(parent=board, kind__slug="sonstiges")

    # when an administrator makes that kind official (kinds are data, editable in the admin)
    NoticeKind.objects.filter(slug="sonstiges").update(has_display_period=True)

    # then the notice's page still answers
    assert client.get(notice.url).status_code == 200
