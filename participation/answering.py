"""Answering a survey: checking a submission against its questions, and storing it once.

Every refusal is a ValidationError with a message for the citizen, raised before anything is
written: errors about one question are keyed by the question's id, errors about the access
code by `access_code`, about the Ortschaft by `ortschaft`.
"""

import logging
from collections.abc import Mapping
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from website.models import Ortschaft

from .access_codes import CODE_USED, access_code_check
from .models import AccessCode, Answer, Participation, Response, SurveyPage, WayOfTakingPart
from .questions import Question, QuestionKind
from .tallies import tally_add

logger = logging.getLogger(__name__)

PARTICIPATION_KEY_SALT = "participation.Participation.key"

REQUIRED = _("Please answer this question.")
INVALID_CHOICE = _("This answer is not one of the choices. Please choose again.")
TOO_MANY_CHOICES = _("Please choose at most %(max)s answers (you chose %(count)s).")
TOO_LONG = _("Please shorten your answer to at most %(max)s characters (it has %(length)s).")
INVALID_RATING = _("Please choose a value from %(min)s to %(max)s.")
UNKNOWN_QUESTION = _(
    "Some of the answers sent do not belong to this survey. Nothing has been saved; please "
    "fill in the form again."
)
NOT_OPEN_YET = _("This survey opens on %(opens)s. Answers can be sent from then on.")
CLOSED = _("This survey closed on %(closes)s. Answers can no longer be sent.")
ALREADY_ANSWERED = _("You have already answered this survey. Each person can answer once.")
ACCOUNT_REQUIRED = _(
    "This survey is answered with a citizen account whose e-mail address is confirmed. "
    "Please log in, or confirm your e-mail address."
)
ORTSCHAFT_OUTSIDE_AUDIENCE = _(
    "This survey is for %(names)s. Please choose one of them, or give no Ortschaft."
)


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def survey_check_open(*, survey: SurveyPage, now: datetime | None = None) -> None:
    """ValidationError unless the survey takes answers at this moment."""
    now = now or timezone.now()
    if not survey.has_opened(now):
        raise ValidationError(
            NOT_OPEN_YET, code="not_open_yet", params={"opens": _local(survey.opens_at)}
        )
    if not survey.is_open(now):
        raise ValidationError(CLOSED, code="closed", params={"closes": _local(survey.closes_at)})


def _normalise_text(text: str) -> str:
    # Browsers send a line break in a text area as CRLF; the limit counts it as one character,
    # as the browser's own counter does.
    return text.replace("\r\n", "\n").strip()


def _clean_one(question: Question, value: object) -> object:
    """The answer in its stored form (None when not given); ValidationError if it is invalid."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = value if isinstance(value, list | tuple) else [value]
        choices = list(dict.fromkeys(str(item) for item in values if item not in (None, "")))
        if not choices:
            return None
        if not set(choices) <= question.choice_ids:
            raise ValidationError(INVALID_CHOICE, code="invalid_choice")
        if question.max_choices and len(choices) > question.max_choices:
            raise ValidationError(
                TOO_MANY_CHOICES,
                code="too_many_choices",
                params={"max": question.max_choices, "count": len(choices)},
            )
        return choices
    if value is None or isinstance(value, list | tuple | dict):
        if value:
            raise ValidationError(INVALID_CHOICE, code="invalid_choice")
        return None
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        choice = str(value)
        if not choice:
            return None
        if choice not in question.choice_ids:
            raise ValidationError(INVALID_CHOICE, code="invalid_choice")
        return choice
    if question.kind == QuestionKind.RATING:
        if value == "":
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not question.min_value <= number <= question.max_value:
            raise ValidationError(
                INVALID_RATING,
                code="invalid_rating",
                params={"min": question.min_value, "max": question.max_value},
            )
        return number
    text = _normalise_text(str(value))
    if not text:
        return None
    if len(text) > question.max_length:
        raise ValidationError(
            TOO_LONG, code="too_long", params={"max": question.max_length, "length": len(text)}
        )
    return text


def survey_answers_clean(*, survey: SurveyPage, answers: Mapping[str, object]) -> dict:
    """The answers (question id → choice id, list of choice ids, number or text) checked
    against the survey's questions, without the questions left unanswered."""
    questions = survey.questions_by_id
    if not set(answers) <= set(questions):
        # Ids of no question of this survey: tampered with, or sent for another survey.
        raise ValidationError(UNKNOWN_QUESTION, code="unknown_question")
    cleaned, errors = {}, {}
    for question in survey.question_list:
        try:
            value = _clean_one(question, answers.get(question.id))
        except ValidationError as error:
            errors[question.id] = error
            continue
        if value is None:
            if question.is_required:
                errors[question.id] = ValidationError(REQUIRED, code="required")
        else:
            cleaned[question.id] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def survey_check_ortschaft(*, survey: SurveyPage, ortschaft: Ortschaft | None) -> None:
    audience = list(survey.ortschaften.all())
    if ortschaft is not None and audience and ortschaft not in audience:
        names = ", ".join(o.name for o in audience)
        raise ValidationError(
            {
                "ortschaft": ValidationError(
                    ORTSCHAFT_OUTSIDE_AUDIENCE, code="ortschaft", params={"names": names}
                )
            }
        )


