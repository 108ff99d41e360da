"""Vier-Augen-Prinzip: an editor (Redaktion) submits an official notice, a second person
(Freigabe) approves and so publishes it; other kinds the editor publishes directly."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notices.models import NoticePage
from tests.factories import NoticePageFactory

FOUR_EYES_ERROR = (
    "Amtliche Bekanntmachungen werden nach der Freigabe durch eine zweite Person "
    "veröffentlicht. Reichen Sie die Bekanntmachung bitte zur Freigabe ein."
)


@pytest.mark.parametrize(
    "group_name, traits, can_publish",
    [
        ("Redaktion", {"official": True}, False),
        ("Redaktion", {}, True),
        ("Redaktion", {"event": True}, True),
        ("Freigabe", {"official": True}, True),
        ("Freigabe", {}, True),
        ("Administration", {"official": True}, True),
        ("Gemeinderat", {}, False),
    ],
    ids=[
        "redaktion-official",
        "redaktion-neuigkeit",
        "redaktion-event",
        "freigabe-official",
        "freigabe-neuigkeit",
        "administration-official",
        "gemeinderat-neuigkeit",
    ],
)
def test_who_may_publish_which_notice(board, staff_member, group_name, traits, can_publish):
    notice = NoticePageFactory(parent=board, **traits)

    permissions = notice.permissions_for_user(staff_member(group_name))

    assert permissions.can_publish() is can_publish


@pytest.fixture
def official_draft(board):
    now = timezone.now().replace(second=0, microsecond=0)
    notice = NoticePageFactory(
        parent=board,
        official=True,
        draft=True,
        title="Allgemeinverfügung zum Osterfeuer",
        display_from=now - timedelta(hours=1),
        display_until=now + timedelta(days=14),
    )
    notice.save_revision()
    return notice


def edit_form(notice_form_data, notice, action: str) -> dict:
    return notice_form_data(
        action=action,
        kind=notice.kind,
        title=notice.title,
        slug=notice.slug,
        teaser=notice.teaser,
        display_from=notice.display_from,
        display_until=notice.display_until,
    )


def test_editor_cannot_publish_an_official_notice(
    client, official_draft, staff_member, notice_form_data
):
    # given an editor of the Redaktion
    client.force_login(staff_member("Redaktion"))
    revisions_before = official_draft.revisions.count()

    # when they press "publish" on an official notice
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(official_draft.pk,)),
        edit_form(notice_form_data, official_draft, "action-publish"),
    )

    # then they are told to submit it for approval, and it stays unpublished
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [FOUR_EYES_ERROR]
    assert FOUR_EYES_ERROR in response.content.decode()
    official_draft.refresh_from_db()
    assert not official_draft.live
    assert official_draft.revisions.count() == revisions_before


def test_official_notice_is_published_after_approval_by_a_second_person(
    client, official_draft, staff_member, notice_form_data
):
    editor, moderator = staff_member("Redaktion"), staff_member("Freigabe")

    # when an editor submits the official notice for approval
    client.force_login(editor)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(official_draft.pk,)),
        edit_form(notice_form_data, official_draft, "action-submit"),
    )

    # then it is in the Vier-Augen-Prinzip workflow, waiting for the Freigabe, not live
    assert response.status_code == 302
    official_draft.refresh_from_db()
    workflow_state = official_draft.current_workflow_state
    assert workflow_state.is_active
    assert workflow_state.status == workflow_state.STATUS_IN_PROGRESS
    assert workflow_state.workflow.name == "Vier-Augen-Prinzip"
    assert workflow_state.requested_by == editor
    assert not official_draft.live
    task_state = official_draft.current_workflow_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(official_draft.pk, "approve", task_state.pk)
    )

    # when the editor tries to approve it themselves, then the admin turns them away
    response = client.post(approve_url)
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    official_draft.refresh_from_db()
    assert not official_draft.live

    # when a member of the Freigabe approves it
    client.force_login(moderator)
    response = client.post(approve_url)

    # then it is live, and the workflow is done
    assert response.status_code == 302
    official_draft.refresh_from_db()
    assert official_draft.live
    assert official_draft.current_workflow_state is None
    workflow_state.refresh_from_db()
    assert workflow_state.status == workflow_state.STATUS_APPROVED
    assert official_draft.live_revision.user == editor


@pytest.mark.parametrize(
    "traits, workflow_name",
    [
        ({"official": True}, "Vier-Augen-Prinzip"),
        ({"kind__slug": "neuigkeit"}, None),
        ({"event": True}, None),
        ({"kind__slug": "baustelle-verkehr"}, None),
        ({"kind__slug": "sonstiges"}, None),
    ],
    ids=["amtliche-bekanntmachung", "neuigkeit", "veranstaltung", "baustelle-verkehr", "sonstiges"],
)
def test_only_official_notices_go_through_the_workflow(board, traits, workflow_name):
    notice = NoticePageFactory(parent=board, **traits)

    workflow = notice.get_workflow()

    assert (workflow.name if workflow else None) == workflow_name
    assert notice.has_workflow is (workflow_name is not None)


def test_editor_publishes_a_neuigkeit_directly(
    client, board, kinds, staff_member, notice_form_data
):
    # given an editor of the Redaktion
    client.force_login(staff_member("Redaktion"))

    # when they write a Neuigkeit and press "publish"
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("notices", "noticepage", board.pk)),
        notice_form_data(kind=kinds["neuigkeit"], title="Neue Spielgeräte im Stadtpark"),
    )

    # then it is live at once, without a workflow
    assert response.status_code == 302
    notice = NoticePage.objects.get(title="Neue Spielgeräte im Stadtpark")
    assert notice.live
    assert notice.get_workflow() is None
    assert notice.current_workflow_state is None
