"""A survey's results: counts, percentages, breakdown by Ortschaft, free texts, participation
over time, and who may see them when.

The counts are read from the survey's tallies (participation/tallies.py), which are kept in
the transaction that stores each response: a fixed number of queries whatever the number of
answers, and never a count that is behind the answers.

The embargo and the permission are checked here, not only in the views: while a survey is
open nobody gets its results (unless it was set up with results visible while open), and
only accounts with the `view_results` permission get them at all. Every view and export is
written to Wagtail's audit log by the service that hands the results out.

Breakdown by Ortschaft, and why nobody can be picked out of it (MIN_GROUP_SIZE = 5):

1. Responses are grouped by the Ortschaft the citizen gave.
2. An Ortschaft with fewer than 5 responses is not shown: its responses go to the group
   "other/unknown", with those that gave no Ortschaft.
3. If "other/unknown" then holds 1 to 4 responses, the totals minus the Ortschaften shown
   would reveal them: the smallest Ortschaft still shown joins it, until it holds 5 or more.
4. If fewer than two groups remain, there is nothing to compare and no breakdown is shown.

Free texts are never broken down, and carry neither their Ortschaft nor their day.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from website.models import Ortschaft

from .models import Answer, ResultsPublication, SurveyPage
from .questions import Question, QuestionKind
from .tallies import Tallies, tallies_read

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "participation.view_results"
PUBLISH_PERMISSION = "participation.publish_results"

VIEW_ACTION = "participation.results_view"
EXPORT_ACTION = "participation.results_export"
PUBLISH_ACTION = "participation.results_publish"
REVIEW_ACTION = "participation.results_review"

MIN_GROUP_SIZE = 5
# Free texts shown with the results; all of them are on the review screen, page by page.
FREE_TEXT_SAMPLE = 20

OTHER_GROUP = _("other/unknown")

NOT_ALLOWED = _("You may not see the results of surveys.")
NOT_ALLOWED_TO_PUBLISH = _("You may not publish the results of surveys.")
UNKNOWN_QUESTIONS = _(
    "Some of the questions chosen do not belong to this survey. Nothing has been changed; "
    "please choose again."
)
NOT_A_FREE_TEXT = _("This question has no free-text answers.")


class ResultsEmbargoed(PermissionDenied):
    """The survey is still open and its results are hidden until it closes."""

    def __init__(self, survey: SurveyPage):
        super().__init__(survey.closes_at)
        self.closes_at = survey.closes_at


# --- what the results are made of ----------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One choice (or one value of a rating scale) with how many chose it."""

    label: str
    count: int
    answered: int

    @property
    def percent(self) -> float:
        """Of those who answered the question."""
        return 100 * self.count / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class TextAnswer:
    id: str
    text: str


@dataclass(frozen=True)
class BreakdownGroup:
    label: str
    responses: int
    answered: int
    mean: float | None


@dataclass(frozen=True)
class Breakdown:
    """A question's counts per group of responses: `rows[i].cells[j]` is choice i in group j."""

    groups: tuple[BreakdownGroup, ...]
    rows: tuple["BreakdownRow", ...]


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    cells: tuple[ResultRow, ...]


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    number: int
    answered: int
    rows: tuple[ResultRow, ...]
    mean: float | None
    texts: tuple[TextAnswer, ...]
    breakdown: Breakdown | None

    @property
    def is_free_text(self) -> bool:
        return self.question.kind == QuestionKind.FREE_TEXT

    @property
    def is_multiple_choice(self) -> bool:
        return self.question.kind == QuestionKind.MULTIPLE_CHOICE

    @property
    def is_rating(self) -> bool:
        return self.question.kind == QuestionKind.RATING


@dataclass(frozen=True)
class Day:
    day: date
    online: int
    paper: int
    busiest: int

    @property
    def total(self) -> int:
        return self.online + self.paper

    @property
    def percent_of_busiest(self) -> float:
        return 100 * self.total / self.busiest if self.busiest else 0.0


@dataclass(frozen=True)
class SurveyResults:
    survey: SurveyPage
    responses: int
    paper: int
    questions: tuple[QuestionResult, ...]
    groups: tuple[BreakdownGroup, ...]
    days: tuple[Day, ...]

    @property
    def online(self) -> int:
        return self.responses - self.paper


