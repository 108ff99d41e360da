"""Single-use access codes for surveys answered by letter: generating, checking, normalising.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B),
printed in groups of four: K7QM-4XPR-9T3W. That is about 55 bits, far beyond guessing. Only
an HMAC of each code is stored.
"""

import logging
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .models import AccessCode, SurveyPage, WayOfTakingPart

logger = logging.getLogger(__name__)

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 12
GROUP_LENGTH = 4
MAX_CODES_PER_BATCH = 5000
DIGEST_SALT = "participation.AccessCode.digest"

CODE_MISSING = _("Please enter the access code from your letter.")
CODE_UNKNOWN = _(
    "This access code is not valid for this survey. Please compare it with your letter."
)
CODE_USED = _(
    "This access code has already been used. Each code is good for one answer. If you did "
    "not answer yourself, please contact the municipality."
)


def access_code_normalise(code: str) -> str:
    """The code as stored: capitals, without the dashes and spaces people type in between."""
    return "".join(character for character in code.upper() if character.isalnum())


def access_code_format(code: str) -> str:
    """The code as printed: K7QM-4XPR-9T3W."""
    return "-".join(
        code[start : start + GROUP_LENGTH] for start in range(0, len(code), GROUP_LENGTH)
    )


def access_code_digest(code: str) -> str:
    return salted_hmac(DIGEST_SALT, access_code_normalise(code), algorithm="sha256").hexdigest()


def access_code_check(*, survey: SurveyPage, code: str) -> AccessCode:
    """The unused access code of this survey; ValidationError (on `access_code`) otherwise."""
    normalised = access_code_normalise(code)
    if not normalised:
        raise ValidationError({"access_code": ValidationError(CODE_MISSING, code="code_missing")})
    access_code = None
    if len(normalised) == CODE_LENGTH and set(normalised) <= set(ALPHABET):
        access_code = AccessCode.objects.filter(
            survey=survey, digest=access_code_digest(normalised)
        ).first()
    if access_code is None:
        raise ValidationError({"access_code": ValidationError(CODE_UNKNOWN, code="code_unknown")})
    if access_code.is_used:
        raise ValidationError({"access_code": ValidationError(CODE_USED, code="code_used")})
    return access_code


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def access_codes_generate(*, survey: SurveyPage, count: int) -> list[str]:
    """Create `count` new codes for the survey; the codes, formatted for printing, are returned
    once and never stored in the clear."""
    if survey.way_of_taking_part != WayOfTakingPart.CODE:
        raise ValidationError(
            _("This survey is not answered with access codes; change its way of taking part first.")
        )
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(
            _("Please generate between 1 and %(max)s codes at a time."),
            params={"max": MAX_CODES_PER_BATCH},
        )
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(_new_code())
    batch = uuid.uuid4()
    rows = [
        AccessCode(survey=survey, digest=access_code_digest(code), batch=batch) for code in codes
    ]
    for row in rows:
        # The survey was checked above, and uniqueness is the database's job: checked here,
        # each code would cost a query.
        row.full_clean(exclude=["survey"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        AccessCode.objects.bulk_create(rows)
    logger.info("Generated %s access codes for survey %s (batch %s)", count, survey.pk, batch)
    return sorted(access_code_format(code) for code in codes)
