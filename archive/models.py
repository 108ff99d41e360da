"""The knowledge archive: one document model for the whole site (notice attachments are
archive documents too), the text extracted from each document page by page, and the
editable lists of document types and issuing bodies."""

from itertools import islice

from django.conf import settings
from django.db import models
from django.db.models.functions import ExtractYear, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from wagtail.admin.panels import FieldPanel
from wagtail.documents.models import AbstractDocument, DocumentQuerySet
from wagtail.models import Collection, CollectionViewRestriction, Page
from wagtail.search import index

from notifications.models import Recipient
from website.models import Ortschaft, ViewRestrictionsMixin
from website.page_form import PortalPageForm


class ArchiveList(models.Model):
    """An entry of a list staff edit: data, so each municipality can have its own."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    # OParl publishes the issuing bodies with these; clients sync by them (modified_since).
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DocumentType(ArchiveList):
    """Amtsblatt, Sitzungsniederschrift, Satzung …"""

    class Meta(ArchiveList.Meta):
        verbose_name = _("document type")
        verbose_name_plural = _("document types")


class IssuingBody(ArchiveList):
    """Who issued a document: Gemeinderat, an Ortschaftsrat, a committee, the administration."""

    class Meta(ArchiveList.Meta):
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")


class DocumentQuerySetWithArchive(DocumentQuerySet):
    def public(self) -> "DocumentQuerySetWithArchive":
        """Documents anybody may read: none from a collection with a view restriction."""
        restricted_paths = CollectionViewRestriction.objects.values_list(
            "collection__path", flat=True
        )
        restricted = Collection.objects.none()
        for path in restricted_paths:
            restricted = restricted | Collection.objects.filter(path__startswith=path)
        return self.exclude(collection__in=restricted.values("pk"))

    def indexed(self) -> "DocumentQuerySetWithArchive":
        """Documents whose text is read: a waiting or failed one is nobody's to find yet."""
        return self.filter(indexing_state=Document.IndexingState.INDEXED)

    def for_listing(self) -> "DocumentQuerySetWithArchive":
        """What every list of documents shows, in fixed queries; the full text stays behind."""
        return (
            self.select_related("document_type", "issuing_body")
            .prefetch_related("ortschaften")
            .defer("text")
        )

    def for_ortschaft(self, ortschaft: Ortschaft) -> "DocumentQuerySetWithArchive":
        """Documents concerning this Ortschaft, and those for the whole municipality."""
        # One IN, not two joined by OR: PostgreSQL then joins it (a semi-join) and can check
        # each document as the search's ranking index hands it out, instead of ranking every
        # match before filtering (bench/archive.py: 700 ms → 35 ms for a common word).
        concerning = Document.objects.filter(
            models.Q(ortschaften=ortschaft) | models.Q(ortschaften__isnull=True)
        )
        return self.filter(pk__in=concerning.values("pk"))


