"""Codes sent by e-mail that confirm a step of a logged-in citizen (deleting the account),
for whoever logs in by code and has no password at hand.

A code is kept in the citizen's session as a keyed hash, with when it was sent and how
often it was entered wrongly: like a log-in code it is valid for
ACCOUNT_LOGIN_BY_CODE_TIMEOUT, and ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS wrong tries end it.
"""

import enum
import logging
import secrets
import time
from datetime import UTC, datetime

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger(__name__)

SESSION_KEY = "confirmation_code"


class CodeCheck(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"
    # Expired, too many wrong tries, or none sent.
    ENDED = "ended"


def _digest(purpose: str, code: str) -> str:
    return salted_hmac(f"accounts.confirmation_codes.{purpose}", code).hexdigest()


def _pending(session: SessionBase, purpose: str) -> dict | None:
    state = session.get(SESSION_KEY)
    if not state or state.get("purpose") != purpose:
        return None
    if time.time() - state["sent_at"] > settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT:
        return None
    return state


def confirmation_code_valid_until(*, session: SessionBase, purpose: str) -> datetime | None:
    """Until when the code sent for this purpose is valid; None if there is none (any more)."""
    state = _pending(session, purpose)
    if state is None:
        return None
    return datetime.fromtimestamp(state["sent_at"] + settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT, UTC)


def confirmation_code_send(
    *, request: HttpRequest, user: AbstractBaseUser, purpose: str, template_prefix: str
) -> datetime:
    """Send a new code to the account's primary address; returns until when it is valid.

    A code sent before for the same session ends: only the newest one counts.
    """
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_KEY] = {
        "purpose": purpose,
        "digest": _digest(purpose, code),
        "sent_at": time.time(),
        "wrong_tries": 0,
    }
    valid_until = confirmation_code_valid_until(session=request.session, purpose=purpose)
    address = EmailAddress.objects.get_primary(user)
    email = address.email if address else user.email
    get_adapter(request).send_mail(
        template_prefix, email, {"code": code, "valid_until": valid_until}
    )
    logger.info("Sent a confirmation code (%s) to account %s", purpose, user.pk)
    return valid_until


def confirmation_code_check(*, session: SessionBase, purpose: str, code: str) -> CodeCheck:
    """Whether the code is the one sent; wrong ones are counted. A right one stays valid
    while it lasts: the step it confirms may fail for another reason (a missing tick)."""
    state = _pending(session, purpose)
    if state is None:
        return CodeCheck.ENDED
    if constant_time_compare(state["digest"], _digest(purpose, code.strip())):
        return CodeCheck.RIGHT
    state["wrong_tries"] += 1
    if state["wrong_tries"] >= settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS:
        del session[SESSION_KEY]
        logger.warning("Confirmation code (%s) ended after wrong tries", purpose)
        return CodeCheck.ENDED
    session[SESSION_KEY] = state
    return CodeCheck.WRONG
