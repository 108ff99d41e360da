"""Fixtures of the notification tests: a real SMTP server, a private Redis, real workers.

Every piece is the real thing on loopback, started for one test and gone after it:

- `smtp_server`: an SMTP server (aiosmtpd) that records what it accepts, refuses chosen
  addresses with chosen codes, and can hold senders at a recipient until released.
- `redis_server`: a `redis-server` of this test's own, without persistence, so a test
  may restart it (losing every queued task) without touching anybody else's Redis.
- `broker`: points this process's Celery app at that Redis, so what the test publishes
  (a notice's fan-out, a sweep) reaches the test's workers.
- `workers`: starts `celery worker` processes on the test database, the private Redis and
  the SMTP server, with short retry, lease and sweep times; a failing test shows their logs.
- `announced_demo`, `subscribers`, `publish_notice`, `deliveries_done`, `wait_until`: the
  data and the patience these tests need (single subscriptions: `SubscriptionFactory`).

Tests using workers need `@pytest.mark.service("postgres", "redis")` and
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: a worker sees only
what the test has committed.
"""

import asyncio
import email
import email.policy
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from kombu import pools

from barleben_portal.celery import app
from notices.models import NoticeIndexPage, NoticePage, Subscription
from notifications.models import Delivery, Dispatch
from tests.factories import NoticePageFactory, SubscriptionFactory
from tests.workers import Worker, worker_start

WAIT_SECONDS = 60
LOG_TAIL_LINES = 40

