"""Alerts for saved searches: a citizen saves a search and is told of new documents it finds.

The saved searches are an audience of the notification service (`SavedSearchAudience`,
registered from ArchiveConfig.ready()): confirmed like a board subscription (double opt-in,
or at once from an account with a verified address). When a document's text is stored for
the first time, `documents_alert` writes a dispatch to this audience; its fan-out asks
`saved_searches_matching`, and the service sends, retries, sweeps and unsubscribes as it
does for the board. One dispatch per document (the service's rule of
one announcement per source) and one delivery per dispatch and saved search mean that a
document is announced to a saved search once, also when its file is replaced and read again.
"""

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Min, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import Site

from notifications.audiences import Audience, audience_for
from notifications.email import MailTemplate, mail_render, site_root_url
from notifications.fanout import dispatch_create
from notifications.models import Delivery, Dispatch
from notifications.recipients import (
    CONFIRMATION_MAX_AGE,
    confirmation_url,
    delivery_queue_single,
    normalise_email,
)
from website.models import MunicipalitySettings, Ortschaft

from .models import Document, DocumentType, IssuingBody, SavedSearch
from .search import SearchFilters, query_clean

logger = logging.getLogger(__name__)

# The version of the consent text (archive.alert_views.consent_field); change both together.
CONSENT_VERSION = "2026-12-01"
AUDIENCE = "saved_search"
DOCUMENT_KIND = "dokumente"


@dataclass(frozen=True)
class SearchTerms:
    """What a saved search looks for: the search term and the filters of the search page."""

    query: str
    document_type: DocumentType | None = None
    issuing_body: IssuingBody | None = None
    ortschaft: Ortschaft | None = None
    year: int | None = None

    @classmethod
    def from_search(cls, *, query: str, filters: SearchFilters) -> "SearchTerms":
        """The terms of a search, if it can be saved; ValidationError with the reason if not."""
        query = query_clean(query)
        if not query:
            raise ValidationError(_("Please enter a search term to save the search."))
        # Alerts are about new archive documents; the board has its own notifications.
        if filters.kind not in {"", DOCUMENT_KIND}:
            raise ValidationError(
                _("Only searches for archive documents can be saved. Choose “Archive documents”.")
            )
        return cls(
            query=query,
            document_type=filters.document_type,
            issuing_body=filters.issuing_body,
            ortschaft=filters.ortschaft,
            year=filters.year,
        )

    @classmethod
    def of(cls, saved_search: SavedSearch) -> "SearchTerms":
        return cls(
            query=saved_search.query,
            document_type=saved_search.document_type,
            issuing_body=saved_search.issuing_body,
            ortschaft=saved_search.ortschaft,
            year=saved_search.year,
        )

    def fields(self) -> dict:
        return {
            "query": self.query,
            "document_type": self.document_type,
            "issuing_body": self.issuing_body,
            "ortschaft": self.ortschaft,
            "year": self.year,
        }

    def described(self) -> list[tuple[str, str]]:
        """The terms in words, as (label, value) pairs for a page or an e-mail."""
        described = [(_("Search term"), self.query)]
        if self.document_type:
            described.append((_("Document type"), self.document_type.name))
        if self.issuing_body:
            described.append((_("Issuing body"), self.issuing_body.name))
        if self.ortschaft:
            described.append((_("Ortschaft"), self.ortschaft.name))
        if self.year:
            described.append((_("Year"), str(self.year)))
        return described

    def search_path(self) -> str:
        """The address of this search on the search page."""
        params = {"q": self.query, "art": DOCUMENT_KIND}
        if self.document_type:
            params["typ"] = self.document_type.slug
        if self.issuing_body:
            params["gremium"] = self.issuing_body.slug
        if self.ortschaft:
            params["ortschaft"] = self.ortschaft.slug
        if self.year:
            params["jahr"] = str(self.year)
        return f"{reverse('search')}?{urlencode(params)}"


def _same_search(*, site: Site, email: str, terms: SearchTerms) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(site=site, email__iexact=email, **terms.fields())


