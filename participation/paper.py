"""Answers from paper forms, typed in by staff.

A paper form goes through the checks of an answer given online (participation/answering.py):
a form with a required question left out, too many crosses or an Ortschaft outside the
survey's audience is refused like the same answer online, so that paper and online answers
count alike. It is stored as a `Response` marked `is_paper`, and each entry is recorded in
Wagtail's audit log with the staff member, never with the response it created.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from website.models import Ortschaft

from .answering import response_store, survey_answers_clean, survey_check_ortschaft
from .models import Response, SurveyPage

logger = logging.getLogger(__name__)

PAPER_ANSWER_ACTION = "participation.paper_answer"
# Those who run a survey's offline side (the letters with access codes: Redaktion and
# Administration) also type in its paper forms; the Gemeinderat reads answers and may not
# write them. The page permission keeps each editor to the surveys they may edit.
PAPER_ENTRY_PERMISSION = "participation.add_accesscode"
# Forms handed in or posted before the closing reach the town hall and are typed in during
# the days after it; two weeks cover the post and the typing, and the results settle soon.
PAPER_ENTRY_GRACE = timedelta(days=14)

PAPER_NOT_OPEN_YET = _("This survey opens on %(opens)s. Paper forms can be entered from then on.")
PAPER_CLOSED = _(
    "Paper forms could be entered until %(ends)s, %(days)s days after the survey closed. This "
    "form can no longer be counted."
)


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def paper_entry_permitted(*, user, survey: SurveyPage) -> bool:
    """May this staff member type in paper forms of this survey?"""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm(PAPER_ENTRY_PERMISSION)
        and survey.permissions_for_user(user).can_edit()
    )


def paper_entry_ends_at(survey: SurveyPage) -> datetime:
    return survey.closes_at + PAPER_ENTRY_GRACE


def paper_entry_is_open(*, survey: SurveyPage, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.has_opened(now) and now < paper_entry_ends_at(survey)


def paper_entry_check_open(*, survey: SurveyPage, now: datetime | None = None) -> None:
    """ValidationError unless paper forms of the survey may be entered at this moment."""
    now = now or timezone.now()
    if not survey.has_opened(now):
        raise ValidationError(
            PAPER_NOT_OPEN_YET, code="not_open_yet", params={"opens": _local(survey.opens_at)}
        )
    if now >= paper_entry_ends_at(survey):
        raise ValidationError(
            PAPER_CLOSED,
            code="closed",
            params={"ends": _local(paper_entry_ends_at(survey)), "days": PAPER_ENTRY_GRACE.days},
        )


def survey_paper_answer_enter(
    *,
    survey: SurveyPage,
    answers: Mapping[str, object],
    user,
    ortschaft: Ortschaft | None = None,
    now: datetime | None = None,
) -> Response:
    """Store the answers of one paper form; ValidationError, and nothing stored, otherwise.

    No participation record is written: it stands for a person (an account, a code, a
    browser), and a paper form names nobody. One form per person is ensured where the forms
    are handed out and collected, and the results tell paper answers apart (`is_paper`).
    """
    if not paper_entry_permitted(user=user, survey=survey):
        raise PermissionDenied
    now = now or timezone.now()
    paper_entry_check_open(survey=survey, now=now)
    cleaned = survey_answers_clean(survey=survey, answers=answers)
    survey_check_ortschaft(survey=survey, ortschaft=ortschaft)
    # A form typed in after the closing was handed in before it: it counts on the closing
    # day at the latest, so participation over time stays within the survey's period.
    submitted_on = min(timezone.localdate(now), timezone.localdate(survey.closes_at))
    with transaction.atomic():
        # Who entered a form and when, against the survey: no data, so the entry cannot be
        # matched to the response it created.
        log(instance=survey, action=PAPER_ANSWER_ACTION, user=user)
        response = response_store(
            survey=survey,
            cleaned=cleaned,
            ortschaft=ortschaft,
            submitted_on=submitted_on,
            is_paper=True,
        )
    logger.info("Staff member %s entered a paper answer to survey %s", user.pk, survey.pk)
    return response