class Document(AbstractDocument):
    """An archive document: what it is, when, for where, from whom, and its extracted text."""

    class IndexingState(models.TextChoices):
        WAITING = "waiting", _("waiting for text extraction")
        INDEXED = "indexed", _("indexed")
        FAILED = "failed", _("failed")

    # Wagtail's own Document model stays installed; these names keep the reverse accessors apart.
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by user"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="archive_documents",
    )
    uploaded_by_user.wagtail_reference_index_ignore = True
    tags = TaggableManager(
        help_text=None, blank=True, verbose_name=_("tags"), related_name="archive_documents"
    )
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("document type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    date = models.DateField(
        _("date"),
        default=timezone.localdate,
        help_text=_("The date of the document: of the meeting, the resolution, the issue."),
    )
    year = models.GeneratedField(
        expression=ExtractYear("date"), output_field=models.IntegerField(), db_persist=True
    )
    ortschaften = models.ManyToManyField(
        Ortschaft,
        verbose_name=_("Ortschaften"),
        blank=True,
        related_name="documents",
        help_text=_("None chosen: the document concerns the whole municipality."),
    )
    # The ids of its Ortschaften, sorted and comma-separated ("" for the whole municipality),
    # kept by `ortschaft_keys_refresh`: what the search's facets count, read from an index for
    # tens of thousands of matches at once instead of joining their Ortschaften (search.py).
    ortschaft_key = models.CharField(max_length=200, blank=True, editable=False)
    issuing_body = models.ForeignKey(
        IssuingBody,
        verbose_name=_("issuing body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    page_count = models.PositiveIntegerField(_("pages"), null=True, editable=False)
    # SHA-512 of the file (hex): finds a second upload of the same file; OParl publishes it.
    checksum = models.CharField(_("checksum"), max_length=128, blank=True, db_index=True)
    indexing_state = models.CharField(
        _("indexing"),
        max_length=10,
        choices=IndexingState,
        default=IndexingState.WAITING,
        editable=False,
        db_index=True,
    )
    indexing_error = models.TextField(_("reason of the failure"), blank=True, editable=False)
    # When the file last asked to be read, and how often reading it began since: the sweep
    # re-queues what waits too long, and gives up on a file that keeps killing its reader.
    indexing_requested_at = models.DateTimeField(default=timezone.now, editable=False)
    indexing_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # A reader has taken the document until then (its time limit); others leave it alone,
    # so that a reader may take several waiting documents at once (indexing.documents_claim).
    indexing_claimed_until = models.DateTimeField(null=True, editable=False)
    # The file whose text is stored; a rerun for the same file does nothing.
    indexed_checksum = models.CharField(max_length=128, blank=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed at"), null=True, editable=False)
    # Every save, the indexing's included: OParl clients sync by it (modified_since).
    modified_at = models.DateTimeField(_("modified"), auto_now=True, db_index=True)
    # All page texts, for the search index; the pages themselves are DocumentText rows.
    text = models.TextField(blank=True, editable=False)

    objects = DocumentQuerySetWithArchive.as_manager()

    # On PostgreSQL a copy of the search index's vector, beside the facet values, for the
    # search's counts (archive migration 0008); a column no query of the ORM reads.
    search_vector_column = "search_vector"

    admin_form_fields = (
        "title",
        "file",
        "collection",
        "document_type",
        "date",
        "ortschaften",
        "issuing_body",
        "description",
        "tags",
    )
    search_fields = [
        *AbstractDocument.search_fields,
        index.SearchField("description", boost=2),
        index.SearchField("text"),
        index.RelatedFields("document_type", [index.SearchField("name")]),
        index.RelatedFields("issuing_body", [index.SearchField("name")]),
        index.FilterField("document_type"),
        index.FilterField("issuing_body"),
        index.FilterField("date"),
        index.FilterField("year"),
        index.FilterField("indexing_state"),
    ]

    class Meta(AbstractDocument.Meta):
        ordering = ["-date", "-pk"]
        permissions = [("choose_document", "Can choose document")]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def clean(self):
        # Wagtail's check of the extension; a file the form refused is gone already, and
        # its own error says why.
        if self.file:
            super().clean()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("archive_document", args=[self.pk])

    @property
    def is_indexed(self) -> bool:
        return self.indexing_state == self.IndexingState.INDEXED

    def indexing_restart(self) -> None:
        """Let the document wait to be read afresh (a new file, staff's retry); saving it
        queues the reading."""
        self.indexing_state = self.IndexingState.WAITING
        self.indexing_error = ""
        self.indexed_checksum = ""
        self.indexing_requested_at = timezone.now()
        self.indexing_attempts = 0
        self.indexing_claimed_until = None


def ortschaft_key(ortschaft_ids) -> str:
    """A document's `ortschaft_key` for the ids of its Ortschaften."""
    return ",".join(str(pk) for pk in sorted(set(ortschaft_ids)))


def ortschaft_keys_refresh(document_ids, *, document_model=None) -> None:
    """Set `ortschaft_key` of these documents from their Ortschaften, a thousand at a time
    (also with a migration's historical model)."""
    document_model = document_model or Document
    links = document_model.ortschaften.through.objects
    document_ids = iter(document_ids)
    while chunk := list(islice(document_ids, 1000)):
        ortschaften: dict[int, list[int]] = {pk: [] for pk in chunk}
        for document_id, ortschaft_id in links.filter(document_id__in=chunk).values_list(
            "document_id", "ortschaft_id"
        ):
            ortschaften[document_id].append(ortschaft_id)
        document_model.objects.bulk_update(
            [
                document_model(pk=pk, ortschaft_key=ortschaft_key(ids))
                for pk, ids in ortschaften.items()
            ],
            ["ortschaft_key"],
        )


class DocumentText(models.Model):
    """The text of one page of a document, so a search can say on which page it found a word."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    page_number = models.PositiveIntegerField()
    text = models.TextField()
    is_ocr = models.BooleanField(default=False)

    class Meta:
        ordering = ["document", "page_number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "page_number"], name="unique_document_page")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.page_number}"


class OParlTombstone(models.Model):
    """An OParl object no longer served (its document deleted, made private or waiting to be
    read again): listed as `deleted: true` to clients that sync with modified_since."""

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    class ObjectType(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        MEETING = "meeting", "Meeting"
        PAPER = "paper", "Paper"
        FILE = "file", "File"

    object_type = models.CharField(max_length=20, choices=ObjectType)
    object_id = models.PositiveBigIntegerField()
    # The object's own creation, as clients know it; its deletion is its last modification.
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="unique_tombstone")
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"


class ArchiveIndexPage(ViewRestrictionsMixin, Page):
    """The archive for browsing: documents and expired official notices by year and type."""

    base_form_class = PortalPageForm

    introduction = models.TextField(_("introduction"), blank=True, max_length=1000)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("archive")

    def get_context(self, request, *args, **kwargs):
        from .browsing import archive_browse

        context = super().get_context(request, *args, **kwargs)
        context.update(archive_browse(request.GET))
        return context


class SavedSearch(Recipient):
    """A citizen's saved search: an e-mail when a newly indexed archive document matches it.

    Active once the address is confirmed (or saved from an account with a verified address);
    the row holds the consent as proof. Deleting it ends the alerts and removes the address.
    The filters are those of the search page; empty means any.
    """

    query = models.CharField(_("search term"), max_length=200)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("document type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    issuing_body = models.ForeignKey(
        IssuingBody,
        verbose_name=_("issuing body"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    ortschaft = models.ForeignKey(
        Ortschaft,
        verbose_name=_("Ortschaft"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        indexes = [models.Index(Lower("email"), "site", name="saved_search_address")]

    def __str__(self) -> str:
        return self.query
