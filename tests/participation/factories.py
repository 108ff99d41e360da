"""Factories for surveys: `SurveyPageFactory(parent=home, way_of_taking_part="code")` is an
open survey (running since yesterday, for two weeks) with one question of each type."""

from datetime import timedelta

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from participation.demo import playground_questions
from participation.models import SurveyPage


class SurveyPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SurveyPage

    title = factory.Sequence(lambda number: f"Umfrage zum Spielplatz {number}")
    slug = factory.LazyAttribute(lambda survey: slugify(survey.title))
    introduction = "<p>Die Gemeinde plant einen neuen Spielplatz.</p>"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    way_of_taking_part = "open"
    questions = factory.LazyFunction(playground_questions)


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
