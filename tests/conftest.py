"""Fixtures every test may use, and the rule that CI never silently skips a service test.

`service` tests need a real PostgreSQL and/or Redis; name them in the marker,
e.g. `@pytest.mark.service("postgres", "redis")`. Where none is configured but the binaries
are installed, the run starts throwaway servers of its own (tests/servers.py); without them
the tests are skipped with the reason; with REQUIRE_SERVICES=1 (CI) a skipped `service` or
`browser` test fails the run instead.

The demo (`seed_demo`, seconds to build) is built once per run and process: the tests that
ask for `demo` run one after the other, inside one transaction that holds it (see
`DemoDatabase`).
"""

import copy
import io
import os
import shutil
import socket
import uuid
from pathlib import Path

import django
import pytest

from tests import servers

# Before Django reads its settings: they take DATABASE_URL and REDIS_URL from the environment,
# which the throwaway servers (and each xdist worker's Redis database) set. This is why
# DJANGO_SETTINGS_MODULE is set here and not in pyproject.toml: pytest-django would read the
# settings before any conftest could run.
servers.configure()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barleben_portal.settings")
django.setup()

from django.conf import settings as django_settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import TestCase, override_settings  # noqa: E402

from tests.snapshots import DatabaseSnapshot  # noqa: E402

STRICT_MARKERS = ("service", "browser")
SERVICES = {
    "postgres": (
        lambda: connections["default"].vendor == "postgresql",
        "install PostgreSQL (Debian: postgresql) for a throwaway server,"
        " or set DATABASE_URL=postgres://postgres@127.0.0.1:5432/barleben",
    ),
    "redis": (
        lambda: bool(django_settings.REDIS_URL),
        "install redis-server for a throwaway server, or set REDIS_URL=redis://127.0.0.1:6379/0",
    ),
}
SKIPPED_STRICT_TESTS = pytest.StashKey[list[str]]()


VNU_JAR_IN_PROJECT = "var/tools/node_modules/vnu-jar/build/dist/vnu.jar"


def html_checker_jar() -> Path | None:
    """The W3C Nu HTML Checker (npm's vnu-jar), if it is installed and Java is there."""
    jar = Path(os.environ.get("VNU_JAR", Path(__file__).resolve().parents[1] / VNU_JAR_IN_PROJECT))
    return jar if jar.is_file() and shutil.which("java") else None


SERVICES["html-checker"] = (
    lambda: html_checker_jar() is not None,
    "install Java (Debian: default-jre-headless) and the Nu HTML Checker: "
    "npm install --prefix var/tools vnu-jar (or set VNU_JAR)",
)


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


# trylast: after pytest-django's order (database tests, transactional ones, the rest), which
# this sort keeps, bringing the tests that use the demo together (`DemoDatabase`).
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def group(item: pytest.Item) -> tuple[int, int]:
        if not _uses_database(item):
            return (2, 0)
        return (int(_is_transactional(item)), 0 if "demo" in item.fixturenames else 1)

    items.sort(key=group)
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


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = connections["default"]
    where = database.settings_dict["HOST"] or database.settings_dict["NAME"]
    return [
        f"database: {servers.servers.postgres or f'{database.vendor} ({where})'}",
        f"redis: {servers.servers.redis or django_settings.REDIS_URL or 'none (local memory)'}",
    ]


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    # Why tests were skipped, once per reason, so that a run without PostgreSQL or Redis says
    # what it did not test (the `-ra` list names each test).
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("skipped, and why")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.line(f"{count:4d} skipped: {reason}")
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


