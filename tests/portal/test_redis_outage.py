"""Redis away: staff still get their normal pages, and nothing of their work is lost.

What could not be queued while Redis (cache and Celery broker) was away is made up for once
it is back: archive documents and notifications by the periodic sweeps, an image's sizes by
the first page that shows it; each exactly once. Redis here is a `redis-server` of the
test's own (tests/notifications/conftest.py), stopped and started by the test.
"""

import copy
import io
import logging
import time
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from archive.models import Document
from archive.tasks import documents_index_sweep_task
from notices.models import NoticePage
from notifications import sending
from notifications.models import Delivery, Dispatch
from notifications.sending import deliveries_send
from notifications.tasks import notifications_sweep_task
from tests.archive import files
from tests.factories import SubscriptionFactory

# The private Redis, SMTP server and workers of the notification tests, as fixtures here.
from tests.notifications.conftest import (  # noqa: F401
    announced_demo,
    board,
    broker,
    redis_server,
    smtp_server,
    wait_until,
    workers,
)
from website.models import HomePage
from website.tasks import PUBLIC_RENDITIONS

SWEEP_SECONDS = 1  # how often the tests run the sweeps, as beat does every few minutes


@pytest.fixture
def redis(broker, settings):  # noqa: F811
    """The test's own Redis as this process's cache and broker; `stop()` and `start()` it."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"].update(BACKEND="website.cache.PortalRedisCache", LOCATION=broker.url)
    settings.CACHES = caches
    return broker


def png() -> bytes:
    output = io.BytesIO()
    PillowImage.new("RGB", (1600, 1000), "#00538f").save(output, format="PNG")
    return output.getvalue()


def notice_form(*, kind, image) -> dict:
    """What the admin's form posts for a new notice showing the image, published at once."""
    return nested_form_data(
        {
            "title": "Sommerfest auf der Festwiese",
            "slug": "sommerfest-auf-der-festwiese",
            "kind": kind.pk,
            "publication_date": timezone.localdate().strftime("%d.%m.%Y"),
            "teaser": "Die Gemeinde lädt ein.",
            "body": streamfield(
                [("image", {"image": image.pk, "alt_text": "Die Festwiese", "caption": ""})]
            ),
            "comments": inline_formset([]),
            "related_services": inline_formset([]),
            "action-publish": "1",
        }
    )


@pytest.mark.service("postgres", "redis")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_work_while_redis_is_away_gets_normal_pages_and_is_done_once_redis_is_back(
    redis,
    workers,  # noqa: F811
    smtp_server,  # noqa: F811
    board,  # noqa: F811
    kinds,
    staff_member,
    client,
    settings,
    wait_until,  # noqa: F811
):
    # given a subscriber, a worker, and an editor in the admin
    subscriber = SubscriptionFactory()
    workers.start(MEDIA_ROOT=str(settings.MEDIA_ROOT), ARCHIVE_INDEXING_SWEEP_AFTER="1")
    client.force_login(staff_member("Redaktion"))

    # when Redis stops
    redis.stop()
    # and the editor uploads a document and an image, and publishes a notice showing the image
    root = Collection.get_first_root_node().pk
    answers = {
        "document": client.post(
            reverse("wagtaildocs:add"),
            {
                "title": "Gebührensatzung",
                "file": SimpleUploadedFile("Satzung.pdf", files.pdf_with_text(["Gebühren"])),
                "collection": root,
                "date": "2024-05-14",
                "description": "",
                "tags": "",
            },
            follow=True,
        ),
        "image": client.post(
            reverse("wagtailimages:add"),
            {
                "title": "Festwiese",
                "file": SimpleUploadedFile("festwiese.png", png()),
                "collection": root,
                "tags": "",
            },
            follow=True,
        ),
    }
    image = get_image_model().objects.get(title="Festwiese")
    answers["notice"] = client.post(
        reverse("wagtailadmin_pages:add", args=("notices", "noticepage", board.pk)),
        notice_form(kind=kinds["neuigkeit"], image=image),
        follow=True,
    )

    # then every answer is the normal one: on to the listing, which shows
    for name, answer in answers.items():
        assert answer.redirect_chain, name
        assert answer.status_code == 200, name
    # and everything is stored, the work on it waiting for Redis
    document = Document.objects.get(title="Gebührensatzung")
    assert document.indexing_state == Document.IndexingState.WAITING
    notice = NoticePage.objects.get(slug="sommerfest-auf-der-festwiese")
    assert notice.live
    dispatch = Dispatch.objects.get(source_id=notice.pk, is_update=False)
    assert dispatch.fanned_out_at is None
    assert not image.renditions.filter(filter_spec__in=PUBLIC_RENDITIONS).exists()

    # when Redis is back, and beat runs the sweeps
    redis.start()
    last_sweep = 0.0

    def swept_and_done() -> bool:
        nonlocal last_sweep
        document.refresh_from_db()
        dispatch.refresh_from_db()
        if (
            document.indexing_state == Document.IndexingState.INDEXED
            and dispatch.fanned_out_at is not None
            and not dispatch.deliveries.filter(status=Delivery.Status.PENDING).exists()
        ):
            return True
        if time.monotonic() - last_sweep > SWEEP_SECONDS:
            documents_index_sweep_task.delay()
            notifications_sweep_task.delay()
            last_sweep = time.monotonic()
        return False

    wait_until(swept_and_done, "the sweeps to read the document and send the notice")
    wait_until(redis.is_idle, "the last sweeps")

    # then the document is read, and the subscriber got the notice exactly once
    assert document.text == "Gebühren"
    assert smtp_server.recipient_counts() == Counter({subscriber.email: 1})
    # and the notice shows the image in its public size, made by this first request
    response = Client().get(notice.url)
    assert response.status_code == 200
    rendition = image.renditions.get(filter_spec="max-1200x900")
    assert rendition.url in response.content.decode()


