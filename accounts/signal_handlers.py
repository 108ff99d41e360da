"""The account's Ortschaft and the header's choice are one: a log-in brings the account's
into the browser, a choice in the header goes into the account."""

from allauth.account.signals import user_logged_in

from website.ortschaft import ortschaft_chosen, ortschaft_remember

from . import privacy


def remember_profile_ortschaft(sender, request, response, user, **kwargs) -> None:
    profile = privacy.account_profile(user=user)
    if profile is not None and profile.ortschaft is not None:
        ortschaft_remember(response, request=request, ortschaft=profile.ortschaft)


def keep_chosen_ortschaft(sender, request, ortschaft, **kwargs) -> None:
    # The header's form has no CSRF token (website/views.py); a forged cross-site POST comes
    # without the session cookie (SameSite=Lax), so it never reaches an account here.
    if request.user.is_authenticated:
        privacy.account_profile_ortschaft_set(user=request.user, ortschaft=ortschaft)


def register_signal_handlers() -> None:
    user_logged_in.connect(remember_profile_ortschaft, dispatch_uid="remember_profile_ortschaft")
    ortschaft_chosen.connect(keep_chosen_ortschaft, dispatch_uid="keep_chosen_ortschaft")
