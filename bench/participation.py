"""Benchmark of survey results and answering: the council's results page for a survey with
10 questions and 100,000 responses (the first render, p50/p95 over repeated renders, its SQL
queries, and the time a recount of every answer takes), then 16 concurrent citizens answering
an account survey over HTTP against gunicorn, each sending their answers twice, with a check
in the database that every answer was stored exactly once and counted exactly once.

    .venv/bin/python bench/participation.py
    .venv/bin/python bench/participation.py --responses 10000 --citizens 160

Needs PostgreSQL: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/barleben_bench_participation, created if missing). The
100,000 responses are loaded with COPY on the first run and reused by the next; the load
survey is made afresh on every run. The results are not cached: the page reads the counts
kept with the answers (participation/tallies.py). Options: --responses, --renders,
--citizens, --concurrency, --workers.
"""

import argparse
import http.client
import io
import os
import random
import re
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

# Run as a script, Python puts bench/ first on the path, where this very file would shadow
# the participation app; the project directory takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    BASE_DIR,
    bench_environment,
    database_create_if_missing,  # noqa: E402
    gunicorn,
    percentile,
    portal_prepare,
)

BENCH_DIR = BASE_DIR / "var" / "bench-participation"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barleben_bench_participation"
RESULTS_SLUG = "bench-umfrage-ergebnisse"
LOAD_SLUG = "bench-umfrage-last"
CITIZEN_PREFIX = "bench-buerger-"
FIRST_DAY = date(2026, 10, 1)
DAYS = 21
TARGET_P95_MS = 300
COPY_CHUNK = 20_000


def _question(kind: str, text: str, choices=(), **value) -> dict:
    value = {"text": text, "help_text": "", "is_required": kind != "free_text", **value}
    if choices:
        value["choices"] = [
            {"type": "item", "value": label, "id": str(uuid.uuid4())} for label in choices
        ]
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def ten_questions() -> list[dict]:
    scale = {"min_value": 1, "max_value": 5, "min_label": "schlecht", "max_label": "gut"}
    return [
        _question("single_choice", "Wo soll der Spielplatz hin?", ["Nord", "Süd", "Ost", "West"]),
        _question("single_choice", "Wie kommen Sie zur Arbeit?", ["Auto", "Rad", "Bus", "Fuß"]),
        _question(
            "multiple_choice",
            "Was fehlt im Ort?",
            ["Café", "Arzt", "Bank", "Laden", "Treff"],
            max_choices=3,
        ),
        _question(
            "multiple_choice",
            "Welche Feste besuchen Sie?",
            ["Maifest", "Kirmes", "Advent", "Sommerfest", "Lauf"],
            max_choices=3,
        ),
        _question("rating", "Wie gefällt Ihnen der Ortskern?", **scale),
        _question("rating", "Wie sicher fühlen Sie sich nachts?", **scale),
        _question("yes_no", "Nutzen Sie die Bibliothek?"),
        _question("yes_no", "Würden Sie ehrenamtlich helfen?"),
        _question("free_text", "Was wünschen Sie sich?", max_length=500),
        _question("free_text", "Was möchten Sie uns noch sagen?", max_length=500),
    ]


def _survey_create(home, *, slug: str, way: str, opens_at, closes_at):
    from participation.models import SurveyPage

    survey = SurveyPage(
        title=f"Benchmark {slug}",
        slug=slug,
        introduction="<p>Benchmark.</p>",
        opens_at=opens_at,
        closes_at=closes_at,
        way_of_taking_part=way,
        questions=ten_questions(),
    )
    home.add_child(instance=survey)
    return survey


def _answers_for(survey, rng: random.Random) -> list[tuple]:
    """(question id, choice id, number, text) rows of one random response."""
    rows = []
    for question in survey.question_list:
        kind = question.kind
        if kind in ("single_choice", "yes_no"):
            rows.append((question.id, rng.choice(question.choices).id, None, ""))
        elif kind == "multiple_choice":
            for choice in rng.sample(question.choices, rng.randint(1, 3)):
                rows.append((question.id, choice.id, None, ""))
        elif kind == "rating":
            rows.append((question.id, None, rng.randint(1, 5), ""))
        elif rng.random() < 0.1:
            rows.append((question.id, None, None, f"Antwort Nummer {rng.randint(1, 10**6)}"))
    return rows


