"""The surveys' section of the home page: `{% open_surveys page ortschaft as surveys %}`."""

from django import template
from django.db import models
from django.utils import timezone
from wagtail.models import PageViewRestriction

from participation.models import SurveyPage
from website.models import HomePage, Ortschaft

register = template.Library()

HOME_SURVEYS = 5


@register.simple_tag
def open_surveys(home: HomePage, ortschaft: Ortschaft | None) -> list[SurveyPage]:
    """The surveys under the home page open now, for the Ortschaft and the whole municipality
    (all of them without one), those closing first first."""
    now = timezone.now()
    # A restriction of the survey itself, in the same query: `public()` would cost one
    # more, and one on the home page applies to the page the visitor is already seeing.
    restricted = PageViewRestriction.objects.filter(page_id=models.OuterRef("pk"))
    surveys = SurveyPage.objects.child_of(home).live().exclude(models.Exists(restricted))
    surveys = surveys.filter(opens_at__lte=now, closes_at__gt=now)
    if ortschaft:
        surveys = surveys.filter(models.Q(ortschaften=None) | models.Q(ortschaften=ortschaft))
    return list(surveys.order_by("closes_at").prefetch_related("ortschaften")[:HOME_SURVEYS])