# What the workers run with: retries, leases and sweeps in seconds rather than minutes.
WORKER_SETTINGS = {
    "NOTIFICATIONS_BATCH_SIZE": "50",
    "NOTIFICATIONS_CHUNK_SIZE": "1000",
    "NOTIFICATIONS_RETRY_DELAY": "1",
    "NOTIFICATIONS_MAX_ATTEMPTS": "5",
    "NOTIFICATIONS_PAUSE_AFTER_FAILURES": "2",
    "NOTIFICATIONS_LEASE_SECONDS": "3",
    "NOTIFICATIONS_SWEEP_AFTER": "1",
    "NOTIFICATIONS_MAX_PER_SECOND": "0",
    # longer than any hold of the SMTP server in these tests
    "EMAIL_TIMEOUT": "30",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


# --- SMTP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP server accepted (answered 250 to its DATA)."""

    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes
    message: EmailMessage


@dataclass
class _Refusal:
    code: int
    text: str
    times: int | None  # None: always


class Pause:
    """A point at which the SMTP server holds senders, in the middle of their RCPT command.

    From the moment it applies until `release()`, every RCPT it applies to waits without
    an answer, so whoever sends is stuck at a known point: every message before was
    accepted, this one was not. The server's event loop keeps serving other connections.
    `reached` is set when the first sender is held; `held` counts those held now (with a
    prefork pool, wait until every process is held before killing the worker).
    """

    def __init__(self, *, at_rcpt: int | None = None, address: str | None = None):
        self.at_rcpt = at_rcpt
        self.address = address.lower() if address else None
        self.reached = threading.Event()
        self.released = threading.Event()
        self.held = 0

    def applies(self, rcpt_number: int, address: str) -> bool:
        if self.released.is_set():
            return False
        if self.address is not None:
            return address.lower() == self.address
        return rcpt_number >= self.at_rcpt

    async def hold(self, lock: threading.Lock) -> None:
        with lock:
            self.held += 1
        self.reached.set()
        try:
            # polling, not a blocking wait: the event loop serves every connection
            while not self.released.is_set():
                await asyncio.sleep(0.01)
        finally:
            with lock:
                self.held -= 1

    def wait(self, timeout: float = WAIT_SECONDS) -> None:
        """Until a sender is held here; fails after `timeout` seconds."""
        if not self.reached.wait(timeout):
            raise AssertionError(f"no sender reached {self} within {timeout} s")

    def release(self) -> None:
        self.released.set()

    def __str__(self) -> str:
        return f"the RCPT of {self.address}" if self.address else f"RCPT number {self.at_rcpt}"


class SmtpServer:
    """An SMTP server on loopback that records what it accepts; an aiosmtpd handler.

    Thread-safe: aiosmtpd serves connections in a thread of its own while the test reads.
    """

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self._lock = threading.Lock()
        self._received: list[ReceivedMail] = []
        self._refusals: dict[str, _Refusal] = {}
        self._rcpts: list[str] = []
        self._pauses: list[Pause] = []
        # server_hostname: no DNS lookup for the greeting
        self.controller = Controller(
            self, hostname=self.host, port=self.port, server_hostname="localhost"
        )

    @property
    def url(self) -> str:
        """The EMAIL_URL (django-environ) of this server."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.release_pauses()
        self.controller.stop()

    def release_pauses(self) -> None:
        with self._lock:
            pauses = list(self._pauses)
        for pause in pauses:
            pause.release()

    # What a test sets up

    def refuse(self, address: str, *, code: int, times: int | None = None) -> None:
        """Answer `code` to RCPT of `address`: `times` times and then accept, or always."""
        text = "4.3.0 Try again later" if code < 500 else "5.1.1 No such mailbox"
        with self._lock:
            self._refusals[address.lower()] = _Refusal(code=code, text=text, times=times)

    def pause_at_rcpt(self, number: int | None = None, *, address: str | None = None) -> Pause:
        """Hold every RCPT from the `number`-th on (counting all so far), or that of `address`."""
        assert (number is None) != (address is None), "a number or an address"
        pause = Pause(at_rcpt=number, address=address)
        with self._lock:
            self._pauses.append(pause)
        return pause

    # What a test reads

    @property
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._received)

    def recipient_counts(self) -> Counter[str]:
        """How many accepted messages each address got."""
        with self._lock:
            return Counter(
                recipient.lower() for mail in self._received for recipient in mail.recipients
            )

    def mails_to(self, address: str) -> list[ReceivedMail]:
        return [
            mail
            for mail in self.received
            if address.lower() in (recipient.lower() for recipient in mail.recipients)
        ]

    def rcpts(self) -> list[str]:
        """The addresses of all RCPT commands so far, in order, accepted or refused."""
        with self._lock:
            return list(self._rcpts)

    def rcpt_count(self, address: str | None = None) -> int:
        """RCPT commands so far, accepted or refused; for `address` only if given."""
        with self._lock:
            if address is None:
                return len(self._rcpts)
            return sum(1 for rcpt in self._rcpts if rcpt == address.lower())

    # aiosmtpd's handler hooks

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self._lock:
            self._rcpts.append(address.lower())
            number = len(self._rcpts)
            pause = next((p for p in self._pauses if p.applies(number, address)), None)
        if pause is not None:
            await pause.hold(self._lock)
        with self._lock:
            refusal = self._refusals.get(address.lower())
            if refusal is not None and refusal.times != 0:
                if refusal.times is not None:
                    refusal.times -= 1
                return f"{refusal.code} {refusal.text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content
        mail = ReceivedMail(
            mail_from=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            raw=raw,
            message=email.message_from_bytes(raw, policy=email.policy.default),
        )
        with self._lock:
            self._received.append(mail)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port, for this test only.

    `smtp_server.refuse("a@example.org", code=451, times=1)`: a temporary refusal, then
    acceptance; `code=550` without `times`: always refused.
    `pause = smtp_server.pause_at_rcpt(700)` (or `address=…`), then `pause.wait()` until a
    sender is held there, and `pause.release()`.
    Read `received`, `recipient_counts()`, `mails_to(address)`, `rcpts()`, `rcpt_count()`.
    """
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


# --- Redis and Celery -----------------------------------------------------------------


class RedisServer:
    """A `redis-server` on a free loopback port, without persistence."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.log_path = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        command = [
            *[shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"],
            *["--save", "", "--appendonly", "no", "--dir", str(self.directory)],
        ]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            with suppress(redis.ConnectionError), self.client() as client:
                if client.ping():
                    return
            assert self.process.poll() is None, f"redis-server ended:\n{self.log_path.read_text()}"
            assert time.monotonic() < deadline, f"redis-server not up:\n{self.log_path.read_text()}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Stop and start on the same port; without persistence every key is gone."""
        self.stop()
        self.start()

    def is_idle(self) -> bool:
        """No task waits in the default queues, and none was taken without being done.

        With late acknowledgement a task stays in kombu's "unacked" hash until it has run,
        a retry's countdown included; a killed worker's task stays there for an hour.
        """
        with self.client() as client:
            waiting = client.llen("celery") + client.llen("mail-bulk")
            return waiting + client.hlen("unacked") == 0


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of this test's own (see `RedisServer`), so a test may restart it."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary (apt-get install redis-server)")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


def _forget_broker_connections() -> None:
    """Drop this process's pooled broker connections, as Celery does after a fork."""
    producer_pool = app.amqp._producer_pool
    if producer_pool is not None:
        producer_pool.force_close_all()
    if app._pool is not None:
        app._pool.force_close_all()
    broker_connection = app.connection_for_write()
    for group in (pools.producers, pools.connections):
        with suppress(KeyError):
            del group[broker_connection]
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_server, celery_conf):
    """This process publishes its tasks to the private Redis; yields the `RedisServer`.

    The app caches its connection pools, so they are dropped on the way in and out.
    """
    celery_conf(broker_url=redis_server.url, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    yield redis_server
    _forget_broker_connections()


class Workers:
    """Starts worker processes for one test and stops them after it."""

    def __init__(self, *, directory: Path, broker_url: str, email_url: str):
        self.directory = directory
        self.env = {
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": email_url,
            "VAR_DIR": str(directory),
            **WORKER_SETTINGS,
        }
        self.started: list[Worker] = []

    def start(self, *, pool: str = "solo", concurrency: int = 1, **settings: str) -> Worker:
        """A worker on the default queues; keyword arguments override WORKER_SETTINGS."""
        number = len(self.started) + 1
        worker = worker_start(
            log_path=self.directory / f"worker-{number}.log",
            env={**self.env, **settings},
            name=f"notifications-{number}@%h",
            pool=pool,
            concurrency=concurrency,
        )
        self.started.append(worker)
        return worker

    def logs(self) -> list[tuple[str, str]]:
        return [
            (f"worker {number} log ({worker.log_path})", worker.log())
            for number, worker in enumerate(self.started, start=1)
        ]

    def log_tails(self) -> str:
        return "\n".join(f"--- {title}:\n{_tail(text)}" for title, text in self.logs())

    def stop(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def workers(tmp_path, broker, smtp_server):
    """`workers.start()` starts a worker on the test database, the private Redis and the
    SMTP server, with WORKER_SETTINGS; `workers.start(NOTIFICATIONS_BATCH_SIZE="10")` to
    change one. All of them stop after the test; a failing test shows their logs.
    """
    directory = tmp_path / "workers"
    directory.mkdir()
    started = Workers(directory=directory, broker_url=broker.url, email_url=smtp_server.url)
    yield started
    # a worker held by the SMTP server (a failed test) would wait for it before stopping
    smtp_server.release_pauses()
    started.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # the whole log of every worker of a failed test, as sections of its report
    report = yield
    started = getattr(item, "funcargs", {}).get("workers")
    if report.failed and report.when in {"setup", "call"} and isinstance(started, Workers):
        report.sections.extend(started.logs())
    return report


@pytest.fixture
def wait_until(workers):
    """`wait_until(condition, "what it waits for")`: polls until true; fails after a timeout.

    It fails at once when a worker that was running ends; both failures show the end of
    the workers' logs.
    """

    def wait(condition: Callable[[], object], what: str, *, timeout: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        running = [worker for worker in workers.started if worker.is_running]
        while not condition():
            if not all(worker.is_running for worker in running):
                raise AssertionError(
                    f"a worker ended while waiting for {what}:\n{workers.log_tails()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout} s in vain for {what}:\n{workers.log_tails()}"
                )
            time.sleep(0.1)

    return wait


# --- Data ------------------------------------------------------------------------------


@pytest.fixture
def announced_demo(demo):
    """The demo site (`demo`), its notices' announcements finished.

    `seed_demo` publishes notices, and each first publication makes a dispatch; they were
    news before any subscriber of a test existed, and must not reach them through a
    test's worker or sweep.
    """
    Dispatch.objects.update(fanned_out_at=timezone.now(), fanout_lease_until=None)
    return demo


@pytest.fixture
def board(announced_demo) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


@pytest.fixture
def subscribers(announced_demo):
    """`subscribers(2000)`: that many `SubscriptionFactory` subscriptions (confirmed, to
    everything, immediately) in one INSERT, in the order of their primary keys."""
    site = announced_demo.get_site()

    def create(count: int) -> list[Subscription]:
        return Subscription.objects.bulk_create(SubscriptionFactory.build_batch(count, site=site))

    return create


@pytest.fixture
def publish_notice(broker, board):
    """`publish_notice(title=…, ortschaften=[…], kind=…)`: a notice's first publication,
    as an editor's "Veröffentlichen" does it; returns the notice and its dispatch, whose
    fan-out is queued for the test's workers.
    """

    def publish(**fields) -> tuple[NoticePage, Dispatch]:
        notice = NoticePageFactory(
            parent=board, live=False, first_published_at=None, last_published_at=None, **fields
        )
        notice.save_revision().publish()
        dispatch = Dispatch.objects.get(
            source_type=ContentType.objects.get_for_model(NoticePage),
            source_id=notice.pk,
            is_update=False,
        )
        return notice, dispatch

    return publish


@pytest.fixture
def deliveries_done(broker):
    """`deliveries_done(dispatch)`: its fan-out finished, no delivery is left pending, and
    no task waits or runs any more, so no e-mail is still on its way.

    `is_idle=False` leaves the tasks out, where a killed worker's task stays unacknowledged.
    """

    def done(dispatch: Dispatch, *, is_idle: bool = True) -> bool:
        dispatch.refresh_from_db()
        return (
            dispatch.fanned_out_at is not None
            and not dispatch.deliveries.filter(status=Delivery.Status.PENDING).exists()
            and (not is_idle or broker.is_idle())
        )

    return done


@pytest.fixture
def lock_waiters():
    """`lock_waiters()`: how many sessions of the test database wait for a lock now."""

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    return count


@pytest.fixture
def outbox(settings, mailoutbox, celery_eager):
    """E-mails land in a list; queued tasks run in this process."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mailoutbox
