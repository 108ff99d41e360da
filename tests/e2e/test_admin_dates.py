"""A date typed the German way into the admin's date-time picker stays as typed when the
field loses focus; text the picker cannot read stays too, for the form to refuse it (before,
the picker replaced both with the current time)."""

import pytest
from django.urls import reverse

from notices.models import NoticeIndexPage
from tests.e2e.test_admin_csp import admin_page  # noqa: F401 (the logged-in browser)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("typed", ["08.12.2026 09:00", "31.13.2026 09:00"])
def test_what_staff_type_into_a_date_field_stays_when_they_leave_it(
    admin_page,  # noqa: F811
    typed,
):
    board = NoticeIndexPage.objects.get()
    admin_page.goto(reverse("wagtailadmin_pages:add", args=("notices", "noticepage", board.pk)))
    field = admin_page.locator("#id_display_from")

    field.fill(typed)
    field.press("Tab")

    assert field.input_value() == typed