# --- who may see them, and when ------------------------------------------------------------


def results_may_view(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PERMISSION))


def results_may_publish(user) -> bool:
    return results_may_view(user) and user.has_perm(PUBLISH_PERMISSION)


def results_are_embargoed(*, survey: SurveyPage, now: datetime | None = None) -> bool:
    """True until the survey closes, unless it was set up to show results while open."""
    now = now or timezone.now()
    return now < survey.closes_at and not survey.results_visible_while_open


def _check_may_view(*, survey: SurveyPage, user, now: datetime | None) -> None:
    if not results_may_view(user):
        raise PermissionDenied(NOT_ALLOWED)
    if results_are_embargoed(survey=survey, now=now):
        raise ResultsEmbargoed(survey)


# --- counting ------------------------------------------------------------------------------


def ortschaft_groups(responses_per_ortschaft: dict[int | None, int]) -> list[tuple[str, set]]:
    """The groups of the breakdown in the order shown: (label, the Ortschaft ids in it, None
    for "no Ortschaft given"); see the rule in the module's docstring. A single group means
    that no breakdown can be shown."""
    ortschaften = Ortschaft.objects.in_bulk([pk for pk in responses_per_ortschaft if pk])
    shown = {
        pk: count
        for pk, count in responses_per_ortschaft.items()
        if pk in ortschaften and count >= MIN_GROUP_SIZE
    }
    other = sum(responses_per_ortschaft.values()) - sum(shown.values())
    while 0 < other < MIN_GROUP_SIZE and shown:
        smallest = min(shown, key=lambda pk: (shown[pk], ortschaften[pk].sort_order))
        other += shown.pop(smallest)
    ordered = sorted(shown, key=lambda pk: (ortschaften[pk].sort_order, ortschaften[pk].name))
    groups = [(ortschaften[pk].name, {pk}) for pk in ordered]
    rest = {pk for pk in responses_per_ortschaft if pk not in shown}
    if rest:
        groups.append((str(OTHER_GROUP), rest))
    return groups


def _choice_labels(question: Question) -> list[tuple[object, str]]:
    """(stored value, label) of each possible answer, in the order the form shows them."""
    if question.kind == QuestionKind.RATING:
        return list(question.rating_choices())
    return [(choice.id, str(choice.label)) for choice in question.choices]


def _value_counts(question: Question, counts: Tallies, ortschaft_ids: set | None):
    """Per stored value (choice id or number): answers; and how many answered."""
    per_value: dict[object, int] = defaultdict(int)
    for (question_id, choice_id, number, ortschaft_id), count in counts.answers.items():
        if question_id != question.id:
            continue
        if ortschaft_ids is not None and ortschaft_id not in ortschaft_ids:
            continue
        per_value[number if question.kind == QuestionKind.RATING else choice_id] += count
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        answered = sum(
            count
            for (question_id, ortschaft_id), count in counts.multiple_choice_answered.items()
            if question_id == question.id
            and (ortschaft_ids is None or ortschaft_id in ortschaft_ids)
        )
    else:
        answered = sum(per_value.values())
    return per_value, answered


def _mean(question: Question, per_value: dict, answered: int) -> float | None:
    if question.kind != QuestionKind.RATING or not answered:
        return None
    return sum(value * count for value, count in per_value.items()) / answered


def _question_result(
    question: Question,
    number: int,
    counts: Tallies,
    texts: tuple[TextAnswer, ...],
    groups: list[tuple[BreakdownGroup, set]],
) -> QuestionResult:
    per_value, answered = _value_counts(question, counts, None)
    labels = _choice_labels(question)
    rows = tuple(
        ResultRow(label=label, count=per_value.get(value, 0), answered=answered)
        for value, label in labels
    )
    breakdown = None
    if groups and question.kind != QuestionKind.FREE_TEXT:
        columns = [(group, *_value_counts(question, counts, members)) for group, members in groups]
        breakdown = Breakdown(
            groups=tuple(
                BreakdownGroup(
                    label=group.label,
                    responses=group.responses,
                    answered=group_answered,
                    mean=_mean(question, group_values, group_answered),
                )
                for group, group_values, group_answered in columns
            ),
            rows=tuple(
                BreakdownRow(
                    label=label,
                    cells=tuple(
                        ResultRow(label=label, count=values.get(value, 0), answered=total)
                        for _group, values, total in columns
                    ),
                )
                for value, label in labels
            ),
        )
    return QuestionResult(
        question=question,
        number=number,
        answered=answered,
        rows=rows,
        mean=_mean(question, per_value, answered),
        texts=texts,
        breakdown=breakdown,
    )


