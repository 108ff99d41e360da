"""Whole public pages from the shared cache (Redis in production, local memory embedded).

What is cached: the answer to an anonymous GET, one copy per address for everybody who
asks it (Ortschaft, filters and page number are in the address; the remembered Ortschaft
only redirects, or preselects the header's switcher: a copy for each). Never
cached: anything for a visitor with a session (logged in, or with a message waiting), a page
with a form token (CSRF), one that sets a cookie or says it is private, the admin, the
accounts and the API.

When a copy goes:
- At once when something the public site shows changes: every committed save or deletion
  (and change of links) of a model moves the cache to a new generation, apart from the
  models no public page shows. A model of ours says so itself (`page_cache_private = True`),
  or says of each row (`page_cache_is_shown(self)`: a survey's answers once its results are
  published); the libraries' models are listed here (`PRIVATE_LIBRARY_MODELS`).
- When time changes a page: a copy lives until the next of the moments that models declare
  (`page_cache_moments`, names of datetime fields: a display period begins or ends, an event
  starts or ends, a survey opens or closes), a page goes live or expires, or the day changes
  (the calendar, "today"), and never longer than PAGE_CACHE_SECONDS.

The page cache finds these declarations through the app registry, as Wagtail's frontend
cache finds page models: it imports no app of the portal.
"""

import hashlib
import math
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_max_age, set_response_etag

from .ortschaft import COOKIE_NAME as ORTSCHAFT_COOKIE

T = TypeVar("T")

GENERATION_KEY = "page-cache-generation"
CACHE_HEADER = "X-Page-Cache"

# The libraries' models whose rows no public page shows, or which change with every visit or
# e-mail: their changes leave the cached pages alone (app label, or app label and model name).
PRIVATE_LIBRARY_MODELS = {
    "admin",
    "sessions",
    "contenttypes",
    "auth",
    "account",
    "mfa",
    "socialaccount",
    "wagtailusers",
    ("wagtailcore", "revision"),
    ("wagtailcore", "pagelogentry"),
    ("wagtailcore", "modellogentry"),
    ("wagtailcore", "workflowstate"),
    ("wagtailcore", "taskstate"),
    ("wagtailcore", "comment"),
    ("wagtailcore", "commentreply"),
    ("wagtailcore", "pagesubscription"),
    ("wagtailcore", "grouppagepermission"),
    ("wagtailcore", "groupcollectionpermission"),
    ("wagtailcore", "referenceindex"),
    ("wagtailimages", "rendition"),
    ("wagtailsearch", "indexentry"),
}
# The libraries' moments when time changes a page (see page_cache_moments).
LIBRARY_MOMENTS = {"wagtailcore.Page": ("go_live_at", "expire_at")}


def _is_private(model) -> bool:
    meta = model._meta
    if meta.auto_created:  # the links of a many-to-many field: private with the model it is on
        return _is_private(meta.auto_created)
    return (
        getattr(model, "page_cache_private", False)
        or meta.app_label in PRIVATE_LIBRARY_MODELS
        or (meta.app_label, meta.model_name) in PRIVATE_LIBRARY_MODELS
    )