def account_may_answer(user) -> bool:
    """A citizen account with a confirmed e-mail address (allauth)."""
    return bool(
        user is not None
        and user.is_authenticated
        and EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def participation_key(*, survey: SurveyPage, identity: str) -> str:
    """The HMAC that stands for one person in one survey; `identity` is e.g. "account:42"."""
    value = f"{survey.pk}:{identity}"
    return salted_hmac(PARTICIPATION_KEY_SALT, value, algorithm="sha256").hexdigest()


def account_identity(user) -> str:
    return f"account:{user.pk}"


def browser_identity(token: str) -> str:
    return f"browser:{token}"


def survey_has_participated(*, survey: SurveyPage, identity: str) -> bool:
    key = participation_key(survey=survey, identity=identity)
    return Participation.objects.filter(survey=survey, key=key).exists()


def answer_rows(question: Question, value: object) -> list[Answer]:
    """The rows one checked answer is stored in (one per chosen choice)."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [Answer(question_id=question.id, choice_id=choice) for choice in value]
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        return [Answer(question_id=question.id, choice_id=value)]
    if question.kind == QuestionKind.RATING:
        return [Answer(question_id=question.id, number=value)]
    return [Answer(question_id=question.id, text=value)]


def response_store(
    *,
    survey: SurveyPage,
    cleaned: dict[str, object],
    ortschaft: Ortschaft | None,
    submitted_on: date,
    is_paper: bool = False,
) -> Response:
    """Store one response with its answers (checked answers, as survey_answers_clean gives
    them) and count it; call it in the transaction that also records the participation, if
    any, as its last step: the counts' rows are locked until the transaction ends."""
    response = Response(
        survey=survey, ortschaft=ortschaft, is_paper=is_paper, submitted_on=submitted_on
    )
    response.full_clean(exclude=["survey", "ortschaft"])
    response.save(force_insert=True)
    rows = []
    for question_id, value in cleaned.items():
        rows.extend(answer_rows(survey.questions_by_id[question_id], value))
    for row in rows:
        row.response = response
        row.full_clean(exclude=["response"])
    Answer.objects.bulk_create(rows)
    tally_add(survey=survey, response=response, answers=rows)
    return response


def survey_answer_submit(
    *,
    survey: SurveyPage,
    answers: Mapping[str, object],
    ortschaft: Ortschaft | None = None,
    user=None,
    access_code: str = "",
    browser_token: str = "",
    now: datetime | None = None,
) -> Response:
    """Store a citizen's answers exactly once; ValidationError, and nothing stored, otherwise.

    Who answers depends on the survey's way of taking part: the verified account `user`, the
    `access_code` from the letter, or the browser's random `browser_token` (open surveys).
    The participation record and the response are written in one transaction: the unique
    key of the participation turns a second answer, also one sent at the same moment, into
    an error and rolls the response back.
    """
    now = now or timezone.now()
    survey_check_open(survey=survey, now=now)
    cleaned = survey_answers_clean(survey=survey, answers=answers)
    survey_check_ortschaft(survey=survey, ortschaft=ortschaft)
    way = survey.way_of_taking_part
    if way == WayOfTakingPart.ACCOUNT and not account_may_answer(user):
        raise ValidationError(ACCOUNT_REQUIRED, code="account_required")
    if way == WayOfTakingPart.OPEN and not browser_token:
        # The view always gives one; without it every answer would count as the same person.
        raise ValueError("an open survey needs the browser's token")
    with transaction.atomic():
        if way == WayOfTakingPart.CODE:
            code = access_code_check(survey=survey, code=access_code)
            # Conditional, so of two answers with one code at the same moment only one wins:
            # the second waits for the first's row lock and then finds the code used.
            if not AccessCode.objects.filter(pk=code.pk, is_used=False).update(is_used=True):
                raise ValidationError({"access_code": ValidationError(CODE_USED, code="code_used")})
            identity = f"code:{code.pk}"
            already_answered = ValidationError(
                {"access_code": ValidationError(CODE_USED, code="code_used")}
            )
        else:
            identity = (
                account_identity(user)
                if way == WayOfTakingPart.ACCOUNT
                else browser_identity(browser_token)
            )
            already_answered = ValidationError(ALREADY_ANSWERED, code="already_answered")
        participation = Participation(
            survey=survey, key=participation_key(survey=survey, identity=identity)
        )
        # Uniqueness is left to the constraint: a check beforehand could not see an answer
        # being stored at the same moment.
        participation.full_clean(
            exclude=["survey"], validate_unique=False, validate_constraints=False
        )
        try:
            with transaction.atomic():
                participation.save(force_insert=True)
        except IntegrityError:
            raise already_answered from None
        response = response_store(
            survey=survey,
            cleaned=cleaned,
            ortschaft=ortschaft,
            submitted_on=timezone.localdate(now),
        )
    logger.info("Stored a response to survey %s", survey.pk)
    return response


def error_code(error: ValidationError) -> str | None:
    """The code of the first error, wherever it is keyed."""
    if hasattr(error, "error_dict"):
        first = next(iter(error.error_dict.values()))[0]
        return first.code
    return error.error_list[0].code