class DemoDatabase:
    """The demo in the test database, built once per process.

    Tests that ask for `demo` in their own transaction (most) run one after the other
    (`pytest_collection_modifyitems`) inside an outer transaction that holds the demo:
    opened before the first of them, rolled back before the first test that does not ask
    for it. Each test's transaction is a savepoint inside it, so what a test writes is gone
    for the next, and none sees what `seed_demo` left to do after a commit. On PostgreSQL a
    snapshot taken right after the first `seed_demo` fills the outer transaction again, and
    puts the demo back for tests with real transactions (live server, Celery workers) after
    each flush; on SQLite `seed_demo` runs again instead.
    """

    def __init__(self, media_root: Path):
        self.media_root = media_root
        self.snapshot: DatabaseSnapshot | None = None
        self.on_commit: list = []
        self.outer: transaction.Atomic | None = None

    def _seed(self) -> None:
        shutil.rmtree(self.media_root, ignore_errors=True)
        with override_settings(MEDIA_ROOT=self.media_root):
            call_command("seed_demo", "--force", stdout=io.StringIO())

    def _fill(self) -> None:
        if self.snapshot is not None:
            self.snapshot.restore(connection)
            return
        # What seed_demo left to do after its commit (index the documents, announce the
        # notices): never run in the outer transaction, run after each committed restore.
        with TestCase.captureOnCommitCallbacks() as self.on_commit:
            self._seed()
        if connection.vendor == "postgresql":
            self.snapshot = DatabaseSnapshot.take(connection)

    @property
    def is_open(self) -> bool:
        return self.outer is not None

    def open(self) -> None:
        """The outer transaction with the demo, for tests in transactions of their own."""
        if self.outer is None:
            self.outer = transaction.atomic()
            self.outer.__enter__()
            self._fill()

    def close(self) -> None:
        if self.outer is not None:
            transaction.set_rollback(True)
            self.outer.__exit__(None, None, None)
            self.outer = None

    def link_media(self, media_root: Path) -> None:
        """The demo's files, linked into a test's MEDIA_ROOT."""
        shutil.copytree(self.media_root, media_root, copy_function=os.link, dirs_exist_ok=True)

    def commit(self, *, media_root: Path) -> None:
        """The demo committed, for a test with real transactions (flushed after it)."""
        assert self.outer is None and not connection.in_atomic_block
        if self.snapshot is None and connection.vendor == "postgresql":
            # The snapshot from a seed in the outer transaction, rolled back: the demo as
            # the other tests see it (no commit callbacks run).
            self.open()
            self.close()
        if self.snapshot is not None:
            self.snapshot.restore(connection)
            self.link_media(media_root)
            for callback in self.on_commit:
                callback()
        else:
            self._seed()
            self.link_media(media_root)


def _is_transactional(item: pytest.Item) -> bool:
    """As pytest-django decides whether a test runs like Django's TransactionTestCase."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    demo_database = DemoDatabase(tmp_path_factory.mktemp("demo-media"))
    yield demo_database
    with django_db_blocker.unblock():
        demo_database.close()


@pytest.fixture
def _demo_database_ready(request, demo_database, django_db_blocker):
    """Opens or closes the demo's outer transaction before pytest-django starts the test's."""
    with django_db_blocker.unblock():
        if "demo" in request.fixturenames and not _is_transactional(request.node):
            demo_database.open()
        else:
            demo_database.close()
    yield


# pytest-django's fixture that starts each database test's transaction (or, for tests with
# real transactions, flushes after them), extended by what must happen before it.
@pytest.fixture
def _django_db_helper(_demo_database_ready, _django_db_helper):
    yield


@pytest.fixture
def demo(db, request, demo_database, settings):
    """The demo site from `seed_demo`; returns its HomePage (the default site's root).

    Built once per process (`DemoDatabase`); its files are linked into this test's
    MEDIA_ROOT, so a test may add or delete files as it likes.
    """
    from website.models import HomePage

    if _is_transactional(request.node):
        demo_database.commit(media_root=Path(settings.MEDIA_ROOT))
    else:
        assert demo_database.is_open, "ask for `demo` as an argument, not by getfixturevalue"
        demo_database.link_media(Path(settings.MEDIA_ROOT))
    return HomePage.objects.get()


ORTSCHAFTEN = [("Barleben", "barleben"), ("Ebendorf", "ebendorf"), ("Meitzendorf", "meitzendorf")]


@pytest.fixture
def home(db):
    """A home page with the three Ortschaften and the municipality's name: what most pages
    need, without the whole demo (`demo`)."""
    from wagtail.models import Page, Site

    from tests.factories import OrtschaftFactory
    from website.models import HomePage, MunicipalitySettings

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
    from website.models import Ortschaft

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