def _days(responses: dict[tuple[date, bool, int | None], int]) -> tuple[Day, ...]:
    online: dict[date, int] = defaultdict(int)
    paper: dict[date, int] = defaultdict(int)
    for (day, is_paper, _ortschaft), count in responses.items():
        (paper if is_paper else online)[day] += count
    if not online and not paper:
        return ()
    every_day = set(online) | set(paper)
    first, last = min(every_day), max(every_day)
    busiest = max(online.get(day, 0) + paper.get(day, 0) for day in every_day)
    # Days without answers are shown too, so the table reads as a time line.
    return tuple(
        Day(day=day, online=online.get(day, 0), paper=paper.get(day, 0), busiest=busiest)
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    )


def _free_texts(
    survey: SurveyPage, question_ids: list[str], *, is_published_only: bool, limit: int | None
) -> dict[str, tuple[TextAnswer, ...]]:
    if not question_ids:
        return {}
    answers = Answer.objects.filter(response__survey=survey, question_id__in=question_ids).exclude(
        text=""
    )
    if is_published_only:
        answers = answers.filter(is_published=True)
    # The newest first; the id (random) orders the answers of one day, so the order says
    # nothing about when in the day an answer came.
    order = [F("response__submitted_on").desc(), "id"]
    if limit is not None:
        answers = answers.annotate(
            position=Window(RowNumber(), partition_by=[F("question_id")], order_by=order)
        ).filter(position__lte=limit)
    texts: dict[str, list[TextAnswer]] = defaultdict(list)
    for row in answers.order_by("question_id", *order).values("id", "question_id", "text"):
        texts[row["question_id"]].append(TextAnswer(id=str(row["id"]), text=row["text"]))
    return {question_id: tuple(items) for question_id, items in texts.items()}


def _results(
    survey: SurveyPage,
    *,
    questions: Iterable[Question],
    published_texts: dict[str, tuple[TextAnswer, ...]] | None,
    with_breakdown: bool,
) -> SurveyResults:
    """`published_texts` None: the council's newest free texts."""
    counts = tallies_read(survey=survey)
    texts = published_texts
    if texts is None:
        free_text_ids = [q.id for q in questions if q.kind == QuestionKind.FREE_TEXT]
        texts = _free_texts(survey, free_text_ids, is_published_only=False, limit=FREE_TEXT_SAMPLE)
    per_ortschaft: dict[int | None, int] = defaultdict(int)
    paper = 0
    for (_day, is_paper, ortschaft_id), count in counts.responses.items():
        per_ortschaft[ortschaft_id] += count
        paper += count if is_paper else 0
    groups: list[tuple[BreakdownGroup, set]] = []
    if with_breakdown and per_ortschaft:
        groups = [
            (
                BreakdownGroup(
                    label=label,
                    responses=sum(per_ortschaft[pk] for pk in members),
                    answered=0,
                    mean=None,
                ),
                members,
            )
            for label, members in ortschaft_groups(per_ortschaft)
        ]
        if len(groups) < 2:
            groups = []
    numbers = {question.id: n for n, question in enumerate(survey.question_list, start=1)}
    return SurveyResults(
        survey=survey,
        responses=sum(per_ortschaft.values()),
        paper=paper,
        questions=tuple(
            _question_result(
                question, numbers[question.id], counts, texts.get(question.id, ()), groups
            )
            for question in questions
        ),
        groups=tuple(group for group, _members in groups),
        days=_days(counts.responses),
    )


# --- for the council -----------------------------------------------------------------------


def survey_results_open(*, survey: SurveyPage, user, now: datetime | None = None) -> SurveyResults:
    """The full results for the council's screen; logged as a view of the results."""
    _check_may_view(survey=survey, user=user, now=now)
    results = _results(
        survey, questions=survey.question_list, published_texts=None, with_breakdown=True
    )
    log(instance=survey, action=VIEW_ACTION, user=user)
    logger.info("Staff member %s viewed the results of survey %s", user.pk, survey.pk)
    return results


