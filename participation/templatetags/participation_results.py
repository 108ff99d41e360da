"""The published results on the survey page, where the page shows that the survey closed."""

from django import template

from participation.models import SurveyPage
from participation.results import SurveyResults, survey_results_published

register = template.Library()


@register.simple_tag
def published_results(survey: SurveyPage) -> SurveyResults | None:
    """`{% published_results survey as results %}`: None while there is nothing to show."""
    return survey_results_published(survey=survey)