def _copy(cursor, table: str, columns: list[str], lines: list[str]) -> None:
    buffer = io.StringIO("".join(lines))
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def results_survey_load(home, *, responses: int):
    """The survey measured, with `responses` random responses (reused if already there)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from participation.models import Answer, Response, SurveyPage
    from website.models import Ortschaft

    survey = SurveyPage.objects.filter(slug=RESULTS_SLUG).first()
    if survey and Response.objects.filter(survey=survey).count() == responses:
        return survey, False
    if survey:
        survey.delete()
    now = timezone.now()
    survey = _survey_create(
        home,
        slug=RESULTS_SLUG,
        way="account",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
    )
    ortschaften = [*Ortschaft.objects.values_list("pk", flat=True), None]
    rng = random.Random(6)
    response_lines, answer_lines = [], []

    def null(value) -> str:
        return r"\N" if value is None else str(value)

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for number in range(responses):
            response_id = uuid.uuid4()
            day = FIRST_DAY + timedelta(days=min(DAYS - 1, int(rng.expovariate(0.2))))
            response_lines.append(
                f"{response_id}\t{survey.pk}\t{null(rng.choice(ortschaften))}\t"
                f"{'t' if rng.random() < 0.03 else 'f'}\t{day.isoformat()}\n"
            )
            for question_id, choice_id, rating, text in _answers_for(survey, rng):
                answer_lines.append(
                    f"{uuid.uuid4()}\t{response_id}\t{question_id}\t{null(choice_id)}\t"
                    f"{null(rating)}\t{escape(text)}\tf\n"
                )
            if len(answer_lines) >= COPY_CHUNK or number == responses - 1:
                _copy(
                    cursor,
                    Response._meta.db_table,
                    ["id", "survey_id", "ortschaft_id", "is_paper", "submitted_on"],
                    response_lines,
                )
                _copy(
                    cursor,
                    Answer._meta.db_table,
                    ["id", "response_id", "question_id", "choice_id", "number", "text"]
                    + ["is_published"],
                    answer_lines,
                )
                response_lines, answer_lines = [], []
    # What autovacuum does a minute after a bulk insert: statistics and the visibility map.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Response._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Answer._meta.db_table}")
    return survey, True


def council_member():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _created = get_user_model().objects.get_or_create(username="bench-gemeinderat")
    user.groups.add(Group.objects.get(name="Gemeinderat"))
    return user


def render_measure(survey, *, renders: int) -> dict:
    """The admin results page through Django's test client, and its SQL queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(council_member())
    url = reverse("participation_results", args=[survey.pk])

    def timed() -> float:
        started = time.perf_counter()
        response = client.get(url, secure=True)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return elapsed * 1000

    first = timed()
    with CaptureQueriesContext(connection) as captured:
        timed()
    # Counted now: the captured queries are read from the connection's log, which the next
    # request empties.
    queries = len(captured)
    return {"first": first, "renders": [timed() for _ in range(renders)], "queries": queries}


def recount_measure(survey) -> float:
    """Counting every answer afresh, as before each results view until the counts were kept."""
    from participation.tallies import tally_recount

    started = time.perf_counter()
    tally_recount(survey=survey)
    return (time.perf_counter() - started) * 1000


# --- 16 citizens answering over HTTP ----------------------------------------------------------


def citizens_ensure(count: int) -> list:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    User = get_user_model()
    names = [f"{CITIZEN_PREFIX}{number:05d}" for number in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    created = User.objects.bulk_create(
        [User(username=name, email=f"{name}@example.org") for name in names if name not in existing]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in created]
    )
    return list(User.objects.filter(username__in=names).order_by("username"))


def session_for(user) -> str:
    """A logged-in session, made as django.contrib.auth.login makes it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


class Browser:
    """Cookies by hand: the production settings mark them Secure, and this is plain HTTP on
    loopback (X-Forwarded-Proto, believed with TRUSTED_PROXY, tells Django it was HTTPS)."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookies = {"sessionid": session_key}

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"https://127.0.0.1{path}",
            "Origin": "https://127.0.0.1",
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, content


