"""Benchmark of the e-mail fan-out: one notice for the whole municipality to 100,000
confirmed subscribers, sent by Celery workers to an SMTP sink on loopback, and in the same
run the same mails sent by a plain script over one SMTP connection to the same sink (the
ceiling).

    make bench
    .venv/bin/python bench/fanout.py --subscribers 10000 --workers 2

Needs PostgreSQL and Redis: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/barleben_bench_fanout, created if missing) and REDIS_URL
(default redis://127.0.0.1:6379/5; that database is flushed at the start). The workers are
`celery worker --pool=solo` processes, one task at a time each, consuming both queues, with
production settings; each worker's resident memory is sampled every second. The subscriptions
are replaced on every run. NOTIFICATIONS_BATCH_SIZE and NOTIFICATIONS_CHUNK_SIZE from the
environment are passed on. Options: --subscribers, --workers, --profile (afterwards, send
a few batches again in this process, timed and under cProfile: where a worker's time goes).
"""

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import pstats
import secrets
import signal
import smtplib
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Run as a script, Python puts bench/ first on the path, where bench/notices.py would shadow
# the notices app; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    BASE_DIR,
    _free_port,
    bench_environment,
    celery_workers,
    database_create_if_missing,
    manage,
    setup_django,
)

BENCH_DIR = BASE_DIR / "var" / "bench-fanout"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barleben_bench_fanout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
# Every notice this benchmark publishes has a slug starting so: that is how a rerun finds them.
NOTICE_SLUG = "bench-fanout-"
# A worker that has sent nothing for this long is stuck, not slow.
STALL_SECONDS = 120


def subscriber_email(number: int) -> str:
    return f"buerger{number:06d}@example.org"


