"""Factories for surveys: `SurveyPageFactory(parent=home, way_of_taking_part="code")` is an
open survey (running since yesterday, for two weeks) with one question of each type."""

import uuid
from datetime import timedelta

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from participation.models import SurveyPage


def question(kind: str, text: str, *, choices=(), **value) -> dict:
    """One question in the stream's stored form, with fixed ids for the question and choices."""
    value = {"text": text, "help_text": "", "is_required": True, **value}
    if choices:
        value["choices"] = [
            {"type": "item", "value": label, "id": str(uuid.uuid4())} for label in choices
        ]
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def standard_questions() -> list[dict]:
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


class SurveyPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SurveyPage

    title = factory.Sequence(lambda number: f"Umfrage zum Spielplatz {number}")
    slug = factory.LazyAttribute(lambda survey: slugify(survey.title))
    introduction = "<p>Die Gemeinde plant einen neuen Spielplatz.</p>"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    way_of_taking_part = "open"
    questions = factory.LazyFunction(standard_questions)


class CitizenFactory(factory.django.DjangoModelFactory):
    """A citizen account with a confirmed e-mail address; `is_verified=False` for one without."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"buerger{number}")
    email = factory.Sequence(lambda number: f"buerger{number}@example.org")

    @factory.post_generation
    def is_verified(self, create, extracted, **kwargs):
        if create:
            verified = True if extracted is None else extracted
            EmailAddress.objects.create(
                user=self, email=self.email, verified=verified, primary=True
            )