def _hidden(content: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', content)
    if not match:
        raise RuntimeError(f"no {name} in the page")
    return match[1].replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")


def citizen_answer(port: int, survey_path: str, session_key: str, form: list) -> dict:
    """Form, review, send, and send once more: the second must be refused."""
    browser = Browser(port, session_key)
    status, page = browser.request("GET", survey_path)
    if status != 200:
        raise RuntimeError(f"survey page answered {status}")
    token = _hidden(page, "csrfmiddlewaretoken")
    status, review = browser.request("POST", survey_path, [("csrfmiddlewaretoken", token), *form])
    if status != 200 or 'name="draft"' not in review:
        raise RuntimeError(f"the review step answered {status}")
    submission = [("csrfmiddlewaretoken", token), ("draft", _hidden(review, "draft"))]
    started = time.perf_counter()
    first, _content = browser.request("POST", f"{survey_path}absenden/", submission)
    seconds = time.perf_counter() - started
    second, _content = browser.request("POST", f"{survey_path}absenden/", submission)
    return {"first": first, "second": second, "seconds": seconds}


def load_run(home, environment, *, citizens: int, concurrency: int, workers: int) -> dict:
    from django.utils import timezone

    from participation.forms import field_name
    from participation.models import Answer, Participation, Response, SurveyPage
    from participation.tallies import tallies_are_exact
    from website.models import Ortschaft

    for survey in SurveyPage.objects.filter(slug=LOAD_SLUG):
        survey.delete()
    now = timezone.now()
    survey = _survey_create(
        home,
        slug=LOAD_SLUG,
        way="account",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
    )
    slug = Ortschaft.objects.values_list("slug", flat=True).first()
    rng = random.Random(16)
    forms, rows_expected = [], 0
    for _ in range(citizens):
        form = [("ortschaft", slug)]
        for question_id, choice_id, rating, text in _answers_for(survey, rng):
            value = choice_id if choice_id is not None else rating if rating is not None else text
            form.append((field_name(question_id), str(value)))
            rows_expected += 1
        forms.append(form)
    sessions = [session_for(user) for user in citizens_ensure(citizens)]

    with gunicorn(environment, workers=workers) as port:
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            outcomes = list(
                pool.map(
                    citizen_answer, [port] * citizens, [survey.url] * citizens, sessions, forms
                )
            )
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "outcomes": outcomes,
        "responses": Response.objects.filter(survey=survey).count(),
        "participations": Participation.objects.filter(survey=survey).count(),
        "answers": Answer.objects.filter(response__survey=survey).count(),
        "answers_expected": rows_expected,
        "counts_exact": tallies_are_exact(survey=survey),
    }


def _ms(values: list[float], fraction: float) -> str:
    return f"{percentile(values, fraction):.0f} ms" if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--citizens", type=int, default=320)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    options = parser.parse_args()

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.pop("REDIS_URL", None)
    database_create_if_missing(os.environ["DATABASE_URL"])
    environment = bench_environment(BENCH_DIR)
    portal_prepare(environment)

    from website.models import HomePage

    home = HomePage.objects.get()
    started = time.perf_counter()
    survey, loaded = results_survey_load(home, responses=options.responses)
    if loaded:
        print(
            f"data: {options.responses:,} responses loaded in {time.perf_counter() - started:.0f} s"
        )

    from participation.models import Answer

    answer_rows = Answer.objects.filter(response__survey=survey).count()
    # Also makes the counts of responses loaded with COPY, which bypasses the services.
    recount_ms = recount_measure(survey)
    render = render_measure(survey, renders=options.renders)
    load = load_run(
        home,
        environment,
        citizens=options.citizens,
        concurrency=options.concurrency,
        workers=options.workers,
    )

    print(
        f"\nResults page (admin, Django test client in this process): {options.responses:,} "
        f"responses, {answer_rows:,} answer rows, 10 questions; {os.cpu_count()} cores\n"
    )
    print("| results page | renders | queries | first | p50 | p95 | target p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    values = render["renders"]
    print(
        f"| counts kept with the answers | {len(values)} | {render['queries']} | "
        f"{render['first']:.0f} ms | {_ms(values, 0.5)} | {_ms(values, 0.95)} | "
        f"{TARGET_P95_MS} ms |"
    )
    print(f"\ncounting all answers afresh (tally_recount, not on a view): {recount_ms:.0f} ms")
    outcomes = load["outcomes"]
    stored = sum(1 for outcome in outcomes if outcome["first"] == 302)
    refused = sum(1 for outcome in outcomes if outcome["second"] == 200)
    submit_ms = [outcome["seconds"] * 1000 for outcome in outcomes]
    print(
        f"\nLoad: {options.citizens} citizens, {options.concurrency} at a time, over HTTP "
        f"against gunicorn ({options.workers} workers); each sends the answers twice\n"
    )
    print(
        "| citizens | sent first: stored | sent again: refused | responses in the database "
        "| participations | answer rows (expected) | sending p50 | sending p95 | answers/s |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {options.citizens} | {stored} | {refused} | {load['responses']} | "
        f"{load['participations']} | {load['answers']:,} ({load['answers_expected']:,}) | "
        f"{_ms(submit_ms, 0.5)} | {_ms(submit_ms, 0.95)} | "
        f"{options.citizens / load['seconds']:.0f} |"
    )
    exactly_once = (
        load["responses"] == load["participations"] == options.citizens == stored
        and load["answers"] == load["answers_expected"]
    )
    print(f"\nevery answer stored exactly once: {'yes' if exactly_once else 'NO'}")
    print(f"counts equal to a recount: {'yes' if load['counts_exact'] else 'NO'}")
    exactly_once = exactly_once and load["counts_exact"]
    if not exactly_once:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
