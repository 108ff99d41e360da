"""Demo surveys for `seed_demo`: one open for answers, one closed with published results, so
that a newcomer sees both sides (and the council's results in the admin)."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from website.models import HomePage, Ortschaft

from .answering import answer_rows
from .models import Answer, Response, ResultsPublication, SurveyPage, WayOfTakingPart
from .tallies import tally_recount

CLOSED_SURVEY_RESPONSES = 240
FREE_TEXTS = [
    "Bitte auch am Samstagvormittag öffnen.",
    "Mehr Bücher in großer Schrift wären schön.",
    "Ein Lesecafé im Sommer!",
    "Die Rückgabe außerhalb der Öffnungszeiten würde mir sehr helfen.",
]


def question(kind: str, text: str, *, choices=(), **value) -> dict:
    """One question in the stream's stored form, with new ids for the question and choices."""
    value = {"text": text, "help_text": "", "is_required": True, **value}
    if choices:
        value["choices"] = [
            {"type": "item", "value": label, "id": str(uuid.uuid4())} for label in choices
        ]
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def playground_questions() -> list[dict]:
    """One question of each type (the tests' questionnaire too)."""
    return [
        question(
            "single_choice",
            "Wo soll der neue Spielplatz entstehen?",
            choices=["Am Mühlenberg", "Im Ortskern", "Am Sportplatz"],
        ),
        question(
            "multiple_choice",
            "Was soll der Spielplatz bieten?",
            choices=["Schaukeln", "Sandkasten", "Klettergerüst", "Bänke"],
            max_choices=2,
            help_text="Denken Sie an alle Altersgruppen.",
        ),
        question(
            "rating",
            "Wie zufrieden sind Sie mit den Spielplätzen heute?",
            min_value=1,
            max_value=5,
            min_label="gar nicht zufrieden",
            max_label="sehr zufrieden",
        ),
        question("yes_no", "Würden Sie beim Bau mithelfen?"),
        question("free_text", "Was möchten Sie uns noch sagen?", max_length=200, is_required=False),
    ]


def library_questions() -> list[dict]:
    return [
        question(
            "single_choice",
            "Wie oft besuchen Sie die Gemeindebibliothek?",
            choices=["Jede Woche", "Jeden Monat", "Seltener", "Nie"],
        ),
        question(
            "multiple_choice",
            "Zu welchen Zeiten würden Sie die Bibliothek besuchen?",
            choices=["Vormittags", "Nachmittags", "Abends", "Am Samstag"],
        ),
        question(
            "rating",
            "Wie zufrieden sind Sie mit dem Angebot?",
            min_value=1,
            max_value=5,
            min_label="gar nicht zufrieden",
            max_label="sehr zufrieden",
        ),
        question("yes_no", "Würden Sie einen Abholdienst für Bücher nutzen?"),
        question("free_text", "Was wünschen Sie sich?", max_length=300, is_required=False),
    ]


def _answers(survey: SurveyPage, chance: random.Random) -> dict:
    """Plausible answers to every question: earlier choices a little more often."""
    answers = {}
    for item in survey.question_list:
        choices = [choice.id for choice in item.choices]
        if item.kind == "single_choice":
            answers[item.id] = chance.choices(choices, weights=range(len(choices) + 1, 1, -1))[0]
        elif item.kind == "multiple_choice":
            answers[item.id] = chance.sample(choices, chance.randint(1, 2))
        elif item.kind == "rating":
            answers[item.id] = chance.choices(range(1, 6), weights=[1, 2, 4, 6, 3])[0]
        elif item.kind == "yes_no":
            answers[item.id] = chance.choice(["yes", "yes", "no"])
        elif chance.random() < 0.03:
            answers[item.id] = chance.choice(FREE_TEXTS)
    return answers


def _closed_survey_answer(survey: SurveyPage) -> None:
    """Made-up responses, stored in bulk: seed_demo runs before many tests."""
    chance = random.Random(survey.pk)  # noqa: S311 (made-up demo answers, no secret)
    ortschaften = [*Ortschaft.objects.all(), None]
    days = (survey.closes_at.date() - survey.opens_at.date()).days
    responses, answers = [], []
    for _number in range(CLOSED_SURVEY_RESPONSES):
        response = Response(
            survey=survey,
            ortschaft=chance.choices(ortschaften, weights=range(len(ortschaften), 0, -1))[0],
            submitted_on=survey.opens_at.date() + timedelta(days=chance.randrange(days)),
            is_paper=chance.random() < 0.15,
        )
        responses.append(response)
        for question_id, value in _answers(survey, chance).items():
            for answer in answer_rows(survey.questions_by_id[question_id], value):
                # Staff reviewed the free texts of the demo: all of them may be shown.
                answer.response, answer.is_published = response, bool(answer.text)
                answers.append(answer)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    tally_recount(survey=survey)
    ResultsPublication.objects.create(
        survey=survey,
        question_ids=[item.id for item in survey.question_list],
    )


@transaction.atomic
def participation_seed_demo(home: HomePage) -> None:
    """Create the demo surveys under the home page, unless they exist."""
    now = timezone.now()
    surveys = home.get_children().type(SurveyPage)
    if not surveys.filter(slug="spielplatz").exists():
        home.add_child(
            instance=SurveyPage(
                title="Spielplatz am Mühlenberg: Ihre Wünsche",
                slug="spielplatz",
                introduction="<p>Die Gemeinde plant einen neuen Spielplatz. Sagen Sie uns, wo "
                "er entstehen und was er bieten soll. Die Umfrage dauert etwa drei Minuten.</p>",
                opens_at=now - timedelta(days=3),
                closes_at=now + timedelta(days=25),
                way_of_taking_part=WayOfTakingPart.OPEN,
                questions=playground_questions(),
            )
        )
    if not surveys.filter(slug="bibliothek").exists():
        survey = home.add_child(
            instance=SurveyPage(
                title="Öffnungszeiten der Gemeindebibliothek",
                slug="bibliothek",
                introduction="<p>Wann soll die Gemeindebibliothek geöffnet sein? Der "
                "Gemeinderat hat die Ergebnisse beraten; hier sind sie.</p>",
                opens_at=now - timedelta(days=50),
                closes_at=now - timedelta(days=10),
                way_of_taking_part=WayOfTakingPart.ACCOUNT,
                questions=library_questions(),
            )
        )
        _closed_survey_answer(survey)
