"""The JSON-LD data blocks in a real browser: the strict Content-Security-Policy (no inline
script) lets them be, and a title that tries to end the script element runs nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from notices.models import NoticeIndexPage, NoticeKind, NoticePage
from tests.e2e.conftest import RECORD_CSP_VIOLATIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOSTILE_TITLE = "Sommerfest </script><script>alert(1)</script>"


def publish_event(title: str) -> NoticePage:
    board = NoticeIndexPage.objects.get()
    start = timezone.now() + timedelta(days=10)
    notice = board.add_child(
        instance=NoticePage(
            title=title,
            kind=NoticeKind.objects.get(slug="veranstaltung"),
            teaser="Musik und Spiele </script> für alle.",
            event_start=start,
            event_end=start + timedelta(hours=3),
            location_name="Festwiese",
        )
    )
    notice.save_revision().publish()
    return notice


def test_event_json_ld_runs_under_the_csp_without_a_violation(page, audit):
    # given an event whose title tries to break out of the data block
    notice = publish_event(HOSTILE_TITLE)
    console_errors, dialogs = [], []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    # when
    response = page.goto(notice.url)
    page.wait_for_load_state("networkidle")

    # then the strict policy is in force, and the data block broke none of it
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("window.cspViolations") == []
    assert console_errors == []
    assert dialogs == []
    blocks = page.locator('script[type="application/ld+json"]')
    assert blocks.count() == 1
    data = json.loads(blocks.text_content())
    assert (data["@type"], data["name"]) == ("Event", HOSTILE_TITLE)
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    audit(page, "event")

    # and the listener would have seen a violation: an inline script is blocked
    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.ranInline = true';
          document.head.append(script);
        }"""
    )
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.ranInline") is None
