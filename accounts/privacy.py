"""What the portal holds about a citizen account, and the citizen's control of it (DSGVO).

- The overview of an account (its subscriptions, saved searches and the surveys it took part
  in) and the profile (name, Ortschaft).
- `account_data_export`: everything held about an account, as data for a JSON download
  (Art. 15 and 20 DSGVO).
- `account_delete`: the account and every trace of its addresses (Art. 17 DSGVO), confirmed
  by the password or by a code sent to the account's address.
- Retention: what is no longer needed is deleted by periodic jobs (website.tasks,
  CELERY_BEAT_SCHEDULE); the periods are the constants below.

Only *verified* addresses of an account count as the citizen's: anybody can add an address
to their account without owning it, so an unverified one must neither show nor delete the
subscriptions, saved searches or barrier reports of whoever owns it.
"""

import logging
from datetime import datetime, timedelta
from importlib import import_module

from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.models import SavedSearch
from notices.models import Subscription
from notifications.audiences import audiences
from notifications.models import Delivery, DigestEntry
from notifications.recipients import recipients_forget
from participation.answering import account_identity, participation_key
from participation.models import Participation, SurveyPage, WayOfTakingPart
from website.models import BarrierReport, Ortschaft

from .confirmation_codes import (
    CodeCheck,
    confirmation_code_check,
    confirmation_code_send,
    confirmation_code_valid_until,
)
from .models import CitizenProfile

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "barleben-portal-account-export/1"

# Retention periods (the table is in the README's security section).
UNVERIFIED_ACCOUNT_RETENTION = timedelta(days=30)
DELIVERY_RETENTION = timedelta(days=90)
BARRIER_REPORT_RETENTION = timedelta(days=365)

NOT_CONFIRMED = _("Please tick the box to confirm that your account should be deleted.")
WRONG_PASSWORD = _("The password is not correct. Please enter the password of your account.")
WRONG_CODE = _("The code is not correct. Please enter the code from the e-mail.")
CODE_ENDED = _(
    "The code is no longer valid: it was entered wrongly too often, or its time ran out. "
    "Please have a new code sent."
)
DELETE_PURPOSE = "account_delete"
STAFF_ACCOUNT = _(
    "This account belongs to a member of staff or of the council. It cannot be deleted here; "
    "please ask the administration of the municipality."
)

FINISHED = [Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.CANCELLED]


# --- What an account holds ---------------------------------------------------------------


def account_addresses(*, user: AbstractBaseUser) -> list[str]:
    """The account's verified addresses, in the lower case subscriptions are stored in."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return sorted({email.strip().lower() for email in emails})


def _of_addresses(addresses: list[str]) -> Q:
    # Subscriptions and saved searches store the address in lower case; iexact for rows
    # written before that rule, one condition per address (a handful per account).
    condition = Q(pk__in=[])
    for address in addresses:
        condition |= Q(email__iexact=address)
    return condition


def account_subscriptions(*, user: AbstractBaseUser) -> QuerySet[Subscription]:
    """The subscriptions of the account's verified addresses, on every site, also those
    signed up for by e-mail without the account."""
    return (
        Subscription.objects.filter(_of_addresses(account_addresses(user=user)))
        .select_related("site")
        .prefetch_related("ortschaften", "kinds", "categories")
        .order_by("signed_up_at", "pk")
    )


def account_saved_searches(*, user: AbstractBaseUser) -> QuerySet[SavedSearch]:
    """The saved searches of the account's verified addresses, on every site."""
    return (
        SavedSearch.objects.filter(_of_addresses(account_addresses(user=user)))
        .select_related("site", "document_type", "issuing_body", "ortschaft")
        .order_by("signed_up_at", "pk")
    )


def account_survey_participations(*, user: AbstractBaseUser) -> list[SurveyPage]:
    """The surveys this account took part in, newest first.

    Nothing links an account to its participations: the key of each survey that is
    answered with an account is computed again and looked up, in one query.
    """
    surveys = SurveyPage.objects.filter(way_of_taking_part=WayOfTakingPart.ACCOUNT)
    identity = account_identity(user)
    keys = {
        participation_key(survey=survey, identity=identity): survey
        for survey in surveys.only("pk", "title", "url_path", "opens_at", "closes_at")
    }
    taken = Participation.objects.filter(key__in=keys).values_list("key", "survey_id")
    participated = [keys[key] for key, survey_id in taken if keys[key].pk == survey_id]
    return sorted(participated, key=lambda survey: survey.opens_at, reverse=True)