def _moments() -> list[tuple[type, tuple[str, ...]]]:
    declared = [
        (model, model.__dict__["page_cache_moments"])
        for model in apps.get_models()
        if "page_cache_moments" in model.__dict__
    ]
    return declared + [(apps.get_model(label), fields) for label, fields in LIBRARY_MOMENTS.items()]


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A new generation number each time the cache lost it, never an old one again.
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def pages_forget() -> None:
    """Every cached page is outdated from now on (a new generation)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (yet, or any more): the next read starts a new one
        cache.delete(GENERATION_KEY)


def _forget_after_change(sender, instance=None, action: str = "post_", **kwargs):
    # m2m_changed (sender: the links' model) only once the links have changed
    if not action.startswith("post_") or _is_private(sender):
        return
    is_shown = getattr(instance, "page_cache_is_shown", None)
    if is_shown is not None and not is_shown():
        return
    pages_changed()


def pages_changed() -> None:
    """What the public site shows changes in this transaction (for changes that send no
    signal, such as bulk updates): cached pages are outdated now and once it commits."""
    # Now, so that no copy made before is served again, and after the commit, as a page made
    # between the change and its commit shows the old state under the new generation.
    pages_forget()
    transaction.on_commit(pages_forget, robust=True)


def register_signal_handlers() -> None:
    for name, signal in [("saved", post_save), ("deleted", post_delete), ("links", m2m_changed)]:
        signal.connect(_forget_after_change, dispatch_uid=f"page-cache-{name}")


# --- how long a copy may live ----------------------------------------------------------


def _next_midnight(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def next_change(now: datetime) -> datetime:
    """When time next changes what a public page shows, whatever was saved."""
    moments = [_next_midnight(now)]
    for model, fields in _moments():
        found = model.objects.aggregate(
            **{field: Min(field, filter=Q(**{f"{field}__gt": now})) for field in fields}
        )
        moments.extend(moment for moment in found.values() if moment is not None)
    return min(moments)


def _expiry(now: datetime, current_generation: int) -> datetime:
    """Until when a page made now may be served: the next change by time, kept per
    generation (found when it is not there, or past), and at most PAGE_CACHE_SECONDS
    from now."""
    key = f"next-change:{current_generation}"
    moment = caches[GENERATION_CACHE].get(key)
    if moment is None or moment <= now:
        moment = next_change(now)
        caches[GENERATION_CACHE].set(key, moment, timeout=settings.PAGE_CACHE_SECONDS)
    return min(moment, now + timedelta(seconds=settings.PAGE_CACHE_SECONDS))


# The request the middleware is answering, for what is asked without it (the settings, the
# view restrictions): they are read in that request's generation. Unset outside a request.
_request_answered: ContextVar[HttpRequest | None] = ContextVar("request_answered", default=None)


def request_generation(request: HttpRequest | None) -> int | None:
    """The generation of the page cache a request is answered in (without one: the request
    being answered, if any): the one the middleware read with the page's copy, else read now
    (and kept on the request); None when the cache cannot be reached."""
    request = request or _request_answered.get()
    if request is None:
        return generation()
    current = getattr(request, "page_cache_generation", None)
    if current is None:
        current = request.page_cache_generation = generation()
    return current


# The cache of what a generation's pages share (settings.CACHES["generation"]): each
# process's memory, a copy for every read.
GENERATION_CACHE = "generation"


def kept_for_generation(request: HttpRequest | None, name: str, make: Callable[[], T]) -> T:
    """What `make` returns, kept under `name` for the current generation: made once per
    process until the next change starts a new generation, then never read again (the
    entries of generations gone by expire, or give way to new ones). Only for what time alone
    never changes (the settings, the layout, the lists of choices, the site root's children)."""
    current = request_generation(request)
    if current is None:  # the shared cache cannot be reached: nothing known to be current
        return make()
    key = f"{current}:{hashlib.sha256(name.encode()).hexdigest()}"
    return caches[GENERATION_CACHE].get_or_set(key, make)


def shared_until_change(request: HttpRequest, name: str, make: Callable[[], T]) -> T:
    """A result many pages share, made once per process and kept like a page: until the
    next generation or the next change by time (the number of notices a filter of the board
    finds, on each of its pages and whatever else the address asks)."""
    current = request_generation(request)
    if not settings.PAGE_CACHE_SECONDS or current is None:  # off, or cannot be reached
        return make()
    key = f"shared:{hashlib.sha256(name.encode()).hexdigest()}"
    store = caches[GENERATION_CACHE]
    value = _fresh(store.get(key), current)
    if value is None:
        value = make()
        _keep(key, current, value, store=store)
    return value


def _fresh(entry: tuple | None, current: int):
    """What a cached entry (generation, expiry, value) holds, if it is of the current
    generation and its time has not run out (by the portal's clock, whatever the cache's
    expiry rounds to); None otherwise."""
    made_in, expires, value = entry or (None, None, None)
    return value if made_in == current and timezone.now() < expires else None


def _keep(key: str, current: int, value, *, store=cache) -> tuple | None:
    """Keep `value` in `store` as an entry of the current generation until time next changes
    what it shows (_expiry); the entry, or None when that moment is now."""
    now = timezone.now()
    expires = _expiry(now, current)
    if expires <= now:
        return None
    entry = (current, expires, value)
    store.set(key, entry, timeout=math.ceil((expires - now).total_seconds()))
    return entry


# --- the middleware --------------------------------------------------------------------


# Addresses whose answers are someone's own or must be live (barleben_portal/urls.py): the
# health check, the accounts, the API and OParl (with conditional requests of their own),
# subscription and saved-search management (a token in the address), the Ortschaft choice;
# and files (documents, images), which are sent as they are.
UNCACHED_PREFIXES = (
    "/healthz/",
    "/konto/",
    "/api/",
    "/oparl/",
    "/benachrichtigungen/",
    "/suchauftraege/",
    "/ortschaft/",
    "/dokumente/",
    "/media/",
)


def _excluded_prefixes() -> tuple[str, ...]:
    from .security import admin_path_prefixes

    return (*admin_path_prefixes(), *UNCACHED_PREFIXES)


def _is_cacheable_request(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and not request.path_info.startswith(_excluded_prefixes())
    )


def _is_cacheable_response(request: HttpRequest, response: HttpResponseBase) -> bool:
    # A form's token (CSRF) comes with a cookie and `Vary: Cookie`: the page is its visitor's.
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}
    if control & {"private", "no-cache", "no-store"} or get_max_age(response) == 0:
        return False
    varies = {value.strip().lower() for value in cc_delim_re.split(response.get("Vary", ""))}
    return varies <= {"", "accept-encoding", "accept-language"}


