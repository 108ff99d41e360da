"""The municipality's administrative services (Verwaltungsleistungen): what a citizen can
apply for, who is responsible for it in which Ortschaft, and the online services that take
the application.

Most of it comes from the state's editorial system in the XÖV standard XZuFi
(`services/importing.py`); staff add and change what is local in the Wagtail admin. Each
imported row keeps the values of its last import (`imported_values`): a field whose value
differs from them was changed by staff and is left alone by the next import (a fee, an
address), one that does not follows the export. Rows without an XZuFi id are local
and never touched by an import.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from website.models import Ortschaft

from .forms import ImportedRowForm
from .xzufi import plain_text

TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link"]
LEIKA_KEY = RegexValidator(r"^\d{14}$", _("A LeiKa key has exactly 14 digits."))


class ImportedQuerySet(models.QuerySet):
    def current(self):
        """What the catalogue lists: local rows and those the last import still carried."""
        return self.filter(removed_at__isnull=True)


class Imported(models.Model):
    """What every imported kind of row has: its id in the export, the values of its last
    import, and when the export stopped carrying it."""

    xzufi_id = models.CharField(
        _("XZuFi id"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty for what staff added here; such entries are never imported over."),
    )
    imported_values = models.JSONField(default=dict, blank=True, editable=False)
    removed_at = models.DateTimeField(
        _("no longer in the export since"), null=True, blank=True, editable=False
    )

    objects = ImportedQuerySet.as_manager()
    base_form_class = ImportedRowForm

    class Meta:
        abstract = True

    @property
    def is_imported(self) -> bool:
        return self.xzufi_id is not None

    def locally_changed_fields(self) -> list[str]:
        """The imported fields whose values staff changed since the last import."""
        fields = {field.name for field in self._meta.concrete_fields}
        return [
            name
            for name, value in self.imported_values.items()
            if name in fields and field_value(self, name) != value
        ]


def field_value(row: models.Model, name: str):
    """A field's value as `imported_values` keeps it (JSON: times as text)."""
    value = getattr(row, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


class LifeSituation(Imported):
    """A Lebenslage (moving, a birth, a dog, building, daycare …): how citizens look for
    services without knowing their names."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
        FieldPanel("reset_to_export"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:life_situation", args=[self.slug])


class Office(Imported, ClusterableModel):
    """An Organisationseinheit: the office responsible for services, where citizens go."""

    name = models.CharField(_("name"), max_length=300)
    street_address = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours_note = models.TextField(
        _("note on the opening hours"),
        blank=True,
        max_length=1000,
        help_text=_("E.g. appointments outside these hours by arrangement."),
    )
    accessibility = models.TextField(
        _("accessibility of the building"),
        blank=True,
        max_length=1000,
        help_text=_("Step-free entrance, lift, accessible toilet, parking …"),
    )

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldPanel("postal_code"),
                FieldPanel("city"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("website"),
            ],
            heading=_("Contact"),
        ),
        InlinePanel("opening_hours", heading=_("Opening hours"), label=_("Opening hours")),
        FieldPanel("opening_hours_note"),
        FieldPanel("accessibility"),
        FieldPanel("reset_to_export"),
    ]
    search_fields: list = []

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name

    def opening_hours_on(self, weekday: int) -> list["OpeningHours"]:
        """The hours on a weekday (0 Monday … 6 Sunday), of the prefetched hours."""
        return [hours for hours in self.opening_hours.all() if hours.weekday == weekday]


class OpeningHours(models.Model):
    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    office = ParentalKey(Office, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    panels = [FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ServiceQuerySet(SearchableQuerySetMixin, ImportedQuerySet):
    def for_listing(self):
        return self.current().only("pk", "name", "short_text", "leika_key")

    def with_details(self):
        """With what a service's page and its API detail show, in fixed queries: its current
        life situations and online services, and the responsibilities of current offices
        (office, Ortschaft, opening hours), the whole municipality's first."""
        return self.prefetch_related(
            models.Prefetch("life_situations", LifeSituation.objects.current()),
            models.Prefetch("online_services", OnlineService.objects.current().order_by("name")),
            models.Prefetch(
                "responsibilities",
                ServiceResponsibility.objects.filter(office__removed_at__isnull=True)
                .select_related("office", "ortschaft")
                .prefetch_related("office__opening_hours")
                .order_by(models.F("ortschaft__sort_order").asc(nulls_first=True), "pk"),
            ),
        )


class Service(Imported, index.Indexed, ClusterableModel):
    """A Verwaltungsleistung, keyed by its LeiKa key, with its text modules."""

    leika_key = models.CharField(
        _("LeiKa key"),
        max_length=14,
        validators=[LEIKA_KEY],
        db_index=True,
        help_text=_("The 14-digit key of the Leistungskatalog (LeiKa)."),
    )
    name = models.CharField(_("name"), max_length=300)
    short_text = models.TextField(_("short text"), blank=True, max_length=2000)
    full_text = RichTextField(_("full text"), blank=True, features=TEXT_FEATURES)
    prerequisites = RichTextField(_("prerequisites"), blank=True, features=TEXT_FEATURES)
    required_documents = RichTextField(_("required documents"), blank=True, features=TEXT_FEATURES)
    procedure = RichTextField(_("procedure"), blank=True, features=TEXT_FEATURES)
    fees = RichTextField(_("fees"), blank=True, features=TEXT_FEATURES)
    deadlines = RichTextField(_("deadlines"), blank=True, features=TEXT_FEATURES)
    processing_time = RichTextField(_("processing time"), blank=True, features=TEXT_FEATURES)
    legal_basis = RichTextField(_("legal basis"), blank=True, features=TEXT_FEATURES)
    forms = RichTextField(_("forms"), blank=True, features=TEXT_FEATURES)
    remedies = RichTextField(_("legal remedies"), blank=True, features=TEXT_FEATURES)
    notes = RichTextField(_("notes"), blank=True, features=TEXT_FEATURES)
    further_information = RichTextField(
        _("further information"), blank=True, features=TEXT_FEATURES
    )
    synonyms = models.TextField(
        _("search terms"),
        blank=True,
        help_text=_("Other words citizens use for this service, one per line."),
    )
    life_situations = ParentalManyToManyField(
        LifeSituation, verbose_name=_("life situations"), blank=True, related_name="services"
    )
    popularity = models.PositiveSmallIntegerField(
        _("place among the most used services"),
        null=True,
        blank=True,
        help_text=_("1 to 8: shown on the home page in this order. Empty: not shown there."),
    )
    modified_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    objects = ServiceQuerySet.as_manager()

    # The texts staff can change and the import fills (with their text-module codes in
    # services/xzufi.py); a change by staff is kept (see the module's docstring).
    TEXT_FIELDS = [
        "short_text",
        "full_text",
        "prerequisites",
        "required_documents",
        "procedure",
        "fees",
        "deadlines",
        "processing_time",
        "legal_basis",
        "forms",
        "remedies",
        "notes",
        "further_information",
    ]

    panels = [
        FieldPanel("name"),
        FieldPanel("leika_key"),
        FieldPanel("short_text"),
        FieldPanel("full_text"),
        MultiFieldPanel(
            [
                FieldPanel("prerequisites"),
                FieldPanel("required_documents"),
                FieldPanel("procedure"),
                FieldPanel("fees"),
                FieldPanel("deadlines"),
                FieldPanel("processing_time"),
            ],
            heading=_("What citizens need to know"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("legal_basis"),
                FieldPanel("forms"),
                FieldPanel("remedies"),
                FieldPanel("notes"),
                FieldPanel("further_information"),
            ],
            heading=_("Legal basis and more"),
        ),
        InlinePanel(
            "responsibilities",
            heading=_("Responsible offices"),
            label=_("Responsible office"),
        ),
        FieldPanel("life_situations"),
        FieldPanel("synonyms"),
        FieldPanel("popularity"),
        FieldPanel("reset_to_export"),
    ]
    search_fields = [
        index.SearchField("name", boost=4),
        index.SearchField("synonyms", boost=3),
        index.SearchField("short_text"),
        index.SearchField("full_text_for_search"),
        index.AutocompleteField("name"),
        index.FilterField("removed_at"),
        index.FilterField("popularity"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("administrative service")
        verbose_name_plural = _("administrative services")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:service", args=[self.pk])

    @property
    def full_text_for_search(self) -> str:
        # Made once with nh3: Wagtail would strip the rich text's tags with Django's
        # strip_tags for each of its index's parts (a fifth of a large import's time).
        return plain_text(self.full_text)


class ServiceResponsibility(models.Model):
    """Which office is responsible for a service where: for the whole municipality (no
    Ortschaft) or for one Ortschaft (the Ortschaft's variant)."""

    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="responsibilities")
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="+"
    )
    ortschaft = models.ForeignKey(
        Ortschaft,
        verbose_name=_("Ortschaft"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: for the whole municipality."),
    )
    is_imported = models.BooleanField(default=False, editable=False)

    panels = [FieldPanel("office"), FieldPanel("ortschaft")]

    class Meta:
        verbose_name = _("responsible office")
        verbose_name_plural = _("responsible offices")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "office", "ortschaft"],
                condition=models.Q(ortschaft__isnull=False),
                name="services_responsibility_unique_ortschaft",
            ),
            models.UniqueConstraint(
                fields=["service", "office"],
                condition=models.Q(ortschaft__isnull=True),
                name="services_responsibility_unique_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} ({self.ortschaft or _('whole municipality')})"


class OnlineService(Imported):
    """An Onlinedienst: where a service is applied for online."""

    TRUST_LEVELS = [
        ("", _("not stated")),
        ("basic", _("basic (user name and password)")),
        ("low", _("low")),
        ("substantial", _("substantial")),
        ("high", _("high (online ID card)")),
    ]

    name = models.CharField(_("name"), max_length=300)
    url = models.URLField(
        _("address of the application"),
        max_length=1000,
        help_text=_("Where the citizen starts the application (http or https)."),
    )
    link_type = models.CharField(
        _("link type"),
        max_length=20,
        blank=True,
        help_text=_("Code of urn:xoev-de:fim:codeliste:onlinedienstlinktyp, where imported."),
    )
    trust_level = models.CharField(
        _("trust level"), max_length=20, choices=TRUST_LEVELS, blank=True
    )
    requirements = models.TextField(
        _("what citizens need"),
        blank=True,
        max_length=2000,
        help_text=_("E.g. the BundID account, the online ID card, a scanned document."),
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), related_name="online_services", blank=True
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("trust_level"),
        FieldPanel("requirements"),
        FieldPanel("services"),
        FieldPanel("reset_to_export"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("online service")
        verbose_name_plural = _("online services")

    def __str__(self) -> str:
        return self.name


class CatalogueImport(models.Model):
    """One run of the import: where from, how it ended, what it changed or why it failed."""

    page_cache_private = True

    STATES = [
        ("running", _("running")),
        ("done", _("done")),
        ("failed", _("failed")),
    ]

    source = models.CharField(_("source"), max_length=1000)
    state = models.CharField(_("state"), max_length=10, choices=STATES, default="running")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created = models.JSONField(_("new"), default=list, blank=True)
    changed = models.JSONField(_("changed"), default=list, blank=True)
    removed = models.JSONField(_("removed"), default=list, blank=True)
    errors = models.JSONField(_("messages"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")

    def __str__(self) -> str:
        return f"{self.source} ({self.started_at:%Y-%m-%d %H:%M})"
