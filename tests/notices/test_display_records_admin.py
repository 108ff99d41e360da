"""The display records are proof of what hung on the board when: staff read them in the admin,
nobody, not even a superuser, adds, changes or deletes one."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from notices.models import NoticeDisplayRecord

PERMISSION_DENIED = "Sie haben leider keinen Zugang zu diesem Bereich."


@pytest.fixture
def record(demo) -> NoticeDisplayRecord:
    # the demo's expired official notice hung during its whole period
    return NoticeDisplayRecord.objects.filter(taken_down_at__isnull=False).first()


@pytest.fixture
def superuser_client(client, demo):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


@pytest.mark.parametrize("group_name", ["Redaktion", "Freigabe", "Gemeinderat"])
def test_staff_read_the_display_records(client, record, staff_member, group_name):
    client.force_login(staff_member(group_name))

    response = client.get(reverse("display_records:index"))

    assert response.status_code == 200
    assert record.notice_title in response.content.decode()
    assert client.get(reverse("display_records:inspect", args=(record.pk,))).status_code == 200


def test_superuser_reads_the_display_records_but_is_offered_no_way_to_add_one(
    superuser_client, record
):
    response = superuser_client.get(reverse("display_records:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert record.notice_title in html
    assert reverse("display_records:add") not in html
    assert reverse("display_records:edit", args=(record.pk,)) not in html


def refused(response) -> bool:
    """Wagtail answers a forbidden admin view with a redirect to the dashboard and a message."""
    messages = [str(message).strip() for message in get_messages(response.wsgi_request)]
    return (
        response.status_code == 302
        and response.url == reverse("wagtailadmin_home")
        and PERMISSION_DENIED in messages
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_adds_a_display_record(superuser_client, record, method):
    records_before = NoticeDisplayRecord.objects.count()

    response = getattr(superuser_client, method)(
        reverse("display_records:add"), {"notice_title": "Nie ausgehängt"}
    )

    assert refused(response)
    assert NoticeDisplayRecord.objects.count() == records_before


@pytest.mark.parametrize("view", ["edit", "delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_changes_or_deletes_a_display_record(superuser_client, record, view, method):
    title = record.notice_title

    response = getattr(superuser_client, method)(
        reverse(f"display_records:{view}", args=(record.pk,)), {"notice_title": "Geändert"}
    )

    assert refused(response)
    record.refresh_from_db()
    assert record.notice_title == title


def test_the_record_reads_in_local_time_and_german(client, demo, staff_member):
    # given a record of a notice that still hangs, put up at 07:00 UTC (08:00 in Barleben)
    record = NoticeDisplayRecord.objects.filter(taken_down_at__isnull=True).first()
    record.put_up_at = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
    record.save()
    client.force_login(staff_member("Freigabe"))

    # when a member of staff opens it
    html = client.get(reverse("display_records:inspect", args=(record.pk,))).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<main") :]).split())

    # then the time is local, as in the list and on the public page, and every word German
    assert "5. Dezember 2026 08:00" in text
    assert "Abgenommen noch nicht: hängt noch aus" in text
    assert "None" not in text
    assert "Notice" not in text
