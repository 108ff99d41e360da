"""Announcing a survey to the subscribers of the notice board, through the notification
service (notifications/) and its audience "board": one dispatch per survey, to the confirmed
subscribers of the Ortschaften it addresses, or to all of them when it addresses the whole
municipality.

Subscribers are matched as for any news without a kind or category: those who chose only
some kinds of notice get it too, those who narrowed their subscription to some categories
(topics) do not.
"""

import logging
import re
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing

from notifications.fanout import dispatch_create
from notifications.models import Dispatch

from .models import SurveyPage

logger = logging.getLogger(__name__)

# The subscribers of the notice board (registered by notices.audience), by name.
BOARD_AUDIENCE = "board"

# What the e-mail quotes of the introduction: its first sentences, as a teaser is long.
SUMMARY_LENGTH = 300
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

NOT_LIVE = _("Please publish the survey first: only a published survey can be announced.")
RESTRICTED = _(
    "This survey is visible only to some visitors (it has a view restriction), so it cannot "
    "be announced to all subscribers."
)
CLOSED = _("This survey has closed; an announcement now would invite answers nobody can send.")


def announcement_permitted(*, user, survey: SurveyPage) -> bool:
    """Staff who may publish the survey may announce it: an e-mail to the subscribers makes it
    as public as its publication, as with a notice (the Gemeinderat may not)."""
    return bool(user.is_authenticated and survey.permissions_for_user(user).can_publish())


def survey_announcement(*, survey: SurveyPage) -> Dispatch | None:
    """The dispatch that announced the survey, if it was announced."""
    return Dispatch.objects.filter(
        source_type=ContentType.objects.get_for_model(SurveyPage, for_concrete_model=False),
        source_id=survey.pk,
        is_update=False,
    ).first()


def _introduction_start(survey: SurveyPage) -> str:
    text = " ".join(get_text_for_indexing(survey.introduction).split())
    summary = ""
    for sentence in SENTENCE_END.split(text):
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > SUMMARY_LENGTH:
            break
        summary = candidate
    return Truncator(summary).chars(SUMMARY_LENGTH)


def survey_announcement_summary(*, survey: SurveyPage, now: datetime | None = None) -> str:
    """The e-mail's plain text summary: the introduction's first sentences and the period."""
    now = now or timezone.now()
    closes = date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
    if survey.has_opened(now):
        period = gettext("You can take part until %(closes)s.") % {"closes": closes}
    else:
        opens = date_format(timezone.localtime(survey.opens_at), "DATETIME_FORMAT")
        period = gettext("You can take part from %(opens)s to %(closes)s.") % {
            "opens": opens,
            "closes": closes,
        }
    return " ".join(part for part in (_introduction_start(survey), period) if part)


def survey_check_announceable(*, survey: SurveyPage, now: datetime | None = None) -> None:
    """ValidationError unless the survey may be announced to all subscribers now."""
    if not survey.live:
        raise ValidationError(NOT_LIVE, code="not_live")
    if survey.get_view_restrictions().exists():
        raise ValidationError(RESTRICTED, code="restricted")
    if (now or timezone.now()) >= survey.closes_at:
        raise ValidationError(CLOSED, code="closed")


def survey_announce(*, survey: SurveyPage, now: datetime | None = None) -> Dispatch | None:
    """Announce the survey to the subscribers it concerns, once; None if it was before.

    ValidationError if it cannot be announced (not published, restricted, closed).
    """
    now = now or timezone.now()
    survey_check_announceable(survey=survey, now=now)
    # The e-mail is in the citizens' language, whatever language the admin shows its user.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        # Two announcements at the same moment: the second waits for the first's lock and
        # then finds its dispatch, instead of tripping over the unique constraint.
        list(Page.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
        dispatch = dispatch_create(
            audience=BOARD_AUDIENCE,
            source=survey,
            site=survey.get_site(),
            label=gettext("Survey"),
            title=survey.title,
            summary=survey_announcement_summary(survey=survey, now=now),
            url=survey.get_full_url(),
            ortschaften=survey.ortschaften.all(),
        )
    if dispatch is not None:
        logger.info("Announced survey %s in dispatch %s", survey.pk, dispatch.pk)
    return dispatch
