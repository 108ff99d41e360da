"""A survey's counts, kept as its responses are stored, so that the results of 100,000
responses are read from a few hundred rows instead of being counted on every view.

Each `ResultCount` row holds how many responses or answers have one combination of values,
written as its `key`:

    day|2026-10-01|online|3      responses of one day, online or on paper, from Ortschaft 3
    answer|<question>|<choice>|  answers with that choice (or rating) from no given Ortschaft
    answered|<question>|3        responses from Ortschaft 3 that ticked at least one choice of
                                 a multiple-choice question (which has a row per choice)

`tally_add` adds a response to them in the transaction that stores it, so a count never
disagrees with the answers; the rows are updated in the order of their keys, so two
responses stored at the same moment wait for each other instead of deadlocking.
Responses are never changed or removed one by one; data loaded in bulk (the demo, the
benchmark) is counted with `tally_recount`, which counts the answers themselves.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, F

from .models import Answer, Response, ResultCount, SurveyPage
from .questions import QuestionKind

SEPARATOR = "|"


@dataclass(frozen=True)
class Tallies:
    # (day, is_paper, ortschaft id) → responses
    responses: dict[tuple[date, bool, int | None], int]
    # (question id, choice id, number, ortschaft id) → answers; free texts have neither
    answers: dict[tuple[str, str | None, int | None, int | None], int]
    # (question id, ortschaft id) → responses that chose at least one (multiple choice only)
    multiple_choice_answered: dict[tuple[str, int | None], int]


def _part(value) -> str:
    return "" if value is None else str(value)


def _ortschaft(part: str) -> int | None:
    return int(part) if part else None


def _key(*parts) -> str:
    return SEPARATOR.join(_part(part) for part in parts)


def _response_key(day: date, is_paper: bool, ortschaft_id: int | None) -> str:
    return _key("day", day.isoformat(), "paper" if is_paper else "online", ortschaft_id)


def _answer_key(question_id: str, choice_id, number, ortschaft_id) -> str:
    return _key("answer", question_id, choice_id or number, ortschaft_id)


def _answered_key(question_id: str, ortschaft_id) -> str:
    return _key("answered", question_id, ortschaft_id)


def _keys_of(survey: SurveyPage, response: Response, answers: list[Answer]) -> Counter:
    ortschaft_id = response.ortschaft_id
    keys = Counter([_response_key(response.submitted_on, response.is_paper, ortschaft_id)])
    for answer in answers:
        keys[_answer_key(answer.question_id, answer.choice_id, answer.number, ortschaft_id)] += 1
    for question_id in {answer.question_id for answer in answers}:
        if survey.questions_by_id[question_id].kind == QuestionKind.MULTIPLE_CHOICE:
            keys[_answered_key(question_id, ortschaft_id)] += 1
    return keys


def _add(survey: SurveyPage, keys: Counter) -> None:
    if not keys:
        return
    table, key, count = (
        connection.ops.quote_name(name) for name in (ResultCount._meta.db_table, "key", "count")
    )
    rows = sorted(keys.items())
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    # Names quoted, values bound.
    statement = (
        f"INSERT INTO {table} (survey_id, {key}, {count}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (survey_id, {key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [value for item in rows for value in (survey.pk, *item)])


def tally_add(*, survey: SurveyPage, response: Response, answers: list[Answer]) -> None:
    """Count one response just stored; call it in the transaction that stored it, last, so
    that the counts' rows stay locked as briefly as possible."""
    _add(survey, _keys_of(survey, response, answers))


def _counted(survey: SurveyPage) -> Counter:
    """The counts from the answers themselves: a GROUP BY over every answer of the survey."""
    keys = Counter()
    for row in (
        Response.objects.filter(survey=survey)
        .values("submitted_on", "is_paper", "ortschaft_id")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        keys[_response_key(row["submitted_on"], row["is_paper"], row["ortschaft_id"])] = row[
            "count"
        ]
    for row in (
        Answer.objects.filter(response__survey=survey)
        .values("question_id", "choice_id", "number", ortschaft=F("response__ortschaft_id"))
        .annotate(count=Count("pk"))
        .order_by()
    ):
        keys[_answer_key(row["question_id"], row["choice_id"], row["number"], row["ortschaft"])] = (
            row["count"]
        )
    multiple = [
        question.id
        for question in survey.question_list
        if question.kind == QuestionKind.MULTIPLE_CHOICE
    ]
    for row in (
        Answer.objects.filter(response__survey=survey, question_id__in=multiple)
        .values("question_id", ortschaft=F("response__ortschaft_id"))
        .annotate(count=Count("response_id", distinct=True))
        .order_by()
    ):
        keys[_answered_key(row["question_id"], row["ortschaft"])] = row["count"]
    return keys


@transaction.atomic
def tally_recount(*, survey: SurveyPage) -> None:
    """Make the survey's counts afresh from its answers: after loading responses in bulk,
    while nobody answers."""
    ResultCount.objects.filter(survey=survey).delete()
    _add(survey, _counted(survey))


def tallies_are_exact(*, survey: SurveyPage) -> bool:
    """Whether the kept counts are those of the answers (for checks and tests)."""
    kept = dict(ResultCount.objects.filter(survey=survey).values_list("key", "count"))
    return kept == dict(_counted(survey))


def tallies_read(*, survey: SurveyPage) -> Tallies:
    responses, answers, multiple_choice_answered = {}, {}, {}
    for key, count in ResultCount.objects.filter(survey=survey).values_list("key", "count"):
        kind, *parts = key.split(SEPARATOR)
        if kind == "day":
            day, way, ortschaft = parts
            responses[(date.fromisoformat(day), way == "paper", _ortschaft(ortschaft))] = count
        elif kind == "answer":
            question_id, value, ortschaft = parts
            if survey.questions_by_id[question_id].kind == QuestionKind.RATING:
                answers[(question_id, None, int(value), _ortschaft(ortschaft))] = count
            else:
                answers[(question_id, value or None, None, _ortschaft(ortschaft))] = count
        else:
            question_id, ortschaft = parts
            multiple_choice_answered[(question_id, _ortschaft(ortschaft))] = count
    return Tallies(responses, answers, multiple_choice_answered)
