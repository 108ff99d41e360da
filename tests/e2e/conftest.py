"""Browser fixtures: one headless Chromium per session, a fresh context per test, the demo
content served by pytest-django's live server, and an axe-core audit for every page."""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
# Collects what the browser reports as blocked by the Content-Security-Policy, from the
# first script on, in `window.cspViolations` (for `page.add_init_script`).
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            # WhiteNoise looks for collected files the live server's static handler makes
            # unnecessary; its warning about a missing STATIC_ROOT says nothing here.
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture(scope="package")
def browser(demo_database, django_db_blocker):
    """Chromium for all browser tests of this package, which pytest-django runs in a row.

    Package scope, not session: Playwright's sync API marks an asyncio loop as running in
    the main thread for as long as it is open, and tests outside this package should not
    run in that state.
    """
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    # The demo's outer transaction (tests/conftest.py) is on the connection of this thread;
    # while Playwright runs, tests would see another (below), which cannot end it.
    with django_db_blocker.unblock():
        demo_database.close()
    with pytest.MonkeyPatch.context() as patch:
        # Django refuses ORM calls from a thread with a running loop; no coroutine ever
        # touches a connection here, so the guard has nothing to protect.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        saved = serialized_database_contents()
        with sync_playwright() as playwright:
            restore_serialized_database_contents(saved)
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
            saved = serialized_database_contents()
        restore_serialized_database_contents(saved)


# With a running loop, Django keeps a thread's connections in a context variable instead of
# the thread-local, so the test thread sees other connection objects while Playwright runs.
# The copy of the migrated database that `serialized_rollback` restores after each flush
# (Wagtail's root page, the staff groups) hangs on the connection object that was current
# when the test database was created: carry it over to the objects on the other side.
def serialized_database_contents() -> dict[str, str | None]:
    from django.db import connections

    return {
        alias: connections[alias].__dict__.get("_test_serialized_contents") for alias in connections
    }


def restore_serialized_database_contents(saved: dict[str, str | None]) -> None:
    from django.db import connections

    for alias, contents in saved.items():
        if contents is not None and "_test_serialized_contents" not in connections[alias].__dict__:
            connections[alias]._test_serialized_contents = contents


@pytest.fixture
def portal(live_server, demo):
    """The live server with the demo content (`demo` from tests/conftest.py): three
    Ortschaften, the home page, the standard pages and the accessibility statement."""
    return live_server


@pytest.fixture
def new_page(browser, portal) -> Iterator[Callable]:
    """Open a page in a context of its own (cookies, viewport); closed after the test."""
    contexts = []

    def open_page(**context_options):
        options = {"viewport": DESKTOP, "locale": "de-DE", "base_url": portal.url}
        context = browser.new_context(**(options | context_options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def audit(request) -> Callable:
    """Run axe-core (WCAG 2.1 A and AA) on the page as it is now; save screenshots if asked."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def check(page, step: str) -> None:
        # Colours in the middle of a transition (Wagtail's messages fade in) are not the
        # page's: finite animations are brought to their end before the audit.
        page.evaluate(SETTLE)
        save_screenshots(page, f"{test_name}--{step}")
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        # axe only asks for a review of these; a reference to nothing is always a defect.
        dangling = page.evaluate(DANGLING_REFERENCES)
        assert dangling == [], f"{page.url}: {', '.join(dangling)} point to no element"

    return check


SETTLE = """() => {
  for (const animation of document.getAnimations()) {
    if (animation.effect.getComputedTiming().iterations !== Infinity) animation.finish();
  }
}"""


DANGLING_REFERENCES = """() => {
  const dangling = [];
  for (const attribute of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
    for (const element of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of element.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) dangling.push(`${attribute}="${id}"`);
      }
    }
  }
  return dangling;
}"""


def save_screenshots(page, name: str) -> None:
    """Full-page PNGs at desktop and phone width (and the test's own width) into
    $SCREENSHOT_DIR, when it is set."""
    directory = os.environ.get("SCREENSHOT_DIR")
    if not directory:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    if viewport["width"] not in (DESKTOP["width"], PHONE["width"]):
        # The size the test chose (narrow, zoomed) is the one worth seeing first.
        page.screenshot(path=Path(directory) / f"{name}--{viewport['width']}.png", full_page=True)
    for size in [DESKTOP, PHONE]:
        page.set_viewport_size(size)
        page.screenshot(path=Path(directory) / f"{name}--{size['width']}.png", full_page=True)
    page.set_viewport_size(viewport)


@pytest.fixture
def tab_to() -> Callable:
    return press_tab_until


def press_tab_until(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches selector, as a keyboard user would."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        visited.append(page.evaluate(DESCRIBE_FOCUS))
    raise AssertionError(f"{selector} never got focus; Tab went through {visited}")


DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : '');
}"""
