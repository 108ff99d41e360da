"""Dates and times in the admin as German staff type them: "08.12.2026 09:00" is read and
kept; what the picker cannot read is refused with a message, never replaced by "now"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from notices.models import NoticePage

BERLIN = ZoneInfo("Europe/Berlin")


def _add(client, board, notice_form_data, kinds, **typed):
    data = notice_form_data(
        kind=kinds["amtliche-bekanntmachung"],
        title="Bekanntmachung der Wahlvorschläge",
        action="action-publish",
    )
    data.update(typed)
    return client.post(
        reverse("wagtailadmin_pages:add", args=("notices", "noticepage", board.pk)), data
    )


def test_the_pickers_show_and_read_german_formats_and_leave_unreadable_text_alone(
    client, board, staff_member
):
    client.force_login(staff_member("Freigabe"))

    html = client.get(
        reverse("wagtailadmin_pages:add", args=("notices", "noticepage", board.pk))
    ).content.decode()

    assert "d.m.Y H:i" in html  # the date-time picker's format
    assert '"validateOnBlur": false' in html


def test_a_german_date_and_time_is_read_and_kept(
    client, board, staff_member, kinds, notice_form_data
):
    client.force_login(staff_member("Freigabe"))

    response = _add(
        client,
        board,
        notice_form_data,
        kinds,
        publication_date="08.12.2026",
        display_from="08.12.2026 09:00",
        display_until="22.12.2026 18:30",
    )

    assert response.status_code == 302
    notice = NoticePage.objects.get(title="Bekanntmachung der Wahlvorschläge")
    assert notice.display_from == datetime(2026, 12, 8, 9, 0, tzinfo=BERLIN)
    assert notice.display_until == datetime(2026, 12, 22, 18, 30, tzinfo=BERLIN)
    assert str(notice.publication_date) == "2026-12-08"


def test_an_unreadable_date_is_refused_with_a_message_and_nothing_saved(
    client, board, staff_member, kinds, notice_form_data
):
    client.force_login(staff_member("Freigabe"))

    response = _add(
        client,
        board,
        notice_form_data,
        kinds,
        display_from="31.13.2026 09:00",
        display_until="22.12.2026 18:30",
    )

    assert response.status_code == 200
    assert (
        "Bitte ein gültiges Datum und Uhrzeit eingeben."
        in (response.context["form"].errors["display_from"])
    )
    assert not NoticePage.objects.filter(title="Bekanntmachung der Wahlvorschläge").exists()
