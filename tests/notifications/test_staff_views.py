"""What staff see of the notifications: each notice's dispatch with its figures and failure
reasons, subscribers per Ortschaft, and the export only for those allowed to."""

import csv
import io
import re

import pytest

from notifications.models import Delivery, Dispatch
from tests.factories import NoticePageFactory, SubscriptionFactory

OVERVIEW = "/admin/abonnements/"
EXPORT = "/admin/abonnements/export/"


@pytest.fixture
def dispatch(board, outbox, ortschaften, django_capture_on_commit_callbacks):
    """A notice for Ebendorf sent to two subscribers, one of whose mail servers refused."""
    SubscriptionFactory(email="erika@example.org", ortschaften=[ortschaften["ebendorf"]])
    refused = SubscriptionFactory(email="max@example.org")
    notice = NoticePageFactory(
        parent=board, live=False, first_published_at=None, last_published_at=None
    )
    notice.ortschaften.set([ortschaften["ebendorf"]])
    with django_capture_on_commit_callbacks(execute=True):
        notice.save_revision().publish()
    dispatch = Dispatch.objects.get(source_id=notice.pk, is_update=False)
    Delivery.objects.filter(dispatch=dispatch, audience="board", recipient_id=refused.pk).update(
        status=Delivery.Status.FAILED, error="550 5.1.1 No such mailbox"
    )
    return notice, dispatch


@pytest.mark.parametrize("group", ["Redaktion", "Freigabe", "Gemeinderat", "Administration"])
def test_staff_see_a_notices_dispatch_with_figures_and_reasons(
    client, staff_member, dispatch, group
):
    # given
    notice, dispatch = dispatch
    client.force_login(staff_member(group))

    # when: from the notice's page menu to its dispatch, and into it
    edit = client.get(f"/admin/pages/{notice.pk}/edit/").content.decode()
    listing = client.get(f"/admin/dispatches/?page={notice.pk}").content.decode()
    inspect = client.get(f"/admin/dispatches/inspect/{dispatch.pk}/").content.decode()

    # then (the council edits nothing, so it reaches dispatches by the menu *Versand*)
    assert (f"/admin/dispatches/?page={notice.pk}" in edit) is (group != "Gemeinderat")
    assert notice.title in listing
    cells = [" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", listing, re.S)]
    assert cells[-3:] == ["1", "0", "1"]  # sent, pending, failed
    assert "Empfänger" in inspect and "Versendet" in inspect
    assert "550 5.1.1 No such mailbox" in inspect
    assert "max@example.org" not in inspect  # reasons, not addresses


def test_nobody_may_change_or_delete_a_dispatch(client, staff_member, dispatch):
    _notice, dispatch = dispatch
    client.force_login(staff_member("Administration"))

    edit = client.get(f"/admin/dispatches/edit/{dispatch.pk}/")
    delete = client.post(f"/admin/dispatches/delete/{dispatch.pk}/")

    assert edit.status_code in {302, 403, 404}
    assert delete.status_code in {302, 403, 404}
    assert Dispatch.objects.filter(pk=dispatch.pk).exists()


def test_subscriber_counts_per_ortschaft(client, staff_member, demo, ortschaften):
    # given: one for Ebendorf, one for all, one unconfirmed, one paused
    SubscriptionFactory(ortschaften=[ortschaften["ebendorf"]])
    SubscriptionFactory()
    SubscriptionFactory(confirmed_at=None)
    SubscriptionFactory(paused_at="2026-11-01T00:00:00Z")
    client.force_login(staff_member("Gemeinderat"))

    # when
    page = client.get(OVERVIEW).content.decode()

    # then: Ebendorf counts its own and the one for all; the others count only that one
    assert "2 aktive Abonnements" in page
    assert "<td>Ebendorf</td><td>2</td>" in page
    assert "<td>Meitzendorf</td><td>1</td>" in page
    assert "1 Anmeldungen warten auf Bestätigung; 1 Abonnements sind" in page
    assert EXPORT not in page  # only Administration may export


@pytest.mark.parametrize("group", ["Redaktion", "Freigabe", "Gemeinderat"])
def test_only_administration_exports_subscribers(client, staff_member, demo, group):
    client.force_login(staff_member(group))

    response = client.get(EXPORT)

    # the admin's way of saying no: back to the dashboard with a message
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_export_has_every_subscriber_with_consent_proof(client, staff_member, demo, ortschaften):
    # given
    SubscriptionFactory(email="erika@example.org", ortschaften=[ortschaften["ebendorf"]])
    SubscriptionFactory(email="neu@example.org", confirmed_at=None)
    client.force_login(staff_member("Administration"))

    # when
    response = client.get(EXPORT)

    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="abonnements-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_email = {row["email"]: row for row in rows}
    assert by_email["erika@example.org"]["status"] == "active"
    assert by_email["erika@example.org"]["ortschaften"] == "Ebendorf"
    assert by_email["erika@example.org"]["confirmed_at"]
    assert by_email["erika@example.org"]["consent_version"]
    assert by_email["neu@example.org"]["status"] == "unconfirmed"


def test_citizens_and_strangers_see_nothing(client, demo):
    assert client.get(OVERVIEW).status_code == 302
    assert client.get(EXPORT).status_code == 302
    assert client.get("/admin/dispatches/").status_code == 302
