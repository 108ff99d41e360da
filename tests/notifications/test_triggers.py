"""When publishing a notice tells its subscribers: its first publication, and a change only
when its editor ticks "send this change".

Pages are published as Wagtail publishes them (a revision, then `publish()`); what the
publication queues after its commit runs here, and the e-mails land in `mail.outbox`.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import PageViewRestriction

from notices.announcing import notice_announce
from notices.models import Category, NoticeIndexPage, NoticeKind, NoticePage
from notices.tasks import publish_scheduled_task
from notifications.models import Dispatch
from tests.factories import (
    CategoryFactory,
    NoticePageFactory,
    OrtschaftFactory,
    SubscriptionFactory,
)


@pytest.fixture
def subscriber(demo):
    """Someone who wants every notice at once."""
    return SubscriptionFactory()


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish a notice's current state as a new revision, and run what that queued."""

    def run(notice: NoticePage) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            notice.save_revision().publish()

    return run


def _new_notice(board: NoticeIndexPage, **fields) -> NoticePage:
    """A notice never published: a construction site in Ebendorf."""
    notice = NoticePageFactory.build(
        title="Sperrung der Ebendorfer Straße",
        teaser="Die Straße ist zwei Wochen gesperrt.",
        kind=NoticeKind.objects.get(slug="baustelle-verkehr"),
        live=False,
        first_published_at=None,
        last_published_at=None,
        **fields,
    )
    board.add_child(instance=notice)
    notice.ortschaften.set([OrtschaftFactory(slug="ebendorf")])
    notice.categories.set([CategoryFactory(slug="verkehr")])
    return notice


def _edit(notice: NoticePage, **fields) -> NoticePage:
    """The notice as its editor opens it again, with these changes."""
    notice = NoticePage.objects.get(pk=notice.pk).get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(notice, name, value)
    return notice


def _dispatches(notice: NoticePage):
    return Dispatch.objects.filter(
        source_type=ContentType.objects.get_for_model(NoticePage), source_id=notice.pk
    ).order_by("pk")


def test_the_first_publication_announces_the_notice_to_its_subscribers(
    board, subscriber, publish, outbox
):
    # given
    elsewhere = SubscriptionFactory(ortschaften=[OrtschaftFactory(slug="meitzendorf")])
    notice = _new_notice(board)

    # when
    publish(notice)

    # then
    dispatch = _dispatches(notice).get()
    notice.refresh_from_db()
    assert dispatch.is_update is False
    assert (dispatch.title, dispatch.summary, dispatch.url) == (
        "Sperrung der Ebendorfer Straße",
        "Die Straße ist zwei Wochen gesperrt.",
        notice.get_full_url(),
    )
    assert dispatch.label == notice.kind.name
    assert [o.slug for o in dispatch.ortschaften.all()] == ["ebendorf"]
    assert dispatch.audience == "board"
    assert dispatch.criteria["kind"] == notice.kind_id
    categories = Category.objects.filter(pk__in=dispatch.criteria["categories"])
    assert [c.slug for c in categories] == ["verkehr"]
    assert dispatch.fanned_out_at is not None
    assert [message.to for message in outbox] == [[subscriber.email]]
    assert outbox[0].subject == f"{notice.kind.name}: Sperrung der Ebendorfer Straße"
    assert notice.get_full_url() in outbox[0].body
    assert elsewhere.email not in {address for message in outbox for address in message.to}


def test_publishing_an_edit_announces_nothing(board, subscriber, publish, outbox):
    # given
    notice = _new_notice(board)
    publish(notice)

    # when
    publish(_edit(notice, teaser="Die Straße ist drei Wochen gesperrt."))

    # then
    assert _dispatches(notice).count() == 1
    assert len(outbox) == 1


def test_publishing_a_change_the_editor_chose_to_send_announces_it_once(
    board, subscriber, publish, outbox
):
    # given
    notice = _new_notice(board)
    publish(notice)

    # when
    publish(_edit(notice, title="Sperrung der Ebendorfer Straße verlängert", send_change=True))

    # then
    first, change = _dispatches(notice)
    assert (first.is_update, change.is_update) == (False, True)
    kind = notice.kind.name
    assert change.label == gettext("Changed: %(kind)s") % {"kind": kind}
    assert change.title == "Sperrung der Ebendorfer Straße verlängert"
    assert [message.subject for message in outbox] == [
        f"{kind}: Sperrung der Ebendorfer Straße",
        f"{change.label}: Sperrung der Ebendorfer Straße verlängert",
    ]
    assert NoticePage.objects.get(pk=notice.pk).send_change is False