def saved_search_sign_up(*, site: Site, email: str, terms: SearchTerms) -> SavedSearch:
    """Record a saved search for an address and queue the e-mail that confirms it.

    The same search saved again before it was confirmed is asked for again; one that is
    active stays as it is, without an e-mail (the answer to the citizen is the same, so
    nobody learns which searches an address has saved).
    """
    email = normalise_email(email)
    with transaction.atomic():
        saved_search = _same_search(site=site, email=email, terms=terms).first()
        if saved_search is not None and saved_search.is_confirmed:
            return saved_search
        saved_search = saved_search or SavedSearch(site=site, email=email, **terms.fields())
        saved_search.signed_up_at = timezone.now()
        saved_search.consent_version = CONSENT_VERSION
        saved_search.full_clean(exclude=["token"])
        saved_search.save()
        delivery_queue_single(
            audience=audience_for(AUDIENCE), recipient=saved_search, kind=Delivery.Kind.CONFIRMATION
        )
    logger.info("Sign-up for saved search %s", saved_search.pk)
    return saved_search


def saved_search_save_verified(*, site: Site, email: str, terms: SearchTerms) -> SavedSearch:
    """Save a search for an address its account has verified: active at once, no e-mail."""
    email = normalise_email(email)
    with transaction.atomic():
        saved_search = _same_search(site=site, email=email, terms=terms).first() or SavedSearch(
            site=site, email=email, **terms.fields()
        )
        if not saved_search.is_confirmed:
            now = timezone.now()
            saved_search.signed_up_at = now
            saved_search.confirmed_at = now
            saved_search.consent_version = CONSENT_VERSION
            saved_search.full_clean(exclude=["token"])
            saved_search.save()
    logger.info("Saved search %s from an account", saved_search.pk)
    return saved_search


def saved_searches_of_address(*, site: Site, email: str) -> QuerySet[SavedSearch]:
    """The active saved searches of an address, for its list."""
    return (
        SavedSearch.objects.filter(site=site, email__iexact=email, confirmed_at__isnull=False)
        .select_related("document_type", "issuing_body", "ortschaft")
        .order_by("signed_up_at", "pk")
    )


def documents_alert(*, document_ids: list[int]) -> list[Dispatch]:
    """Announce newly indexed documents to the saved searches; call it in the indexing
    transaction. No dispatch for a document that is not public, matches no saved search, or
    was announced before."""
    # Most documents are indexed while nobody has a saved search (an import, a new portal):
    # one look at the table instead of each document's text vector.
    if not SavedSearch.objects.filter(confirmed_at__isnull=False, paused_at__isnull=True).exists():
        return []
    return [dispatch for document_id in document_ids if (dispatch := _document_alert(document_id))]


def _document_alert(document_id: int) -> Dispatch | None:
    document = (
        Document.objects.public().select_related("document_type").filter(pk=document_id).first()
    )
    # No outbox row for a document nobody waits for: an import of thousands would
    # otherwise leave as many empty dispatches.
    if document is None or not saved_searches_matching(document_id=document_id).exists():
        return None
    site = Site.objects.get(is_default_site=True)
    return dispatch_create(
        audience=AUDIENCE,
        source=document,
        site=site,
        label=document.document_type.name if document.document_type else _("Archive document"),
        title=document.title,
        summary=document.description,
        url=site_root_url(site) + document.get_absolute_url(),
    )


# The text a saved search is matched against: what the search indexes of a document.
# Table names from the models, the document's id as a parameter.
DOCUMENT_VECTOR_SQL = f"""
    (SELECT to_tsvector('german', concat_ws(' ', document.title, document.description,
                                            document.text, type.name, body.name))
     FROM {Document._meta.db_table} AS document
     LEFT JOIN {DocumentType._meta.db_table} AS type ON type.id = document.document_type_id
     LEFT JOIN {IssuingBody._meta.db_table} AS body ON body.id = document.issuing_body_id
     WHERE document.id = %s)
    @@ websearch_to_tsquery('german', {SavedSearch._meta.db_table}.query)
"""  # noqa: S608


def _words_match(query: str, text: str) -> bool:
    """The embedded default (SQLite): every word of the query begins a word of the text."""
    words = [word.casefold() for word in re.findall(r"\w+", query)]
    # A crude stem (the word without its last two letters), like the search's snippets.
    return bool(words) and all(
        re.search(rf"\b{re.escape(word[: max(3, len(word) - 2)])}", text) for word in words
    )