def redis_flush(url: str) -> None:
    """Empty the benchmark's Redis database (only that one): queued tasks and cache."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.ConnectionError as error:
        raise SystemExit(f"Redis at {url} cannot be reached: {error}") from None


def bench_data_reset(board) -> None:
    """Remove the subscriptions, deliveries and notices of an earlier run."""
    from django.db import connection

    from notices.models import NoticePage, Subscription
    from notifications.models import Delivery, DigestEntry, Dispatch

    for notice in NoticePage.objects.child_of(board).filter(slug__startswith=NOTICE_SLUG):
        notice.delete()
    # Deleting 100,000 subscriptions through the ORM loads each to forget its deliveries;
    # TRUNCATE … CASCADE empties them, the outbox (deliveries, digest entries) and the
    # choices at once.
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table)
        for model in (Subscription, Dispatch, Delivery, DigestEntry)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def subscriptions_bulk_load(*, site, count: int) -> None:
    """Confirmed subscriptions to everything, immediately: each matches every notice."""
    from django.db import connection, transaction
    from django.utils import timezone

    from notices.models import Subscription
    from notices.subscriptions import CONSENT_VERSION
    from notifications.models import Frequency

    now = timezone.now()
    with transaction.atomic():
        Subscription.objects.bulk_create(
            (
                Subscription(
                    site=site,
                    email=subscriber_email(number),
                    frequency=Frequency.IMMEDIATELY,
                    token=secrets.token_urlsafe(32),
                    signed_up_at=now,
                    confirmed_at=now,
                    consent_version=CONSENT_VERSION,
                )
                for number in range(1, count + 1)
            ),
            batch_size=5000,
        )
    # What autovacuum does a minute after a bulk insert on a live server: without statistics
    # the planner takes the new table for empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the SMTP sink, in a process of its own -------------------------------------------


class SinkHandler:
    """Accepts every message; counts them and their recipients, notes the first and last."""

    def __init__(self, accepted):
        self.accepted = accepted  # shared with the parent, which polls it
        self.recipients: Counter[str] = Counter()
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        # CLOCK_MONOTONIC is the same clock in every process on Linux.
        now = time.monotonic()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.recipients.update(envelope.rcpt_tos)
        self.accepted.value += 1
        return "250 OK"

    async def report(self, *, reset: bool) -> dict:
        # Runs in the server's event loop, so no message is counted halfway.
        report = {
            "accepted": self.accepted.value,
            "recipients": set(self.recipients),
            "repeated": sum(1 for count in self.recipients.values() if count > 1),
            "first_at": self.first_at,
            "last_at": self.last_at,
        }
        if reset:
            self.recipients.clear()
            self.first_at = self.last_at = None
            self.accepted.value = 0
        return report


def smtp_sink_serve(port: int, accepted, commands) -> None:
    """The sink process: aiosmtpd on 127.0.0.1:`port`, answering `commands` until "stop"."""
    from aiosmtpd.controller import Controller

    handler = SinkHandler(accepted)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    try:
        while (command := commands.recv()) != "stop":
            report = handler.report(reset=command == "reset")
            commands.send(asyncio.run_coroutine_threadsafe(report, controller.loop).result())
    finally:
        controller.stop()


@dataclass
class SmtpSink:
    port: int
    process: multiprocessing.Process
    commands: object
    accepted_counter: object = field(repr=False)

    @property
    def accepted(self) -> int:
        return self.accepted_counter.value

    def report(self, *, reset: bool = False) -> dict:
        self.commands.send("reset" if reset else "report")
        return self.commands.recv()


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    # spawn, not fork: a fresh interpreter that loads aiosmtpd and nothing of this process.
    context = multiprocessing.get_context("spawn")
    accepted = context.RawValue("q", 0)
    ours, theirs = context.Pipe()
    port = _free_port()
    process = context.Process(
        target=smtp_sink_serve, args=(port, accepted, theirs), name="smtp-sink", daemon=True
    )
    process.start()
    try:
        if not ours.poll(30) or ours.recv() != "ready":
            raise SystemExit("the SMTP sink did not come up")
        yield SmtpSink(port=port, process=process, commands=ours, accepted_counter=accepted)
    finally:
        if process.is_alive():
            ours.send("stop")
            process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


# --- processes: CPU time and resident memory ------------------------------------------


def cpu_snapshot() -> dict[int, tuple[str, float]]:
    """Every process's name and the CPU seconds (user and system) it has used so far; for
    PostgreSQL's processes the title it sets, which names a connection's database."""
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    snapshot = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                line = stat.read()
        except OSError:  # gone meanwhile
            continue
        name = line[line.index("(") + 1 : line.rindex(")")]
        if name == "postgres":
            try:
                with open(f"/proc/{entry.name}/cmdline") as cmdline:
                    name = f"postgres {cmdline.read()}"
            except OSError:
                pass
        fields = line[line.rindex(")") + 2 :].split()
        snapshot[int(entry.name)] = (name, (int(fields[11]) + int(fields[12])) / ticks_per_second)
    return snapshot


def machine_busy_seconds() -> float:
    """CPU seconds the machine has spent busy since boot, all cores together (hypervisor
    steal included: those cycles were not ours either)."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    try:
        import psutil
    except ImportError:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for process {pid}") from None
    return psutil.Process(pid).memory_info().rss


class Sampler(threading.Thread):
    """Every second: each worker's resident memory, with the number of mails the sink has
    accepted by then, and every process's CPU time so far.

    A process that ends keeps the CPU time it was last seen with: a worker closes its
    database connection every CONN_MAX_AGE seconds, and the PostgreSQL process serving it
    ends with it.
    """

    def __init__(self, sink: SmtpSink, worker_pids: list[int], *, database: str):
        super().__init__(daemon=True)
        self.sink = sink
        self.database = database
        self.worker_pids = worker_pids
        self.memory: list[tuple[int, list[int]]] = []
        self.cpu_start = self.cpu_seen = cpu_snapshot()
        self.machine_start = self.machine_end = machine_busy_seconds()
        self.started_at = self.stopped_at = time.monotonic()
        self.stopped = threading.Event()

    def sample(self) -> None:
        self.cpu_seen = {**self.cpu_seen, **cpu_snapshot()}
        self.memory.append((self.sink.accepted, [rss_bytes(pid) for pid in self.worker_pids]))

    def run(self) -> None:
        self.sample()
        while not self.stopped.wait(1.0):
            self.sample()

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.sample()
        self.machine_end = machine_busy_seconds()
        self.stopped_at = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.stopped_at - self.started_at

    def memory_at_mails(self, count: int) -> list[int]:
        """Resident memory in the first sample taken with at least `count` mails accepted."""
        return next(rss for accepted, rss in self.memory if accepted >= count)

    def memory_peak(self) -> list[int]:
        return [max(rss[index] for _, rss in self.memory) for index in range(len(self.worker_pids))]

    def cpu_spent(self, roles: dict[int, str]) -> dict[str, float]:
        """CPU seconds used while sampling, by role: ours by process id, PostgreSQL (its
        server processes and the connections to our database) and Redis by name, everything
        else (others' work shares the cores), and what the machine was busy with beyond
        that: interrupts, and processes that came and went between two samples."""
        spent: Counter[str] = Counter()
        for pid, (name, seconds) in self.cpu_seen.items():
            if pid in roles:
                role = roles[pid]
            elif name.startswith("postgres"):
                # A connection's process title reads "… user database host(port) state".
                is_connection = "(" in name or "[local]" in name
                is_ours = f" {self.database} " in name
                role = "PostgreSQL" if is_ours or not is_connection else "other processes"
            elif name.startswith("redis"):
                role = "Redis"
            else:
                role = "other processes"
            spent[role] += seconds - self.cpu_start.get(pid, (name, 0.0))[1]
        spent["unattributed (interrupts, autovacuum, short-lived processes)"] = max(
            0.0, self.machine_end - self.machine_start - sum(spent.values())
        )
        return dict(spent)