def survey_results_export_check(
    *, survey: SurveyPage, user, file_format: str, now: datetime | None = None
) -> None:
    """PermissionDenied unless `user` may export now; logs the export when they may."""
    _check_may_view(survey=survey, user=user, now=now)
    log(instance=survey, action=EXPORT_ACTION, user=user, data={"format": file_format})
    logger.info("Staff member %s exported the results of survey %s", user.pk, survey.pk)


def survey_free_texts(*, survey: SurveyPage, user, question_id: str, now: datetime | None = None):
    """All free-text answers to one question, newest first (a queryset, for paging)."""
    _check_may_view(survey=survey, user=user, now=now)
    question = survey.questions_by_id.get(question_id)
    if question is None or question.kind != QuestionKind.FREE_TEXT:
        raise ValidationError(NOT_A_FREE_TEXT, code="not_free_text")
    return (
        Answer.objects.filter(response__survey=survey, question_id=question_id)
        .exclude(text="")
        .order_by(F("response__submitted_on").desc(), "id")
        .only("id", "text", "is_published")
    )


# --- publication ---------------------------------------------------------------------------


def published_question_ids(survey: SurveyPage) -> list[str]:
    publication = ResultsPublication.objects.filter(survey=survey).first()
    return list(publication.question_ids) if publication else []


@transaction.atomic
def results_publication_set(*, survey: SurveyPage, user, question_ids: Iterable[str]) -> None:
    """Publish the results of these questions on the survey page (and only these)."""
    if not results_may_publish(user):
        raise PermissionDenied(NOT_ALLOWED_TO_PUBLISH)
    chosen = set(question_ids)
    if not chosen <= set(survey.questions_by_id):
        raise ValidationError(UNKNOWN_QUESTIONS, code="unknown_question")
    # In the survey's order, so that the page shows them as the questionnaire asked them.
    ordered = [question.id for question in survey.question_list if question.id in chosen]
    publication, _created = ResultsPublication.objects.select_for_update().get_or_create(
        survey=survey
    )
    before = set(publication.question_ids)
    publication.question_ids = ordered
    publication.full_clean(exclude=["survey"])
    publication.save()
    log(
        instance=survey,
        action=PUBLISH_ACTION,
        user=user,
        data={"published": sorted(chosen - before), "withdrawn": sorted(before - chosen)},
    )


@transaction.atomic
def free_texts_review(
    *,
    survey: SurveyPage,
    user,
    question_id: str,
    reviewed_ids: Iterable[str],
    published_ids: Iterable[str],
    now: datetime | None = None,
) -> int:
    """Publish the reviewed free texts in `published_ids`, withdraw the other reviewed ones;
    returns how many are published now. Ids outside this question's answers are ignored."""
    if not results_may_publish(user):
        raise PermissionDenied(NOT_ALLOWED_TO_PUBLISH)
    answers = survey_free_texts(survey=survey, user=user, question_id=question_id, now=now)
    reviewed = answers.filter(pk__in=list(reviewed_ids)).order_by()
    published = set(published_ids)
    changed_to_published = reviewed.filter(pk__in=published, is_published=False).update(
        is_published=True
    )
    changed_to_withdrawn = (
        reviewed.exclude(pk__in=published).filter(is_published=True).update(is_published=False)
    )
    log(
        instance=survey,
        action=REVIEW_ACTION,
        user=user,
        data={
            "question": question_id,
            "published": changed_to_published,
            "withdrawn": changed_to_withdrawn,
        },
    )
    return answers.filter(is_published=True).count()


def survey_results_published(
    *, survey: SurveyPage, now: datetime | None = None
) -> SurveyResults | None:
    """What the survey page shows: the questions staff published and the free texts they
    approved, once the survey has closed; None when there is nothing to show."""
    now = now or timezone.now()
    if now < survey.closes_at:
        return None
    chosen = set(published_question_ids(survey))
    questions = [question for question in survey.question_list if question.id in chosen]
    if not questions:
        return None
    free_text_ids = [q.id for q in questions if q.kind == QuestionKind.FREE_TEXT]
    return _results(
        survey,
        questions=questions,
        published_texts=_free_texts(survey, free_text_ids, is_published_only=True, limit=None),
        # Published are the answers to the questions; the breakdown is the council's.
        with_breakdown=False,
    )