def saved_searches_matching(*, document_id: int) -> QuerySet[SavedSearch]:
    """The active saved searches a public document matches, one per address.

    Filters are tested by the database; on PostgreSQL the search terms too, the document's
    text vector computed once and tested against every stored query in the same statement.
    """
    document = (
        Document.objects.public()
        .select_related("document_type", "issuing_body")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return SavedSearch.objects.none()
    ortschaft_ids = list(document.ortschaften.values_list("pk", flat=True))
    matching = SavedSearch.objects.filter(confirmed_at__isnull=False, paused_at__isnull=True)
    matching = matching.filter(
        Q(document_type__isnull=True) | Q(document_type_id=document.document_type_id),
        Q(issuing_body__isnull=True) | Q(issuing_body_id=document.issuing_body_id),
        Q(year__isnull=True) | Q(year=document.date.year),
    )
    # A document for the whole municipality (no Ortschaft) is found under every Ortschaft.
    if ortschaft_ids:
        matching = matching.filter(Q(ortschaft__isnull=True) | Q(ortschaft_id__in=ortschaft_ids))
    if connection.vendor == "postgresql":
        # The SQL is a constant of this module; the id goes in as a parameter.
        vector_matches = RawSQL(  # noqa: S611
            DOCUMENT_VECTOR_SQL, [document_id], output_field=BooleanField()
        )
        matching = matching.filter(vector_matches)
    else:
        text = " ".join(
            filter(
                None,
                [
                    document.title,
                    document.description,
                    document.text,
                    document.document_type and document.document_type.name,
                    document.issuing_body and document.issuing_body.name,
                ],
            )
        ).casefold()
        matching = matching.filter(
            pk__in=[
                pk
                for pk, query in matching.values_list("pk", "query").iterator()
                if _words_match(query, text)
            ]
        )
    # Several saved searches of one address that all match: one e-mail, not several.
    first_per_address = (
        matching.annotate(address=Lower("email"))
        .values("site_id", "address")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return SavedSearch.objects.filter(pk__in=first_per_address)


class SavedSearchAudience(Audience):
    name = AUDIENCE
    recipient_model = SavedSearch
    confirmation_salt = "archive.saved_search.confirm"
    confirm_url_name = "archive_alerts:confirm"
    manage_url_name = "archive_alerts:manage"
    unsubscribe_url_name = "archive_alerts:unsubscribe"
    # Each alert names its saved search, so it is rendered for its recipient.
    is_notification_shared = False

    def recipients_matching(
        self, *, site_id: int, source_id: int, ortschaft_ids: list[int], criteria: dict
    ) -> QuerySet[SavedSearch]:
        return saved_searches_matching(document_id=source_id)

    def notification(self, *, dispatch: Dispatch, recipient_id: int) -> MailTemplate:
        return self._mail(dispatch=dispatch, saved_search_id=recipient_id)

    def message(self, *, delivery: Delivery, recipient: SavedSearch) -> MailTemplate:
        return self._mail(dispatch=None, saved_search_id=recipient.pk)

    def _mail(self, *, dispatch: Dispatch | None, saved_search_id: int) -> MailTemplate:
        """A confirmation request (no dispatch) or an alert of a dispatch's document."""
        return alert_mail_template(
            audience=self, dispatch=dispatch, saved_search_id=saved_search_id
        )


def alert_mail_template(
    *, audience: Audience, dispatch: Dispatch | None, saved_search_id: int
) -> MailTemplate:
    """The e-mail to a saved search: its confirmation request, or an alert of a dispatch."""
    saved_search = SavedSearch.objects.select_related(
        "site", "document_type", "issuing_body", "ortschaft"
    ).get(pk=saved_search_id)
    site = saved_search.site
    terms = SearchTerms.of(saved_search)
    municipality = MunicipalitySettings.for_site(site)
    context = {
        "saved_search": saved_search,
        "terms": terms.described(),
        "search_url": site_root_url(site) + terms.search_path(),
    }
    if dispatch is None:
        expires_at = timezone.localtime(timezone.now() + CONFIRMATION_MAX_AGE)
        context |= {
            "confirm_url": confirmation_url(audience=audience, recipient=saved_search),
            "expires_at": date_format(expires_at, "DATETIME_FORMAT"),
        }
        subject = _("Please confirm your saved search – citizen portal %(name)s") % {
            "name": municipality.name
        }
        return mail_render(
            "archive/email/alert_confirmation", subject, context, site, audience=audience
        )
    context |= {
        "dispatch": dispatch,
        # The document's address on the recipient's site, as the search shows it there.
        "document_url": site_root_url(site)
        + reverse("archive_document", args=[dispatch.source_id]),
    }
    subject = _("New in the archive: %(title)s") % {"title": dispatch.title}
    return mail_render("archive/email/alert", subject, context, site, audience=audience)