def _cpu_summary(spent: dict[str, float], seconds: float) -> str:
    available = os.cpu_count() * seconds
    busy = sum(spent.values())
    parts = ", ".join(
        f"{role} {value:.0f} s"
        for role, value in sorted(spent.items(), key=lambda item: -item[1])
        if value >= 0.5
    )
    return f"machine {busy / available:.0%} busy, {busy:.0f} of {available:.0f} CPU s: {parts}"


# --- Celery workers ---------------------------------------------------------------------


# --- the measurement --------------------------------------------------------------------


def notice_draft_add(board):
    """A draft notice for the whole municipality, never published yet."""
    from datetime import timedelta

    from django.utils import timezone

    from notices.models import NoticeKind, NoticePage

    kind = NoticeKind.objects.filter(is_event=False).order_by("has_display_period").first()
    now = timezone.now()
    notice = NoticePage(
        title="Vollsperrung der Ortsdurchfahrt wegen Bauarbeiten",
        slug=f"{NOTICE_SLUG}{now:%Y%m%d%H%M%S}",
        kind=kind,
        teaser="Wegen der Erneuerung der Fahrbahn ist die Ortsdurchfahrt vom 2. bis zum 13. "
        "März voll gesperrt. Die Umleitung ist ausgeschildert; die Buslinien fahren "
        "Ersatzhaltestellen an.",
        publication_date=timezone.localdate(),
        contact_department="Bauamt",
        contact_email="bauamt@barleben.de",
        live=False,
        first_published_at=None,
    )
    if kind.has_display_period:
        notice.display_from, notice.display_until = now, now + timedelta(days=14)
    return board.add_child(instance=notice)


def wait_for_mails(sink: SmtpSink, count: int) -> None:
    last_accepted, last_progress = -1, time.monotonic()
    while sink.accepted < count:
        if sink.accepted != last_accepted:
            last_accepted, last_progress = sink.accepted, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            raise SystemExit(
                f"no mail for {STALL_SECONDS} s after {sink.accepted:,} of {count:,}; "
                f"see {BENCH_DIR}/worker-*.log"
            )
        time.sleep(0.1)


def deliveries_wait_recorded(dispatch, count: int) -> dict[str, int]:
    """The deliveries' figures once every sent mail is recorded as sent (a worker records it
    just after the sink accepted it)."""
    from notifications.fanout import dispatch_statistics

    deadline = time.monotonic() + 30
    while (statistics := dispatch_statistics(dispatch))["sent"] < count:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return statistics


def check_each_once(report: dict, expected: set[str], label: str) -> None:
    if report["accepted"] != len(expected) or report["recipients"] != expected:
        raise SystemExit(
            f"{label}: {report['accepted']:,} mails to {len(report['recipients']):,} "
            f"recipients ({report['repeated']:,} got more than one, "
            f"{len(expected - report['recipients']):,} none), not one each to {len(expected):,}"
        )