def account_profile(*, user: AbstractBaseUser) -> CitizenProfile | None:
    return CitizenProfile.objects.select_related("ortschaft").filter(user=user).first()


def account_profile_update(
    *, user: AbstractBaseUser, name: str, ortschaft: Ortschaft | None
) -> CitizenProfile:
    """Save the citizen's name and Ortschaft (both optional)."""
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().filter(user=user).first()
        profile = profile or CitizenProfile(user=user)
        profile.name = name.strip()
        profile.ortschaft = ortschaft
        profile.full_clean(exclude=["user"])
        profile.save()
    logger.info("Changed the profile of account %s", user.pk)
    return profile


def account_profile_ortschaft_set(*, user: AbstractBaseUser, ortschaft: Ortschaft | None) -> None:
    """Keep the Ortschaft the citizen chose in the header as the account's."""
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().filter(user=user).first()
        if profile is None and ortschaft is None:
            return  # nothing to keep: no profile is made for it
        profile = profile or CitizenProfile(user=user)
        if profile.ortschaft == ortschaft:
            return
        profile.ortschaft = ortschaft
        profile.full_clean(exclude=["user"])
        profile.save()
    logger.info("Changed the Ortschaft of account %s", user.pk)


def account_pending_deliveries(*, addresses: list[str]) -> list[tuple[Delivery, str]]:
    """E-mails to these addresses that the notification outbox has not sent yet, each with
    the address it goes to."""
    pending = []
    for audience in audiences():
        recipients = audience.recipient_model.objects.filter(_of_addresses(addresses))
        emails = dict(recipients.values_list("pk", "email"))
        deliveries = Delivery.objects.filter(
            status=Delivery.Status.PENDING, audience=audience.name, recipient_id__in=list(emails)
        ).select_related("dispatch")
        pending += [(delivery, emails[delivery.recipient_id]) for delivery in deliveries]
    return sorted(pending, key=lambda pair: (pair[0].created_at, pair[0].pk))


# --- Export ------------------------------------------------------------------------------


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _names(items) -> list[str]:
    return [item.name for item in items]


def account_data_export(*, user: AbstractBaseUser) -> dict:
    """Everything the portal holds about an account, as JSON-ready data.

    Survey participations say which surveys, never what was answered: answers are stored
    without any link to a person. The secret tokens of the links in e-mails are left out;
    they are keys, not information about the citizen.
    """
    addresses = account_addresses(user=user)
    profile = account_profile(user=user)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _moment(user.date_joined),
            "last_login": _moment(user.last_login),
            "has_password": user.has_usable_password(),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "profile": {
            "name": profile.name,
            "ortschaft": profile.ortschaft.name if profile.ortschaft else None,
        }
        if profile
        else None,
        "subscriptions": [
            {
                "site": subscription.site.hostname,
                "email": subscription.email,
                "frequency": subscription.frequency,
                "ortschaften": _names(subscription.ortschaften.all()),
                "kinds": _names(subscription.kinds.all()),
                "categories": _names(subscription.categories.all()),
                "signed_up_at": _moment(subscription.signed_up_at),
                "confirmed_at": _moment(subscription.confirmed_at),
                "consent_version": subscription.consent_version,
                "paused_at": _moment(subscription.paused_at),
            }
            for subscription in account_subscriptions(user=user)
        ],
        "saved_searches": [
            {
                "site": saved_search.site.hostname,
                "email": saved_search.email,
                "query": saved_search.query,
                "document_type": getattr(saved_search.document_type, "name", None),
                "issuing_body": getattr(saved_search.issuing_body, "name", None),
                "ortschaft": getattr(saved_search.ortschaft, "name", None),
                "year": saved_search.year,
                "signed_up_at": _moment(saved_search.signed_up_at),
                "confirmed_at": _moment(saved_search.confirmed_at),
                "consent_version": saved_search.consent_version,
                "paused_at": _moment(saved_search.paused_at),
            }
            for saved_search in account_saved_searches(user=user)
        ],
        "survey_participations": [
            {
                "survey": survey.title,
                "opens_at": _moment(survey.opens_at),
                "closes_at": _moment(survey.closes_at),
            }
            for survey in account_survey_participations(user=user)
        ],
        "barrier_reports": [
            {
                "received_at": _moment(report.created_at),
                "message": report.message,
                "location": report.location,
                "name": report.name,
                "email": report.email,
                "is_resolved": report.is_resolved,
            }
            for report in BarrierReport.objects.filter(_of_addresses(addresses)).order_by(
                "created_at", "pk"
            )
        ],
        "pending_emails": [
            {
                "to": email,
                "kind": delivery.kind,
                "about": delivery.dispatch.title if delivery.dispatch else None,
                "created_at": _moment(delivery.created_at),
            }
            for delivery, email in account_pending_deliveries(addresses=addresses)
        ],
    }
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        # Which second factors are set up, never their secrets.
        data["second_factors"] = [
            {"type": authenticator.type, "created_at": _moment(authenticator.created_at)}
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ]
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        data["external_logins"] = [
            {"provider": account.provider, "uid": account.uid}
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ]
    return data


