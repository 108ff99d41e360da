"""Fixtures every test may use, and the rule that CI never silently skips a service test.

`service` tests need a real PostgreSQL and/or Redis; name them in the marker,
e.g. `@pytest.mark.service("postgres", "redis")`. Without the service they are skipped
with the reason; with REQUIRE_SERVICES=1 (CI) a skipped `service` or `browser` test fails
the run instead.
"""

import copy
import io
import os
import socket
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections

STRICT_MARKERS = ("service", "browser")
SERVICES = {
    "postgres": (
        lambda: connections["default"].vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben",
    ),
    "redis": (
        lambda: bool(django_settings.REDIS_URL),
        "set REDIS_URL=redis://127.0.0.1:6379/0",
    ),
}
SKIPPED_STRICT_TESTS = pytest.StashKey[list[str]]()


def _services_required() -> bool:
    # Strict parsing: a CI that sets REQUIRE_SERVICES=true must not be ignored by accident.
    value = os.environ.get("REQUIRE_SERVICES", "").strip().lower()
    if value in {"", "0", "false", "no"}:
        return False
    if value in {"1", "true", "yes"}:
        return True
    raise pytest.UsageError(f"REQUIRE_SERVICES must be 1 or 0, not {value!r}")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SKIPPED_STRICT_TESTS] = []
    _services_required()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("service")
        if marker is None:
            continue
        names = marker.args or tuple(SERVICES)
        unknown = set(names) - set(SERVICES)
        if unknown:
            raise pytest.UsageError(f"{item.nodeid}: unknown service(s) {sorted(unknown)}")
        missing = [name for name in names if not SERVICES[name][0]()]
        if missing:
            hints = "; ".join(SERVICES[name][1] for name in missing)
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)} ({hints})"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    is_strict = any(item.get_closest_marker(name) for name in STRICT_MARKERS)
    if report.skipped and not hasattr(report, "wasxfail") and is_strict and _services_required():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (
            f"REQUIRE_SERVICES=1, but this test was skipped: {reason}\n"
            "Start the service and configure it, or unset REQUIRE_SERVICES."
        )
        item.config.stash[SKIPPED_STRICT_TESTS].append(item.nodeid)
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    skipped = config.stash.get(SKIPPED_STRICT_TESTS, [])
    if skipped:
        terminalreporter.section("REQUIRE_SERVICES=1: skipped service/browser tests", red=True)
        for nodeid in skipped:
            terminalreporter.line(f"SKIPPED, COUNTED AS FAILED: {nodeid}", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.stash.get(SKIPPED_STRICT_TESTS, []) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Files go to temporary directories; each test gets a cache of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # WhiteNoise warns about a missing STATIC_ROOT on every client; tests need no collected files.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    # The demo's staff accounts get passwords; the default hasher would cost seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage production uses needs `collectstatic`, which tests don't run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A key prefix instead of `cache.clear()`: clearing a Redis cache would flush the
    # database the Celery broker may share.
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def demo(db):
    """The demo site from `seed_demo`; returns its HomePage (the default site's root)."""
    from barleben_portal.models import HomePage

    # --force instead of DEBUG=True, so tests of error pages still see DEBUG off.
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return HomePage.objects.get()


ORTSCHAFTEN = [("Barleben", "barleben"), ("Ebendorf", "ebendorf"), ("Meitzendorf", "meitzendorf")]


@pytest.fixture
def home(db):
    """A home page with the three Ortschaften and the municipality's name: what most pages
    need, without the whole demo (`demo`)."""
    from wagtail.models import Page, Site

    from barleben_portal.models import HomePage, MunicipalitySettings
    from tests.factories import OrtschaftFactory

    for sort_order, (name, slug) in enumerate(ORTSCHAFTEN):
        OrtschaftFactory(name=name, slug=slug, sort_order=sort_order)
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Willkommen im Bürgerportal", slug="start")
    )
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    municipality = MunicipalitySettings.for_site(site)
    municipality.name = "Gemeinde Barleben"
    municipality.city = "Barleben"
    municipality.save()
    return home


@pytest.fixture
def ortschaften(demo) -> dict:
    """The demo's Ortschaften by slug."""
    from barleben_portal.models import Ortschaft

    return {ortschaft.slug: ortschaft for ortschaft in Ortschaft.objects.all()}


@pytest.fixture
def kinds(demo) -> dict:
    """The kinds of notice by slug."""
    from notices.models import NoticeKind

    return {kind.slug: kind for kind in NoticeKind.objects.all()}


@pytest.fixture
def staff_member(demo):
    """A staff account in one of the groups, with its second factor: `staff_member("Redaktion")`."""
    from tests.factories import staff_account

    return staff_account


@pytest.fixture
def celery_conf():
    """Change the Celery app's configuration for one test; restored afterwards.

    The app reads Django's settings once, so the `settings` fixture does not reach it.
    """
    from barleben_portal.celery import app

    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf[key])
            app.conf[key] = value

    yield change
    for key, value in saved.items():
        app.conf[key] = value


@pytest.fixture
def page_cache_off(settings):
    """For tests of what a page costs to make: no copy from the page cache answers."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def celery_eager(celery_conf):
    """Run tasks in this process, also when REDIS_URL points at a real broker.

    Without it, a test under REDIS_URL would queue tasks no worker of this test consumes.
    """
    celery_conf(task_always_eager=True, task_eager_propagates=True)


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on, so connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
