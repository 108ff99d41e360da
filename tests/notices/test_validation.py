"""Bad input from editors: an official notice without a sound display period, an event without
a start, half a coordinate: none can be saved, and the editor is told why, in German."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notices.models import NoticePage
from tests.factories import NoticePageFactory

PERIOD_START_MISSING = "Eine amtliche Bekanntmachung braucht den Beginn ihrer Aushangfrist."
PERIOD_END_MISSING = "Eine amtliche Bekanntmachung braucht das Ende ihrer Aushangfrist."
PERIOD_BACKWARDS = "Die Aushangfrist muss nach ihrem Beginn enden."


def _at(hours: int):
    # whole minutes, as the admin's date-time picker sends them
    return timezone.now().replace(second=0, microsecond=0) + timedelta(hours=hours)


@pytest.mark.parametrize(
    "traits, changes, errors",
    [
        (
            {"official": True},
            {"display_from": None, "display_until": None},
            {"display_from": [PERIOD_START_MISSING], "display_until": [PERIOD_END_MISSING]},
        ),
        (
            {"official": True},
            {"display_from": _at(24), "display_until": _at(24)},
            {"display_until": [PERIOD_BACKWARDS]},
        ),
        (
            {"official": True},
            {"display_from": _at(24), "display_until": _at(-24)},
            {"display_until": [PERIOD_BACKWARDS]},
        ),
        (
            {"event": True},
            {"event_start": None, "event_end": None},
            {"event_start": ["Eine Veranstaltung braucht einen Beginn."]},
        ),
        (
            {"event": True},
            {"event_start": _at(48), "event_end": _at(47)},
            {"event_end": ["Eine Veranstaltung kann nicht vor ihrem Beginn enden."]},
        ),
        (
            {"event": True},
            {"latitude": Decimal("52.2"), "longitude": None},
            {"longitude": ["Geben Sie Breiten- und Längengrad an, oder keinen von beiden."]},
        ),
        (
            {"event": True},
            {"latitude": None, "longitude": Decimal("11.6")},
            {"longitude": ["Geben Sie Breiten- und Längengrad an, oder keinen von beiden."]},
        ),
    ],
    ids=[
        "official-without-period",
        "official-ends-as-it-starts",
        "official-ends-before-it-starts",
        "event-without-start",
        "event-ends-before-it-starts",
        "latitude-without-longitude",
        "longitude-without-latitude",
    ],
)
def test_invalid_notice_fails_full_clean_at_the_fields(board, traits, changes, errors):
    # given a valid notice
    notice = NoticePageFactory(parent=board, **traits)
    notice.full_clean()

    # when an editor makes it invalid
    for name, value in changes.items():
        setattr(notice, name, value)

    # then it cannot be validated, and the errors are at the fields concerned
    with pytest.raises(ValidationError) as raised:
        notice.full_clean()
    assert raised.value.message_dict == errors


@pytest.mark.parametrize("traits", [{}, {"official": True}, {"event": True}])
def test_valid_notice_passes_full_clean(board, traits):
    NoticePageFactory(parent=board, **traits).full_clean()


@pytest.fixture
def superuser_client(client, demo):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


def add_notice_url(board) -> str:
    return reverse("wagtailadmin_pages:add", args=("notices", "noticepage", board.pk))


@pytest.mark.parametrize(
    "period, errors",
    [
        (
            {},
            {"display_from": [PERIOD_START_MISSING], "display_until": [PERIOD_END_MISSING]},
        ),
        ({"display_from": _at(-2)}, {"display_until": [PERIOD_END_MISSING]}),
        (
            {"display_from": _at(-2), "display_until": _at(-2)},
            {"display_until": [PERIOD_BACKWARDS]},
        ),
        (
            {"display_from": _at(-2), "display_until": _at(-26)},
            {"display_until": [PERIOD_BACKWARDS]},
        ),
    ],
    ids=["no-period", "no-end", "ends-as-it-starts", "ends-before-it-starts"],
)
def test_admin_refuses_an_official_notice_without_a_sound_period(
    superuser_client, board, kinds, notice_form_data, period, errors
):
    # given an editor who may publish anything
    # when they publish a new official notice with a missing or backward display period
    response = superuser_client.post(
        add_notice_url(board),
        notice_form_data(
            kind=kinds["amtliche-bekanntmachung"], title="Sitzung des Ortschaftsrates", **period
        ),
    )

    # then the form comes back with the reasons at the fields, and nothing is saved
    assert response.status_code == 200
    assert {
        name: list(messages) for name, messages in response.context["form"].errors.items()
    } == errors
    html = response.content.decode()
    for messages in errors.values():
        for message in messages:
            assert message in html
    assert not NoticePage.objects.filter(title="Sitzung des Ortschaftsrates").exists()


def test_admin_saves_an_official_notice_with_a_sound_period(
    superuser_client, board, kinds, notice_form_data
):
    # the same form, filled in correctly, is accepted (so the refusals above are real)
    response = superuser_client.post(
        add_notice_url(board),
        notice_form_data(
            kind=kinds["amtliche-bekanntmachung"],
            title="Sitzung des Ortschaftsrates",
            display_from=_at(-2),
            display_until=_at(24 * 14),
        ),
    )

    assert response.status_code == 302
    notice = NoticePage.objects.get(title="Sitzung des Ortschaftsrates")
    assert notice.live
    assert notice.get_parent().pk == board.pk


def test_admin_schedules_an_official_notice_for_the_start_of_its_period(
    superuser_client, board, kinds, notice_form_data
):
    # when a moderator publishes an official notice whose period starts tomorrow
    start = _at(24)
    superuser_client.post(
        add_notice_url(board),
        notice_form_data(
            kind=kinds["amtliche-bekanntmachung"],
            title="Sitzung des Ortschaftsrates",
            display_from=start,
            display_until=_at(24 * 14),
        ),
    )

    # then it goes live when it is put up, not before
    notice = NoticePage.objects.get(title="Sitzung des Ortschaftsrates")
    assert not notice.live
    assert notice.go_live_at == start
    assert notice.latest_revision.approved_go_live_at == start


def test_admin_refuses_an_event_without_a_start(superuser_client, board, kinds, notice_form_data):
    response = superuser_client.post(
        add_notice_url(board),
        notice_form_data(kind=kinds["veranstaltung"], title="Sommerfest"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "event_start": ["Eine Veranstaltung braucht einen Beginn."]
    }
    assert "Eine Veranstaltung braucht einen Beginn." in response.content.decode()
    assert not NoticePage.objects.filter(title="Sommerfest").exists()