# --- Deletion ----------------------------------------------------------------------------


def account_check_deletable(
    *,
    user: AbstractBaseUser,
    is_confirmed: bool,
    password: str = "",
    code: str | None = None,
    session: SessionBase | None = None,
) -> None:
    """ValidationError with the reason, unless the citizen may delete this account now.

    It is the citizen who asks if they give the account's password, or the code sent to
    its address for this (`code`, checked against the `session` it was sent in).
    """
    if user.is_staff or user.is_superuser or user.groups.exists():
        # Staff accounts carry the admin's history; the administration removes them.
        raise ValidationError(STAFF_ACCOUNT, code="staff")
    errors = {}
    if not is_confirmed:
        errors["is_confirmed"] = ValidationError(NOT_CONFIRMED, code="not_confirmed")
    if code is not None:
        checked = confirmation_code_check(session=session, purpose=DELETE_PURPOSE, code=code)
        if checked is CodeCheck.WRONG:
            errors["code"] = ValidationError(WRONG_CODE, code="wrong_code")
        elif checked is CodeCheck.ENDED:
            errors["code"] = ValidationError(CODE_ENDED, code="code_ended")
    # An account that logs in only through another service (OpenID Connect) has no password
    # to ask for; the tick suffices.
    elif user.has_usable_password() and not user.check_password(password):
        errors["password"] = ValidationError(WRONG_PASSWORD, code="wrong_password")
    if errors:
        raise ValidationError(errors)


def account_delete_code_send(*, request: HttpRequest, user: AbstractBaseUser) -> datetime:
    """Send the code that confirms the deletion instead of the password; returns until when
    it is valid."""
    return confirmation_code_send(
        request=request,
        user=user,
        purpose=DELETE_PURPOSE,
        template_prefix="accounts/email/account_delete_code",
    )


def account_delete_code_valid_until(*, session: SessionBase) -> datetime | None:
    """Until when the deletion code sent in this session is valid; None without one."""
    return confirmation_code_valid_until(session=session, purpose=DELETE_PURPOSE)


def _addresses_forget(addresses: list[str]) -> dict[str, int]:
    """Remove these addresses from subscriptions, saved searches, the outbox and barrier
    reports; call it in a transaction."""
    counts = {}
    for audience in audiences():
        model = audience.recipient_model
        # The sender holds a row's lock while an e-mail to it is on its way (see
        # recipient_unsubscribe): the delete waits for that one, later ones see it gone.
        rows = model.objects.select_for_update().filter(_of_addresses(addresses))
        ids = list(rows.values_list("pk", flat=True))
        # A mail server's refusal often quotes the address.
        Delivery.objects.filter(audience=audience.name, recipient_id__in=ids).exclude(
            status=Delivery.Status.PENDING
        ).update(error="")
        recipients_forget(audience=audience, recipient_ids=ids, reason="account deleted")
        counts[model._meta.model_name], _rows = model.objects.filter(pk__in=ids).delete()
    error_quotes = Q(pk__in=[])
    for address in addresses:
        error_quotes |= Q(error__icontains=address)
    Delivery.objects.filter(error_quotes).update(error="")
    # The barrier stays reported (the municipality must remove it); who reported it goes.
    counts["barrier_reports"] = BarrierReport.objects.filter(_of_addresses(addresses)).update(
        name="", email=""
    )
    return counts


def _sessions_delete(user: AbstractBaseUser) -> int:
    """Delete the account's sessions in the database (every device it is logged in on)."""
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        # Other engines cannot be searched; a session of a deleted user logs nobody in and
        # expires.
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(
            chunk_size=2000
        )
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def _user_delete(user: AbstractBaseUser) -> None:
    """Delete an account row with its sessions and its survey participation keys."""
    surveys = SurveyPage.objects.filter(way_of_taking_part=WayOfTakingPart.ACCOUNT)
    identity = account_identity(user)
    keys = [participation_key(survey=survey, identity=identity) for survey in surveys.only("pk")]
    Participation.objects.filter(key__in=keys).delete()
    _sessions_delete(user)
    # Addresses (allauth), the profile, second factors and external log-ins go with it.
    user.delete()


