"""The four-eyes principle holds on every path: whatever is or was official (the live
version, the draft, any revision) needs the approver's right to publish, unpublish, move,
copy or delete, through Wagtail's views, bulk actions and scheduled publishing. And the
put-up record closes whenever a notice stops hanging as an official one."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices.display import notice_display_sync
from notices.models import NoticeDisplayRecord, NoticePage
from tests.factories import NoticePageFactory
from tests.notices.test_workflow import FOUR_EYES_ERROR, edit_form


@pytest.fixture
def approved(board) -> NoticePage:
    """A live official notice, published (approved) with a revision, and hanging."""
    notice = NoticePageFactory(parent=board, official=True, title="Satzung über Sondernutzungen")
    notice.save_revision().publish()
    notice_display_sync()
    return NoticePage.objects.get(pk=notice.pk)


@pytest.fixture
def editor(client, staff_member):
    member = staff_member("Redaktion")
    client.force_login(member)
    return member


def _is_live_and_official(notice: NoticePage) -> bool:
    notice = NoticePage.objects.get(pk=notice.pk)
    return notice.live and notice.is_official


def test_a_kind_changed_in_a_draft_cannot_go_live_without_approval(
    client, approved, editor, kinds, notice_form_data
):
    # given the editor's draft of the approved notice, changed into a Neuigkeit
    edit = reverse("wagtailadmin_pages:edit", args=(approved.pk,))
    draft = edit_form(notice_form_data, approved, "action-save")
    draft["kind"] = kinds["neuigkeit"].pk
    assert client.post(edit, draft).status_code == 302

    # then, reloaded, it offers no publication, and pressing "publish" is refused with the reason
    page = NoticePage.objects.get(pk=approved.pk).get_latest_revision_as_object()
    assert not page.is_official
    assert not page.permissions_for_user(editor).can_publish()
    assert page.has_workflow  # it goes to the Freigabe instead
    publish = {**draft, "action-publish": "1"}
    del publish["action-save"]
    response = client.post(edit, publish)
    assert response.status_code == 200
    assert FOUR_EYES_ERROR in response.content.decode()
    assert _is_live_and_official(approved)


@pytest.mark.parametrize(
    "url_name, data",
    [
        ("wagtailadmin_pages:unpublish", {}),
        ("wagtailadmin_pages:delete", {}),
    ],
    ids=["unpublish", "delete"],
)
def test_the_editor_can_neither_unpublish_nor_delete_an_official_notice(
    client, approved, editor, url_name, data
):
    client.post(reverse(url_name, args=(approved.pk,)), data)

    assert _is_live_and_official(approved)


def test_the_editor_can_neither_move_nor_copy_an_official_notice(client, approved, editor, board):
    permissions = approved.permissions_for_user(editor)
    assert not permissions.can_move()
    assert not permissions.can_copy()
    pages_before = NoticePage.objects.count()

    client.post(reverse("wagtailadmin_pages:move_confirm", args=(approved.pk, board.pk)))
    client.post(
        reverse("wagtailadmin_pages:copy", args=(approved.pk,)),
        {
            "new_title": "Kopie",
            "new_slug": "kopie",
            "new_parent_page": board.pk,
            "publish_copies": "on",
        },
    )

    assert NoticePage.objects.count() == pages_before
    assert _is_live_and_official(approved)


@pytest.mark.parametrize("action", ["unpublish", "delete", "publish"])
def test_bulk_actions_leave_an_official_notice_alone(client, approved, editor, kinds, action):
    # a draft that is no longer official, for the bulk publication
    page = approved.get_latest_revision_as_object()
    page.kind = kinds["neuigkeit"]
    page.save_revision(user=editor)

    client.post(
        reverse("wagtail_bulk_action", args=("wagtailcore", "page", action)) + f"?id={approved.pk}",
        {"include_descendants": "", "delete_reference_count": "0"},
    )

    assert _is_live_and_official(approved)


def test_a_reverted_revision_of_another_kind_goes_live_only_with_approval(
    client, board, editor, kinds, notice_form_data
):
    # given a notice that was a Neuigkeit (revision 1) and was then approved as official
    notice = NoticePageFactory(parent=board, kind=kinds["neuigkeit"], title="Straßensperrung")
    first = notice.save_revision()
    first.publish()
    notice.kind = kinds["amtliche-bekanntmachung"]
    notice.display_from = timezone.now() - timedelta(hours=1)
    notice.display_until = timezone.now() + timedelta(days=14)
    notice.save_revision().publish()

    # when the editor opens the first revision to revert to it, and publishes it
    response = client.get(
        reverse("wagtailadmin_pages:revisions_revert", args=(notice.pk, first.pk))
    )
    assert response.status_code == 200
    reverted = edit_form(notice_form_data, notice, "action-publish")
    reverted["kind"] = kinds["neuigkeit"].pk
    response = client.post(reverse("wagtailadmin_pages:edit", args=(notice.pk,)), reverted)

    # then it is refused: the notice stays official and live
    assert FOUR_EYES_ERROR in response.content.decode()
    assert _is_live_and_official(notice)


def test_a_draft_scheduled_by_the_editor_is_not_published_by_the_scheduler(approved, editor, kinds):
    page = approved.get_latest_revision_as_object()
    page.kind = kinds["neuigkeit"]
    page.go_live_at = timezone.now() - timedelta(minutes=1)
    page.save_revision(user=editor)

    call_command("publish_scheduled")

    assert _is_live_and_official(approved)


def _open_records(notice) -> int:
    return NoticeDisplayRecord.objects.filter(notice=notice, taken_down_at__isnull=True).count()


def test_the_put_up_record_closes_when_an_approver_publishes_another_kind(
    approved, kinds, staff_member, celery_eager, django_capture_on_commit_callbacks
):
    assert _open_records(approved) == 1
    page = approved.get_latest_revision_as_object()
    page.kind = kinds["neuigkeit"]

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision(user=staff_member("Freigabe")).publish()

    assert _open_records(approved) == 0


def test_the_put_up_record_closes_when_the_notice_is_deleted(approved):
    record = NoticeDisplayRecord.objects.get(notice=approved, taken_down_at__isnull=True)

    approved.delete()

    record.refresh_from_db()
    assert record.taken_down_at is not None


def test_the_admin_listing_asks_no_query_per_notice_for_the_rule(client, board, editor):
    # The listing's buttons ask the rule for every notice: it must cost the same for more.
    def queries_of_listing() -> int:
        url = reverse("wagtailadmin_explore", args=(board.pk,))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for number in range(6):
        NoticePageFactory(parent=board, title=f"Mitteilung {number}", official=number % 2 == 0)
    fewer = queries_of_listing()
    for number in range(6, 18):
        NoticePageFactory(parent=board, title=f"Mitteilung {number}", official=number % 2 == 0)

    assert queries_of_listing() == fewer