def test_the_next_edit_after_a_sent_change_announces_nothing(board, subscriber, publish, outbox):
    # given
    notice = _new_notice(board)
    publish(notice)
    publish(_edit(notice, send_change=True))

    # when: the edit form starts with the box unticked
    publish(_edit(notice, teaser="Die Umleitung führt über Meitzendorf.", send_change=False))

    # then
    assert _dispatches(notice).count() == 2
    assert len(outbox) == 2


def test_publishing_the_revision_of_a_sent_change_again_announces_nothing(
    board, subscriber, publish, django_capture_on_commit_callbacks, outbox
):
    # given: a change was sent, then the notice was taken down
    notice = _new_notice(board)
    publish(notice)
    publish(_edit(notice, send_change=True))
    NoticePage.objects.get(pk=notice.pk).unpublish()

    # when: it is put up again as it was (as Wagtail's bulk "Publish" action does)
    with django_capture_on_commit_callbacks(execute=True):
        NoticePage.objects.get(pk=notice.pk).get_latest_revision().publish()

    # then
    assert _dispatches(notice).count() == 2
    assert len(outbox) == 2


def test_ticking_send_change_on_the_first_publication_announces_it_once(
    board, subscriber, publish, outbox
):
    # given
    notice = _new_notice(board, send_change=True)

    # when
    publish(notice)

    # then
    assert [dispatch.is_update for dispatch in _dispatches(notice)] == [False]
    assert len(outbox) == 1
    assert NoticePage.objects.get(pk=notice.pk).send_change is False


@pytest.mark.parametrize("restricted", ["notice", "board"])
def test_a_private_notice_is_not_announced(board, subscriber, publish, outbox, restricted):
    # given
    notice = _new_notice(board)
    PageViewRestriction.objects.create(
        page=notice if restricted == "notice" else board,
        restriction_type=PageViewRestriction.PASSWORD,
        password="nur-fuer-den-rat",
    )

    # when
    publish(notice)

    # then
    assert NoticePage.objects.get(pk=notice.pk).live
    assert not _dispatches(notice).exists()
    assert outbox == []


def test_a_scheduled_notice_is_announced_once_when_it_goes_live(
    board, subscriber, publish, django_capture_on_commit_callbacks, outbox
):
    # given: published with a go-live time an hour ahead
    notice = _new_notice(board, go_live_at=timezone.now() + timedelta(hours=1))
    publish(notice)
    assert not NoticePage.objects.get(pk=notice.pk).live
    assert not _dispatches(notice).exists()

    # when: the beat runs the scheduled publishing, twice
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        with django_capture_on_commit_callbacks(execute=True):
            publish_scheduled_task()
        with django_capture_on_commit_callbacks(execute=True):
            publish_scheduled_task()

    # then
    assert NoticePage.objects.get(pk=notice.pk).live
    assert [dispatch.is_update for dispatch in _dispatches(notice)] == [False]
    assert [message.to for message in outbox] == [[subscriber.email]]


def test_unpublishing_and_publishing_again_announces_nothing(board, subscriber, publish, outbox):
    # given
    notice = _new_notice(board)
    publish(notice)
    NoticePage.objects.get(pk=notice.pk).unpublish()

    # when
    publish(_edit(notice))

    # then
    assert NoticePage.objects.get(pk=notice.pk).live
    assert _dispatches(notice).count() == 1
    assert len(outbox) == 1


def test_announcing_a_first_publication_twice_creates_one_dispatch(board, subscriber, publish):
    # given
    notice = _new_notice(board)
    publish(notice)

    # when: the signal fires again for the same publication
    again = notice_announce(notice=NoticePage.objects.get(pk=notice.pk))

    # then
    assert again is None
    assert _dispatches(notice).count() == 1
