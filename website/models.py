"""What every app of the portal shares: the home page, the Ortschaften, the
municipality's settings, the standard pages and barrier reports."""

from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.search import index

from .forms import BarrierReportForm
from .ortschaft import ortschaft_for_slug, remembered_ortschaft_redirect
from .page_cache import kept_for_generation
from .page_form import PortalPageForm

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class Ortschaft(index.Indexed, models.Model):
    """A part of the municipality that notices, documents and surveys can concern."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in addresses, e.g. /?ortschaft=ebendorf"),
    )
    short_description = models.TextField(_("short description"), blank=True, max_length=500)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    area_key = models.CharField(
        _("area key"),
        max_length=40,
        blank=True,
        help_text=_(
            "The key the state's service catalogue (XZuFi) uses for this Ortschaft, where "
            "offices are responsible for it alone; empty if there is none."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("short_description"),
        FieldPanel("sort_order"),
        FieldPanel("area_key"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("Ortschaft")
        verbose_name_plural = _("Ortschaften")

    def __str__(self) -> str:
        return self.name


@register_setting(icon="home")
class MunicipalitySettings(BaseSiteSetting):
    """Who runs this site: name, contact data and branding, per Wagtail site."""

    select_related = ["logo"]  # every page shows it

    name = models.CharField(_("name of the municipality"), max_length=150, default="Gemeinde")
    ags = models.CharField(
        _("official municipality key (AGS)"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("The AGS has exactly eight digits."))],
        help_text=_("Amtlicher Gemeindeschlüssel, eight digits; published in the OParl data."),
    )
    street_address = models.CharField(_("street and number"), max_length=150, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True, max_length=1000)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    barrier_report_email = models.EmailField(
        _("recipient of barrier reports"),
        blank=True,
        help_text=_(
            "Reports from the accessibility statement go here; empty means the e-mail above."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("ags"),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldPanel("postal_code"),
                FieldPanel("city"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("logo"),
        FieldPanel("barrier_report_email"),
    ]

    class Meta:
        verbose_name = _("municipality")

    @classmethod
    def for_site(cls, site):
        """The site's settings, kept in the cache for the generation of the page cache:
        every page shows them, and every save of them starts a new generation."""
        uncached = super().for_site
        if site is None:
            return uncached(site)
        return kept_for_generation(None, f"municipality settings {site.pk}", lambda: uncached(site))

    @property
    def barrier_report_recipient(self) -> str:
        return self.barrier_report_email or self.email


def easy_language_original_field(help_text: str) -> models.ForeignKey:
    """The field of a page in Leichte Sprache that names the page of its type it explains
    (a notice's, a standard page's); its versions are `easy_language_versions` (the template
    tag of the same name, includes/easy_language.html, PortalPageForm's checks)."""
    return models.ForeignKey(
        "self",
        verbose_name=_("Leichte Sprache version of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="easy_language_versions",
        help_text=help_text,
    )


class ViewRestrictionsMixin:
    """For a page that looks for its view restrictions (Wagtail: two queries whenever it is
    shown) only while some page of the portal has one."""

    def get_view_restrictions(self):
        from .layout import any_view_restrictions  # which needs these models

        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class HomePage(ViewRestrictionsMixin, Page):
    base_form_class = PortalPageForm
    introduction = models.TextField(_("introduction"), blank=True, max_length=1000)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        # The child from the cache (layout.py), where Wagtail's routing would ask the database
        # twice (the page, then its specific row) for every address below the home page.
        from .layout import child_page  # which needs these models

        return child_page(request, self, path_components[0]).route(request, path_components[1:])

    def serve(self, request, *args, **kwargs):
        return remembered_ortschaft_redirect(request, self.get_url(request)) or super().serve(
            request, *args, **kwargs
        )

    def get_context(self, request, *args, **kwargs):
        """The Ortschaft in the address; the apps show their sections for it through their
        own template tags (the board's notices and events, the open surveys)."""
        context = super().get_context(request, *args, **kwargs)
        context["ortschaft"] = ortschaft_for_slug(request.GET.get("ortschaft"))
        return context


class ContentPage(ViewRestrictionsMixin, Page):
    """A page of text: what the standard pages and the accessibility statement share."""

    base_form_class = PortalPageForm

    introduction = models.TextField(_("introduction"), blank=True, max_length=1000)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)
    show_in_footer = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_(
            "Legal and contact pages (Impressum, Datenschutz, Barrierefreiheit) "
            "belong in the footer."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_footer")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    subpage_types: list[str] = []

    class Meta:
        abstract = True


class StandardPage(ContentPage):
    """Impressum, Datenschutzerklärung, Kontakt and any other page of text."""

    easy_language_original = easy_language_original_field(
        _(
            "Choose the page this one explains in Leichte Sprache; both then link to each "
            "other. Empty for a page in standard language."
        )
    )

    content_panels = [*ContentPage.content_panels, FieldPanel("easy_language_original")]
    subpage_types = ["website.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class AccessibilityStatementPage(ContentPage):
    """The Erklärung zur Barrierefreiheit, with the form to report a barrier (BITV 2.0 § 7)."""

    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")

    def serve(self, request, *args, **kwargs):
        # The service imports this module, so it is imported here, when it is needed.
        from .barrier_reports import barrier_report_submit

        if request.method == "POST":
            form = BarrierReportForm(request.POST)
            if form.is_valid():
                barrier_report_submit(site=Site.find_for_request(request), **form.cleaned_data)
                return redirect(f"{self.url}?gemeldet=1#barriere-melden")
        else:
            form = BarrierReportForm()
        context = self.get_context(request, *args, **kwargs)
        context["form"] = form
        context["is_reported"] = request.GET.get("gemeldet") == "1"
        return TemplateResponse(request, self.get_template(request), context)


class BarrierReport(models.Model):
    """A citizen's report of a barrier on the site; kept even when the e-mail to staff fails."""

    # No public page shows these rows (page_cache.py).
    page_cache_private = True

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.SET_NULL, null=True, editable=False
    )
    message = models.TextField(
        _("description of the barrier"), validators=[MaxLengthValidator(5000)]
    )
    location = models.CharField(_("page or content concerned"), max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail for a reply"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    notified_at = models.DateTimeField(_("staff notified"), null=True, blank=True, editable=False)
    is_resolved = models.BooleanField(_("resolved"), default=False)

    panels = [
        FieldPanel("message", read_only=True),
        FieldPanel("location", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("is_resolved"),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("barrier report")
        verbose_name_plural = _("barrier reports")

    def __str__(self) -> str:
        return self.message[:60]
