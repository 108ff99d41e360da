"""Fixtures of the notice board tests: the demo site, seeded once for the whole package.

`seed_demo` costs one to two seconds; run for each of these tests it would be most of
their time. So it runs once, in a transaction that is rolled back after the last test,
and every test runs in a savepoint inside it (pytest-django's `db`), so what a test writes
is gone for the next, as usual.
"""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from barleben_portal.models import HomePage
from notices.models import CalendarPage, NoticeIndexPage
from tests.notices.clock import NOW


@pytest.fixture(scope="package")
def demo_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="package")
def _demo_once(django_db_setup, django_db_blocker, demo_media_root):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        with override_settings(MEDIA_ROOT=demo_media_root):
            call_command("seed_demo", "--force", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_once, db, settings, demo_media_root):
    """The demo site (as in tests/conftest.py), its files where `seed_demo` put them."""
    settings.MEDIA_ROOT = demo_media_root
    return HomePage.objects.get()


@pytest.fixture
def board(demo) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


@pytest.fixture
def calendar(demo) -> CalendarPage:
    return CalendarPage.objects.get()


def _form_value(value):
    if isinstance(value, datetime):
        # as the admin's date-time picker sends it: local wall-clock time
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
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
                action: "1",
            }
        )

    return build


@pytest.fixture
def frozen_clock():
    """The clock stands at `tests.notices.clock.NOW`."""
    with time_machine.travel(NOW, tick=False):
        yield
