"""The outbox moves from notices to the notification service (notices 0007, notifications
0001, archive 0009), and the ground from barleben_portal to the website app (website 0001),
with every Ortschaft, subscription, saved search, dispatch, delivery and digest entry kept,
and afterwards fans out and sends as before: nothing lost, nothing sent twice.
"""

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("notices", "0006_link_page_optional_chooser"),
    ("archive", "0008_document_search_vector"),
    ("notifications", None),
    # The ground moved to the website app after (website 0001): back to where it was then.
    ("website", None),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection)


@pytest.fixture
def before_the_move(django_db_serialized_rollback, transactional_db):
    """The apps of today's main before the move; the database migrated back to then, and
    forward to the newest state afterwards whatever the test did. With serialized rollback,
    as the other tests with real transactions: what the migrations put in the database is
    put back after, with the same ids."""
    executor = _migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE[:2]).apps
    finally:
        _migrate(None)


@pytest.mark.service("postgres")
def test_the_outbox_moves_with_nothing_lost_and_nothing_sent_twice(before_the_move, settings):
    # given: today's main with subscriptions, a saved search, a notice's dispatch sent to one
    # subscriber and pending for another, held for a daily one, and a survey's announcement
    old = before_the_move
    ContentType = old.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="notices", model="category"
    )
    locale, _created = old.get_model("wagtailcore", "Locale").objects.get_or_create(
        language_code="de"
    )
    root = old.get_model("wagtailcore", "Page").objects.create(
        title="Start", slug="start", path="9999", depth=1, content_type=content_type, locale=locale
    )
    site = old.get_model("wagtailcore", "Site").objects.create(
        hostname="portal.example.org", root_page=root
    )
    ortschaft, _created = old.get_model("barleben_portal", "Ortschaft").objects.get_or_create(
        slug="ebendorf", defaults={"name": "Ebendorf"}
    )
    ortschaft_type, _created = ContentType.objects.get_or_create(
        app_label="barleben_portal", model="ortschaft"
    )
    kind, _created = old.get_model("notices", "NoticeKind").objects.get_or_create(
        slug="test-neu", defaults={"name": "Test: Neuigkeit"}
    )
    category, _created = old.get_model("notices", "Category").objects.get_or_create(
        slug="test-bauen", defaults={"name": "Test: Bauen"}
    )
    Subscription = old.get_model("notices", "Subscription")
    confirmed = {"site": site, "confirmed_at": "2026-12-01T10:00:00Z", "consent_version": "1"}
    sent_to = Subscription.objects.create(email="sent@example.org", token="a" * 43, **confirmed)
    pending_for = Subscription.objects.create(email="wait@example.org", token="b" * 43, **confirmed)
    daily = Subscription.objects.create(
        email="daily@example.org", token="c" * 43, frequency="daily", **confirmed
    )
    saved_search = old.get_model("archive", "SavedSearch").objects.create(
        email="search@example.org", query="Bebauungsplan", token="d" * 43, **confirmed
    )
    Dispatch = old.get_model("notices", "Dispatch")
    common = {"site": site, "source_type": content_type, "url": "https://example.org/n/"}
    notice = Dispatch.objects.create(
        source_id=1, label="Neuigkeit", title="Straßenfest", kind=kind, **common
    )
    notice.ortschaften.set([ortschaft])
    notice.categories.set([category])
    survey = Dispatch.objects.create(source_id=2, label="Umfrage", title="Spielplatz", **common)
    alert = Dispatch.objects.create(
        source_id=3, label="Satzung", title="Plan", audience="saved_search", **common
    )
    Delivery = old.get_model("notices", "Delivery")
    Delivery.objects.create(
        kind="notification", dispatch=notice, subscription=sent_to, status="sent"
    )
    waiting = Delivery.objects.create(
        kind="notification", dispatch=notice, subscription=pending_for
    )
    Delivery.objects.create(
        kind="notification", dispatch=alert, saved_search=saved_search, status="sent"
    )
    old.get_model("notices", "DigestEntry").objects.create(dispatch=notice, subscription=daily)

    # when: migrated to the new layout
    _migrate(None)

    # then: every row is there, its recipient named by audience and id
    from notices.models import Subscription as NewSubscription
    from notifications.fanout import digests_compose, dispatch_fan_out
    from notifications.models import Delivery as NewDelivery
    from notifications.models import DigestEntry
    from notifications.models import Dispatch as NewDispatch
    from notifications.sending import deliveries_send

    recipients = set(NewDelivery.objects.values_list("audience", "recipient_id", "status"))
    assert recipients == {
        ("board", sent_to.pk, "sent"),
        ("board", pending_for.pk, "pending"),
        ("saved_search", saved_search.pk, "sent"),
    }
    assert list(DigestEntry.objects.values_list("audience", "recipient_id")) == [
        ("board", daily.pk)
    ]
    moved = NewDispatch.objects.get(pk=notice.pk)
    assert moved.audience == "board"
    assert moved.criteria == {"kind": kind.pk, "categories": [category.pk]}
    assert list(moved.ortschaften.values_list("pk", flat=True)) == [ortschaft.pk]
    assert NewDispatch.objects.get(pk=survey.pk).criteria == {}
    assert NewDispatch.objects.get(pk=alert.pk).audience == "saved_search"
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "notifications_delivery" in tables
    assert "notices_delivery" not in tables

    # and: the Ortschaft lives on in the website app, in its table, under its content type
    from django.contrib.contenttypes.models import ContentType as NewContentType

    from website.models import Ortschaft

    assert Ortschaft.objects.get(pk=ortschaft.pk).slug == "ebendorf"
    assert NewContentType.objects.get_for_model(Ortschaft).pk == ortschaft_type.pk
    assert "website_ortschaft" in tables
    assert "barleben_portal_ortschaft" not in tables

    # and: the notice's fan-out run again creates only what is new, and the senders send
    # the pending e-mail and the new subscriber's, never the one sent before
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    newcomer = NewSubscription.objects.create(
        site_id=site.pk,
        email="new@example.org",
        token="e" * 43,
        confirmed_at=confirmed["confirmed_at"],
        consent_version="1",
    )
    NewDispatch.objects.filter(pk=notice.pk).update(fanned_out_at=None)
    assert dispatch_fan_out(dispatch_id=notice.pk) == 4
    pending = NewDelivery.objects.filter(status="pending")
    assert set(pending.values_list("recipient_id", flat=True)) == {pending_for.pk, newcomer.pk}
    deliveries_send(delivery_ids=list(pending.values_list("pk", flat=True)))
    assert sorted(message.to[0] for message in mail.outbox) == [
        "new@example.org",
        "wait@example.org",
    ]
    assert NewDelivery.objects.get(pk=waiting.pk).status == "sent"
    assert digests_compose(frequency="daily") == 1