def ceiling_message(dispatch) -> tuple[str, bytes]:
    """The envelope sender and bytes of one notification as the workers send it."""
    from django.conf import settings
    from django.core.mail.message import sanitize_address

    from notices.models import Subscription
    from notifications.audiences import audience_for
    from notifications.email import message_key

    delivery = dispatch.deliveries.order_by("pk").first()
    subscription = Subscription.objects.get(pk=delivery.recipient_id)
    template = audience_for(dispatch.audience).notification(
        dispatch=dispatch, recipient_id=subscription.pk
    )
    message = template.message(
        email=subscription.email, token=subscription.token, key=message_key(delivery)
    )
    encoding = message.encoding or settings.DEFAULT_CHARSET
    return (
        sanitize_address(message.from_email, encoding),
        message.message().as_bytes(linesep="\r\n"),
    )


def ceiling_send(port: int, sender: str, data: bytes, recipients: list[str]) -> float:
    """Send `data` to each recipient over one connection; returns the seconds it took."""
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as connection:
        for recipient in recipients:
            connection.sendmail(sender, [recipient], data)
    return time.monotonic() - started


def profile_batch(dispatch) -> None:
    """Send batches of the dispatch again in this process, timed and then under cProfile:
    where a worker's time goes. Run on a quiet machine; the sink gets these mails too."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.models import Delivery
    from notifications.sending import deliveries_send

    size = settings.NOTIFICATIONS_BATCH_SIZE
    delivery_ids = list(dispatch.deliveries.order_by("pk").values_list("pk", flat=True))
    if len(delivery_ids) < 7 * size:
        print(f"\n--profile needs at least {7 * size} subscribers")
        return
    batches = [delivery_ids[start : start + size] for start in range(0, 7 * size, size)]
    Delivery.objects.filter(pk__in=delivery_ids[: 7 * size]).update(
        status=Delivery.Status.PENDING, sent_at=None, lease_until=None
    )
    # The first batch loads templates and translations, as the first one in a worker does.
    deliveries_send(delivery_ids=batches[0])
    timed = [pk for batch in batches[1:6] for pk in batch]
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        for batch in batches[1:6]:
            deliveries_send(delivery_ids=batch)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"\nin-process, {len(timed)} e-mails in batches of {size}: per e-mail "
        f"{wall / len(timed) * 1e6:.0f} µs, of which {cpu / len(timed) * 1e6:.0f} µs CPU of "
        f"this process, and {len(queries) / len(timed):.2f} SQL statements (BEGIN and COMMIT "
        "included)"
    )
    profile = cProfile.Profile()
    profile.runcall(deliveries_send, delivery_ids=batches[6])
    print(f"cProfile of one batch of {len(batches[6])} (wall-clock time):")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)


def _megabytes(value: int) -> str:
    return f"{value / 2**20:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="afterwards, send a few batches again in-process, timed and under cProfile",
    )
    options = parser.parse_args()
    count = options.subscribers
    # Stopped with kill as with Ctrl+C, it stops its workers and sink on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f} before the run; the cores are not ours alone")

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark needs PostgreSQL: DATABASE_URL=postgres://…")
    database_create_if_missing(database_url)
    database_name = urlsplit(database_url).path.lstrip("/")
    redis_flush(redis_url)

    environment = bench_environment(BENCH_DIR)
    environment.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        NOTIFICATIONS_MAX_PER_SECOND="0",
    )
    manage(environment, "migrate", "--noinput")
    # Without a broker the demo's own publications are announced in-process, to nobody
    # (the subscriptions come later), instead of waiting in the queue for the workers.
    manage(
        {
            **environment,
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "EMAIL_URL": "memorymail://",
            "LOG_LEVEL": "ERROR",
        },
        "seed_demo",
        "--force",
    )

    with smtp_sink() as sink:
        environment["EMAIL_URL"] = f"smtp://127.0.0.1:{sink.port}"
        setup_django(environment)
        from django.conf import settings
        from wagtail.models import Site

        from notices.models import NoticeIndexPage, Subscription
        from notifications.models import Dispatch

        board = NoticeIndexPage.objects.get()
        bench_data_reset(board)
        redis_flush(redis_url)  # what the reset may have queued
        started = time.monotonic()
        subscriptions_bulk_load(site=Site.objects.get(is_default_site=True), count=count)
        loaded = time.monotonic() - started
        print(f"data: {count:,} confirmed subscriptions inserted in {loaded:.1f} s")
        recipients = list(Subscription.objects.order_by("pk").values_list("email", flat=True))
        expected = set(recipients)

        with celery_workers(
            environment,
            count=options.workers,
            queues="celery,mail-bulk",
            prefix="bench-fanout",
            log_dir=BENCH_DIR,
        ) as workers:
            pids = [worker.pid for worker in workers.values()]
            roles = {pid: f"worker {number}" for number, pid in enumerate(pids, start=1)}
            roles |= {sink.process.pid: "SMTP sink", os.getpid(): "this script"}
            sampler = Sampler(sink, pids, database=database_name)
            sampler.start()
            notice = notice_draft_add(board)
            # What Wagtail's "Publish" button does: save a revision and publish it.
            published = time.monotonic()
            notice.save_revision().publish()
            publish_seconds = time.monotonic() - published
            wait_for_mails(sink, count)
            sampler.stop()
            dispatch = Dispatch.objects.get(source_id=notice.pk, is_update=False)
            statistics = deliveries_wait_recorded(dispatch, count)
            time.sleep(1)  # a duplicate still on its way would arrive now
        fanout = sink.report(reset=True)
        check_each_once(fanout, expected, "fan-out")
        if statistics["sent"] != count:
            raise SystemExit(f"deliveries recorded: {statistics}, not {count:,} sent")

        sender, data = ceiling_message(dispatch)
        ceiling_sampler = Sampler(sink, [], database=database_name)
        ceiling_sampler.start()
        ceiling_seconds = ceiling_send(sink.port, sender, data, recipients)
        ceiling_sampler.stop()
        ceiling = sink.report(reset=True)
        check_each_once(ceiling, expected, "ceiling")

        fanout_seconds = fanout["last_at"] - published
        fanout_rate = count / fanout_seconds
        ceiling_rate = count / ceiling_seconds
        fanned_out = (dispatch.fanned_out_at - dispatch.created_at).total_seconds()
        fanout_cpu = sampler.cpu_spent(roles)
        ceiling_cpu = ceiling_sampler.cpu_spent(roles)
        sink_cpu = ceiling_cpu["SMTP sink"] / count

        print(
            f"\n{count:,} confirmed subscribers, {options.workers} Celery workers "
            f"(--pool=solo, one process each), batches of {settings.NOTIFICATIONS_BATCH_SIZE}, "
            f"chunks of {settings.NOTIFICATIONS_CHUNK_SIZE}; PostgreSQL, Redis, the workers and "
            f"the SMTP sink on the same {os.cpu_count()} cores; e-mails of {len(data):,} bytes\n"
        )
        print("| run | time | mails/s |")
        print("| --- | ---: | ---: |")
        for label, seconds, rate in [
            ("fan-out: publication to last mail accepted", fanout_seconds, fanout_rate),
            ("ceiling: one script, one SMTP connection", ceiling_seconds, ceiling_rate),
        ]:
            print(f"| {label} | {seconds:.1f} s | {rate:.0f} |")
        print(
            f"\nratio {fanout_rate / ceiling_rate:.2f} (target: at least 0.5); publication "
            f"{publish_seconds * 1000:.0f} ms, first mail after "
            f"{fanout['first_at'] - published:.1f} s, all deliveries created and queued after "
            f"{fanned_out:.1f} s; each of the {count:,} recipients got exactly one mail"
        )
        milestone = count // 10
        print(f"\n| worker | RSS idle | at {milestone:,} mails | at {count:,} mails | peak |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for index in range(options.workers):
            print(
                f"| {index + 1} | {_megabytes(sampler.memory[0][1][index])} | "
                f"{_megabytes(sampler.memory_at_mails(milestone)[index])} | "
                f"{_megabytes(sampler.memory_at_mails(count)[index])} | "
                f"{_megabytes(sampler.memory_peak()[index])} |"
            )
        print(f"\nCPU during the fan-out: {_cpu_summary(fanout_cpu, sampler.seconds)}")
        print(f"CPU during the ceiling: {_cpu_summary(ceiling_cpu, ceiling_sampler.seconds)}")
        print(
            f"The sink needs {sink_cpu * 1e6:.0f} µs of CPU per mail: at most {1 / sink_cpu:.0f} "
            f"mails/s on one core; it was busy {ceiling_cpu['SMTP sink'] / ceiling_seconds:.0%} "
            "of the ceiling run."
        )

        if options.profile:
            profile_batch(dispatch)


if __name__ == "__main__":
    main()