@pytest.mark.service("redis")
@pytest.mark.django_db
def test_seed_demo_runs_while_redis_is_away_and_logs_what_was_not_queued(
    redis, django_capture_on_commit_callbacks, caplog
):
    # given Redis stopped
    redis.stop()

    # when the demo is seeded and its transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--force", stdout=io.StringIO())

    # then the demo is there, its documents waiting to be read
    assert HomePage.objects.exists()
    assert Document.objects.filter(indexing_state=Document.IndexingState.WAITING).exists()
    # and the log names each task that could not be queued (and what makes up for it): the
    # images' sizes, the documents' reading, the notices' fan-out and their display record,
    # none skipped
    not_queued = {
        record.args[0]
        for record in caplog.records
        if record.name == "website.task_queue" and record.levelno == logging.ERROR
    }
    assert not_queued == {
        "website.tasks.image_renditions_prepare_task",
        "archive.tasks.document_index_task",
        "notifications.tasks.dispatch_fan_out_task",
        "notices.tasks.notice_display_sync_task",
    }


@pytest.mark.service("redis")
@pytest.mark.django_db
def test_the_rate_limit_is_kept_by_each_sender_while_redis_is_away(
    redis, settings, mailoutbox, monkeypatch
):
    # given a limit of five e-mails a second, counted in Redis, which is stopped
    settings.NOTIFICATIONS_MAX_PER_SECOND = 5
    redis.stop()
    deliveries = [
        Delivery.objects.create(
            kind=Delivery.Kind.CONFIRMATION,
            audience="board",
            recipient_id=SubscriptionFactory(confirmed_at=None).pk,
        )
        for _ in range(6)
    ]
    second_starts = timezone.now().replace(microsecond=0) + timedelta(seconds=1)

    # when a sender sends them, on a clock that stands still but for the limiter's waiting
    with time_machine.travel(second_starts, tick=False) as clock:
        monkeypatch.setattr(sending, "time", SimpleNamespace(time=time.time, sleep=clock.shift))
        counts = deliveries_send(delivery_ids=[delivery.pk for delivery in deliveries])

    # then all are sent, five in the first second and the sixth at the start of the next
    assert counts[Delivery.Status.SENT] == 6
    assert len(mailoutbox) == 6
    sent_at = Counter(Delivery.objects.values_list("sent_at", flat=True))
    assert sent_at == {second_starts: 5, second_starts + timedelta(seconds=1): 1}
