"""Fixtures of the notice board tests: the board and calendar of the demo (`demo`, built
once per run in tests/conftest.py), the admin's notice form and a frozen clock."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from notices.models import CalendarPage, NoticeIndexPage
from tests.notices.clock import NOW


@pytest.fixture
def board(demo) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


@pytest.fixture
def calendar(demo) -> CalendarPage:
    return CalendarPage.objects.get()


def _form_value(value):
    if isinstance(value, datetime):
        # as the admin's date-time picker sends it: local wall-clock time, German
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [getattr(item, "pk", item) for item in value]
    return getattr(value, "pk", value)


@pytest.fixture
def notice_form_data():
    """What the admin's notice form posts: the fields an editor filled in, and the button.

    `notice_form_data(kind=kind, title=…, display_from=datetime, action="action-submit")`
    """

    def build(*, action: str = "action-publish", **fields) -> dict:
        values = {
            "title": "Mitteilung aus dem Rathaus",
            "publication_date": timezone.localdate(),
            "teaser": "Das Rathaus teilt mit.",
            **fields,
        }
        values.setdefault("slug", slugify(values["title"]))
        return nested_form_data(
            {
                **{name: _form_value(value) for name, value in values.items()},
                "body": streamfield([]),
                "comments": inline_formset([]),
                "related_services": inline_formset([]),
                action: "1",
            }
        )

    return build


@pytest.fixture
def frozen_clock():
    """The clock stands at `tests.notices.clock.NOW`."""
    with time_machine.travel(NOW, tick=False):
        yield
