"""What the council's results say: counts, percentages of those who answered, means, the
breakdown by Ortschaft without groups under 5, participation per day, the embargo, and the
cost in queries."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from participation.answering import response_store
from participation.models import Response
from participation.questions import QuestionKind
from participation.results import (
    OTHER_GROUP,
    ResultsEmbargoed,
    ortschaft_groups,
    survey_results_open,
)
from participation.tallies import tallies_are_exact, tally_recount

pytestmark = pytest.mark.service("postgres")


def respond(survey, answers: dict, *, ortschaft=None, is_paper=False, day=None) -> Response:
    """A response stored and counted as the services store it."""
    return response_store(
        survey=survey,
        cleaned=answers,
        ortschaft=ortschaft,
        submitted_on=day or timezone.localdate(survey.opens_at),
        is_paper=is_paper,
    )


@pytest.fixture
def closed_survey(survey_factory):
    now = timezone.now()
    return survey_factory(opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=1))


@pytest.fixture
def council_member(staff_member):
    return staff_member("Gemeinderat")


def by_kind(survey):
    return {question.kind: question for question in survey.question_list}


def test_counts_and_percentages_are_of_those_who_answered(closed_survey, council_member):
    # given: 4 responses; the free text and one rating left out by one of them each
    q = by_kind(closed_survey)
    single, multiple = q[QuestionKind.SINGLE_CHOICE], q[QuestionKind.MULTIPLE_CHOICE]
    rating, yes_no, text = q[QuestionKind.RATING], q[QuestionKind.YES_NO], q[QuestionKind.FREE_TEXT]
    a, b, c, d = (choice.id for choice in multiple.choices)
    answers = [
        {single.id: single.choices[0].id, multiple.id: [a, b], rating.id: 5, yes_no.id: "yes"},
        {single.id: single.choices[0].id, multiple.id: [a], rating.id: 3, yes_no.id: "no"},
        {single.id: single.choices[1].id, multiple.id: [c], rating.id: 4, yes_no.id: "yes"},
        {single.id: single.choices[0].id, multiple.id: [a, c], yes_no.id: "yes", text.id: "Gut"},
    ]
    for values in answers:
        respond(closed_survey, values)

    # when
    results = survey_results_open(survey=closed_survey, user=council_member)

    # then
    assert results.responses == 4
    by_id = {result.question.id: result for result in results.questions}
    single_rows = [(row.label, row.count, round(row.percent, 1)) for row in by_id[single.id].rows]
    assert single_rows == [
        ("Am Mühlenberg", 3, 75.0),
        ("Im Ortskern", 1, 25.0),
        ("Am Sportplatz", 0, 0.0),
    ]
    # multiple choice: percentages of the 4 who answered, adding up to more than 100
    assert by_id[multiple.id].answered == 4
    assert [(row.count, row.percent) for row in by_id[multiple.id].rows] == [
        (3, 75.0),
        (1, 25.0),
        (2, 50.0),
        (0, 0.0),
    ]
    # rating: three answered, values 3, 4, 5
    assert by_id[rating.id].answered == 3
    assert by_id[rating.id].mean == pytest.approx(4.0)
    assert [row.count for row in by_id[rating.id].rows] == [0, 0, 1, 1, 1]
    assert by_id[rating.id].rows[4].label == "5 (sehr zufrieden)"
    assert [(row.count, row.percent) for row in by_id[yes_no.id].rows] == [(3, 75.0), (1, 25.0)]
    assert by_id[text.id].answered == 1
    assert [answer.text for answer in by_id[text.id].texts] == ["Gut"]


def test_paper_responses_count_and_are_told_apart(closed_survey, council_member):
    single = by_kind(closed_survey)[QuestionKind.SINGLE_CHOICE]
    first_day = timezone.localdate(closed_survey.opens_at)
    respond(closed_survey, {single.id: single.choices[0].id}, day=first_day)
    respond(closed_survey, {single.id: single.choices[0].id}, day=first_day + timedelta(days=2))
    respond(closed_survey, {single.id: single.choices[1].id}, is_paper=True, day=first_day)

    results = survey_results_open(survey=closed_survey, user=council_member)

    assert (results.responses, results.online, results.paper) == (3, 2, 1)
    assert results.questions[0].rows[1].count == 1
    # per day, with the day without answers in between
    assert [(day.day, day.online, day.paper) for day in results.days] == [
        (first_day, 1, 1),
        (first_day + timedelta(days=1), 0, 0),
        (first_day + timedelta(days=2), 1, 0),
    ]


@pytest.mark.parametrize(
    "per_ortschaft, expected",
    [
        # all shown; nobody without an Ortschaft
        ({"barleben": 7, "ebendorf": 5}, [("Barleben", 7), ("Ebendorf", 5)]),
        # Meitzendorf (3) folds into other/unknown, which then has 3 + 2 = 5
        (
            {"barleben": 9, "ebendorf": 6, "meitzendorf": 3, None: 2},
            [("Barleben", 9), ("Ebendorf", 6), (OTHER_GROUP, 5)],
        ),
        # other/unknown would have 2, which the totals would reveal: the smallest (Ebendorf)
        # joins it
        (
            {"barleben": 9, "ebendorf": 6, "meitzendorf": 2},
            [("Barleben", 9), (OTHER_GROUP, 8)],
        ),
        # only one group would be left: no breakdown at all
        ({"barleben": 4, "ebendorf": 3, None: 1}, [(OTHER_GROUP, 8)]),
        ({"barleben": 12, None: 2}, [(OTHER_GROUP, 14)]),
    ],
)
def test_groups_under_five_are_never_shown(ortschaften, per_ortschaft, expected):
    counts = {(ortschaften[slug].pk if slug else None): n for slug, n in per_ortschaft.items()}

    groups = ortschaft_groups(counts)

    assert [(label, sum(counts[pk] for pk in members)) for label, members in groups] == [
        (str(label), count) for label, count in expected
    ]
    # every response is in exactly one group
    assert sorted(pk or 0 for _label, members in groups for pk in members) == sorted(
        pk or 0 for pk in counts
    )


def test_breakdown_shows_each_group_with_its_own_percentages(
    closed_survey, council_member, ortschaften
):
    yes_no = by_kind(closed_survey)[QuestionKind.YES_NO]
    for _ in range(5):
        respond(closed_survey, {yes_no.id: "yes"}, ortschaft=ortschaften["barleben"])
    for answer in ["yes", "no", "no", "no", "no", "no"]:
        respond(closed_survey, {yes_no.id: answer}, ortschaft=ortschaften["ebendorf"])
    # 2 from Meitzendorf: too few to show, and too few for other/unknown on their own
    respond(closed_survey, {yes_no.id: "yes"}, ortschaft=ortschaften["meitzendorf"])
    respond(closed_survey, {yes_no.id: "yes"}, ortschaft=ortschaften["meitzendorf"])

    results = survey_results_open(survey=closed_survey, user=council_member)

    assert [(group.label, group.responses) for group in results.groups] == [
        ("Ebendorf", 6),
        (str(OTHER_GROUP), 7),
    ]
    breakdown = next(r for r in results.questions if r.question.id == yes_no.id).breakdown
    assert [group.label for group in breakdown.groups] == ["Ebendorf", str(OTHER_GROUP)]
    assert [(cell.count, round(cell.percent, 1)) for cell in breakdown.rows[0].cells] == [
        (1, 16.7),
        (7, 100.0),
    ]
    assert all(
        "Meitzendorf" not in group.label and "Barleben" not in group.label
        for group in breakdown.groups
    )


def test_free_texts_have_no_breakdown(closed_survey, council_member, ortschaften):
    text = by_kind(closed_survey)[QuestionKind.FREE_TEXT]
    for slug in ("barleben", "ebendorf"):
        for _ in range(5):
            respond(closed_survey, {text.id: "Mehr Bänke"}, ortschaft=ortschaften[slug])

    results = survey_results_open(survey=closed_survey, user=council_member)

    result = next(r for r in results.questions if r.question.id == text.id)
    assert result.breakdown is None
    assert len(results.groups) == 2


def test_new_responses_are_counted_at_once(closed_survey, council_member):
    """The counts are kept with the answers: the next response changes them."""
    single = by_kind(closed_survey)[QuestionKind.SINGLE_CHOICE]
    respond(closed_survey, {single.id: single.choices[0].id})
    assert survey_results_open(survey=closed_survey, user=council_member).responses == 1

    respond(closed_survey, {single.id: single.choices[2].id}, is_paper=True)

    results = survey_results_open(survey=closed_survey, user=council_member)
    assert (results.responses, results.paper, results.questions[0].rows[2].count) == (2, 1, 1)


# --- the embargo ---------------------------------------------------------------------------


def test_nobody_gets_the_results_of_an_open_survey(survey_factory, council_member):
    survey = survey_factory()  # open since yesterday

    with pytest.raises(ResultsEmbargoed) as raised:
        survey_results_open(survey=survey, user=council_member)
    assert raised.value.closes_at == survey.closes_at


def test_results_visible_while_open_when_set_up_so(survey_factory, council_member):
    survey = survey_factory(results_visible_while_open=True)
    single = by_kind(survey)[QuestionKind.SINGLE_CHOICE]
    respond(survey, {single.id: single.choices[0].id})

    assert survey_results_open(survey=survey, user=council_member).responses == 1


@pytest.mark.parametrize("group", ["Redaktion", "Freigabe"])
def test_the_service_refuses_staff_without_the_permission(closed_survey, staff_member, group):
    with pytest.raises(PermissionDenied):
        survey_results_open(survey=closed_survey, user=staff_member(group))


def test_the_embargo_ends_when_the_survey_closes(survey_factory, council_member):
    survey = survey_factory()

    results = survey_results_open(
        survey=survey, user=council_member, now=survey.closes_at + timedelta(seconds=1)
    )

    assert results.responses == 0


# --- what it costs ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 60])
def test_results_cost_the_same_queries_for_few_and_many_answers(
    closed_survey, council_member, ortschaften, django_assert_max_num_queries, size
):
    q = by_kind(closed_survey)
    slugs = list(ortschaften)
    for n in range(size):
        respond(
            closed_survey,
            {
                q[QuestionKind.SINGLE_CHOICE].id: q[QuestionKind.SINGLE_CHOICE].choices[n % 3].id,
                q[QuestionKind.MULTIPLE_CHOICE].id: [q[QuestionKind.MULTIPLE_CHOICE].choices[0].id],
                q[QuestionKind.RATING].id: 1 + n % 5,
                q[QuestionKind.YES_NO].id: "yes",
                q[QuestionKind.FREE_TEXT].id: f"Antwort {n}",
            },
            ortschaft=ortschaften[slugs[n % 3]],
            is_paper=n % 7 == 0,
            day=date(2026, 11, 1) + timedelta(days=n % 10),
        )

    # the user's permissions (2), the free texts, the counts, the Ortschaften, and the audit
    # log entry (3 checks, insert)
    with django_assert_max_num_queries(9):
        results = survey_results_open(survey=closed_survey, user=council_member)
    assert results.responses == size


def test_the_counts_kept_are_those_of_a_recount(closed_survey, council_member, ortschaften):
    q = by_kind(closed_survey)
    multiple, rating = q[QuestionKind.MULTIPLE_CHOICE], q[QuestionKind.RATING]
    places = [*ortschaften.values(), None]
    for n in range(12):
        respond(
            closed_survey,
            {multiple.id: [c.id for c in multiple.choices[: 1 + n % 3]], rating.id: 1 + n % 5},
            ortschaft=places[n % len(places)],
            is_paper=n % 4 == 0,
        )
    before = survey_results_open(survey=closed_survey, user=council_member)

    assert tallies_are_exact(survey=closed_survey)
    tally_recount(survey=closed_survey)
    assert survey_results_open(survey=closed_survey, user=council_member) == before