def _key(request: HttpRequest) -> str:
    # The remembered Ortschaft preselects the header's switcher (and redirects where a page
    # shows a choice, which is not cached): a copy for each.
    remembered = request.COOKIES.get(ORTSCHAFT_COOKIE, "")
    address = f"{request.get_host()}{request.get_full_path()} {remembered}"
    return f"page:{hashlib.sha256(address.encode()).hexdigest()}"


class PageCacheMiddleware:
    """Answers anonymous GETs of public pages from the cache (see the module's docstring);
    marks each answer it cached with X-Page-Cache: hit or miss."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request_answered.set(request)
        try:
            return self._answer(request)
        finally:
            _request_answered.reset(token)

    def _answer(self, request: HttpRequest) -> HttpResponseBase:
        if not _is_cacheable_request(request):
            return self.get_response(request)
        if not settings.PAGE_CACHE_SECONDS:
            # No copies, but what every page shows alike still comes from the generation.
            request.page_cache_generation = generation()
            return self.get_response(request)
        key = _key(request)
        # The generation and the copy in one round trip; each copy knows its generation and
        # until when it may be served (_fresh): gone the second a period ends.
        found = cache.get_many([GENERATION_KEY, key])
        current = request.page_cache_generation = found.get(GENERATION_KEY) or generation()
        if current is None:  # the cache cannot be reached (website/cache.py)
            return self.get_response(request)
        cached = _fresh(found.get(key), current)
        if cached is not None:
            return _shared(cached, "hit")
        response = self.get_response(request)
        if _is_cacheable_response(request, response):
            # One piece: a feed is written in thousands, which the server would send one by
            # one for every copy it serves; its ETag made once, not for each of them.
            response.content = response.content
            set_response_etag(response)
            if _keep(key, current, response) is not None:
                return _shared(response, "miss")
        return response


def _shared(response: HttpResponseBase, state: str) -> HttpResponseBase:
    # Unless the view said otherwise, browsers and proxies may keep the page but ask again
    # each time, as it can change at any moment; asked with its ETag
    # (ConditionalGetMiddleware), an unchanged page is a 304.
    response[CACHE_HEADER] = state
    response.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
    return response
