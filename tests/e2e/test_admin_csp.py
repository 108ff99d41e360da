"""Wagtail's admin in a real browser under the admin's Content-Security-Policy, which runs
no inline script: the widgets Wagtail starts with inline scripts (date pickers, choosers,
inline panels) start from the portal's marks (static/js/admin-init.js), also in a form
added later, and the browser blocks nothing on any page staff use."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from playwright.sync_api import expect
from wagtail.models import Workflow

from archive.models import Document
from notices.models import NoticePage
from participation.models import SurveyPage
from tests.e2e.conftest import RECORD_CSP_VIOLATIONS
from tests.factories import staff_account, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Storchennest-am-Kirchturm"


@pytest.fixture
def admin_page(page, demo):
    """The browser, logged in to the admin as Administration, recording CSP violations and
    script errors (`page.script_errors`)."""
    user = staff_account("Administration", username="csp-e2e", password=PASSWORD)
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    page.goto(f"/admin/login/?next={reverse('wagtailadmin_home')}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.fill("#id_code", totp_code(user.totp_secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def _open(page, path: str) -> None:
    response = page.goto(path)
    assert response.ok, path
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'", path
    page.wait_for_load_state("networkidle")


def _violations(page) -> list[str]:
    return page.evaluate("window.cspViolations")


def test_admin_pages_run_under_a_policy_without_inline_scripts(admin_page, demo):
    notice = NoticePage.objects.filter(kind__has_display_period=True).first()
    event = NoticePage.objects.filter(kind__is_event=True).first()
    paths = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[notice.get_parent().pk]),
        reverse("wagtailadmin_pages:edit", args=[notice.pk]),
        reverse("wagtailadmin_pages:edit", args=[event.pk]),
        reverse("wagtailadmin_pages:add", args=["notices", "noticepage", notice.get_parent().pk]),
        reverse("wagtailadmin_pages:edit", args=[SurveyPage.objects.first().pk]),
        reverse("wagtailadmin_pages:history", args=[notice.pk]),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:edit", args=[Document.objects.first().pk]),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtailimages:index"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailadmin_workflows:edit", args=[Workflow.objects.get().pk]),
        reverse("wagtailadmin_reports:site_history"),
    ]
    for path in paths:
        _open(admin_page, path)
        assert _violations(admin_page) == [], path
    assert admin_page.script_errors == []


def test_widgets_wagtail_starts_inline_start_without_inline_scripts(admin_page, demo):
    # given an official notice's edit page
    notice = NoticePage.objects.filter(kind__has_display_period=True).first()
    _open(admin_page, reverse("wagtailadmin_pages:edit", args=[notice.pk]))

    # when the start of its display period is chosen
    admin_page.locator("input[name=display_from]").click()

    # then the date picker opens
    expect(admin_page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)

    # given the workflow of the Freigabe, an inline panel of tasks with a chooser each
    _open(admin_page, reverse("wagtailadmin_workflows:edit", args=[Workflow.objects.get().pk]))
    tasks = admin_page.locator("#id_workflow_tasks-FORMS [data-inline-panel-child]")
    count = tasks.count()

    # when a task is added, and a task is chosen for it
    admin_page.locator("#id_workflow_tasks-ADD").click()
    expect(tasks).to_have_count(count + 1)
    tasks.last.get_by_role("button", name=gettext("Choose a task")).click()

    # then the chooser of the new form opens its dialog, and nothing was blocked
    expect(admin_page.locator(".modal-dialog")).to_be_visible()
    admin_page.wait_for_load_state("networkidle")
    assert _violations(admin_page) == []
    assert admin_page.script_errors == []