def account_delete(
    *,
    user: AbstractBaseUser,
    is_confirmed: bool,
    password: str = "",
    code: str | None = None,
    session: SessionBase | None = None,
) -> None:
    """Delete a citizen's account and remove its verified addresses everywhere.

    Removed: the account with its addresses, profile and sessions; the subscriptions and
    saved searches of the verified addresses (also those signed up for by e-mail); the
    e-mails to them still waiting in the outbox (cancelled) and any error text quoting
    them; the name and address on barrier reports. Unverified addresses go with the
    account, but what others hold under them stays: they may belong to somebody else.

    Survey answers stay as they are and keep counting: a `Response` has no link to the
    account. The account's `Participation` rows are deleted: they are HMAC keys of the
    account's id and say only which surveys this person took part in. Keeping them would
    not stop a second answer either, because database ids are never given again (a new
    account gets a different key in any case); the one-answer rule is one per verified
    account. Registering again with the same address while a survey is open would need a
    key of the address as well (participation/answering.py), which this deletion would
    then leave in place.
    """
    account_check_deletable(
        user=user, is_confirmed=is_confirmed, password=password, code=code, session=session
    )
    pk = user.pk
    with transaction.atomic():
        addresses = account_addresses(user=user)
        counts = _addresses_forget(addresses)
        _user_delete(user)
    logger.info("Deleted account %s on request (%s)", pk, counts)


# --- Retention ---------------------------------------------------------------------------


def accounts_unverified_delete(*, now: datetime | None = None) -> int:
    """Delete accounts whose address nobody verified within the retention period.

    Only accounts that were signed up for and never used: an unverified address, never
    logged in, no staff role. Nothing else is touched: the address was never proven to be
    theirs.
    """
    cutoff = (now or timezone.now()) - UNVERIFIED_ACCOUNT_RETENTION
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    signed_up = EmailAddress.objects.values("user_id")
    stale = (
        get_user_model()
        .objects.filter(date_joined__lt=cutoff, last_login__isnull=True)
        .filter(is_staff=False, is_superuser=False, groups__isnull=True)
        .filter(pk__in=signed_up)
        .exclude(pk__in=verified)
    )
    count = 0
    for user in stale.iterator(chunk_size=500):
        with transaction.atomic():
            _user_delete(user)
        count += 1
    # Confirmation rows exist only with ACCOUNT_EMAIL_CONFIRMATION_HMAC = False.
    EmailConfirmation.objects.delete_expired_confirmations()
    if count:
        logger.info("Deleted %s accounts never verified", count)
    return count


def deliveries_anonymise(*, now: datetime | None = None) -> int:
    """Detach finished e-mails from their recipients once the retention period is over.

    The rows stay for each dispatch's figures (sent, failed); which address got which
    notice, and the mail server's answer (which may quote the address), go. Only for
    dispatches whose fan-out finished: a fan-out run again would otherwise find no
    delivery for the recipient and send the notice a second time.
    """
    cutoff = (now or timezone.now()) - DELIVERY_RETENTION
    finished = Delivery.objects.filter(status__in=FINISHED, created_at__lt=cutoff).filter(
        Q(dispatch__isnull=True) | Q(dispatch__fanned_out_at__isnull=False)
    )
    # The entries of a digest that went out say which subscriber was told what.
    DigestEntry.objects.filter(digest__in=finished).delete()
    count = finished.filter(Q(recipient_id__isnull=False) | ~Q(error="")).update(
        recipient_id=None, error=""
    )
    if count:
        logger.info("Detached %s old deliveries from their recipients", count)
    return count


def barrier_reports_expired_delete(*, now: datetime | None = None) -> int:
    """Delete resolved barrier reports a year after they came in; open ones stay."""
    cutoff = (now or timezone.now()) - BARRIER_REPORT_RETENTION
    deleted, _counts = BarrierReport.objects.filter(
        is_resolved=True, created_at__lt=cutoff
    ).delete()
    if deleted:
        logger.info("Deleted %s resolved barrier reports", deleted)
    return deleted


def sessions_expired_delete() -> None:
    """Delete expired sessions (what `manage.py clearsessions` does)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
