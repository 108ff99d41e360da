"""The notice board: notices (with Amtliche Bekanntmachungen and events among them),
the board page, the calendar page, and the record of what hung on the board when."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.core.paginator import Page as PageOfResults
from django.db import models, transaction
from django.db.models import Q
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet, Revision
from wagtail.search import index

from services.models import Service
from website.forms import form_values
from website.models import Ortschaft, ViewRestrictionsMixin, easy_language_original_field
from website.ortschaft import remembered_ortschaft_redirect
from website.page_cache import kept_for_generation, shared_until_change
from website.page_form import PortalPageForm

from ..blocks import NoticeBodyBlock
from ..forms import BoardFilterForm, CalendarFilterForm, NoticePageForm
from ..ical import cached_ical_response, ical_response
from ..permissions import NoticePermissionTester


def official_kind_ids() -> frozenset[int]:
    """The kinds of notice with a display period (Amtliche Bekanntmachung), kept for the
    generation: the admin asks for every notice it lists."""
    return kept_for_generation(
        None,
        "official notice kinds",
        lambda: frozenset(
            NoticeKind.objects.filter(has_display_period=True).values_list("pk", flat=True)
        ),
    )


class NoticeKind(models.Model):
    """Amtliche Bekanntmachung, Neuigkeit, Veranstaltung …: data, so each municipality
    can add its own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    has_display_period = models.BooleanField(
        _("official notice"),
        default=False,
        help_text=_(
            "Official notices (Amtliche Bekanntmachungen) need a display period and the "
            "approval of a second person before they are published."
        ),
    )
    is_event = models.BooleanField(
        _("event"),
        default=False,
        help_text=_("Notices of this kind have a date and appear in the calendar."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("has_display_period"),
        FieldPanel("is_event"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("kind of notice")
        verbose_name_plural = _("kinds of notice")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


def _on_board(now: datetime) -> Q:
    return Q(kind__has_display_period=False) | Q(display_from__lte=now, display_until__gt=now)


class NoticeQuerySet(PageQuerySet):
    def for_listing(self) -> "NoticeQuerySet":
        """What every list of notices shows: kind, Ortschaften and categories, in fixed queries."""
        return (
            self.select_related("kind")
            .prefetch_related("ortschaften", "categories")
            .defer_streamfields()
        )

    def for_ortschaft(self, ortschaft: Ortschaft) -> "NoticeQuerySet":
        """Notices concerning this Ortschaft, and those for the whole municipality."""
        return self.filter(Q(ortschaften=ortschaft) | Q(ortschaften__isnull=True))

    def private_q(self) -> Q:
        # No query for the private parts of the site while there are none.
        from website.layout import any_view_restrictions  # which needs the models

        return super().private_q() if any_view_restrictions() else Q(pk__in=[])

    def on_board(self, now: datetime | None = None) -> "NoticeQuerySet":
        """Live notices that belong on the board now: official ones only within their period."""
        return self.live().public().filter(_on_board(now or timezone.now()))

    def off_board(self, now: datetime | None = None) -> "NoticeQuerySet":
        """Official notices outside their display period: before it, or expired."""
        return self.exclude(_on_board(now or timezone.now()))

    def shown(self, now: datetime | None = None) -> "NoticeQuerySet":
        """Every notice the public site shows somewhere: on the board, or expired and in the
        archive; not an official one whose display period has not begun."""
        now = now or timezone.now()
        return (
            self.live()
            .public()
            .filter(Q(kind__has_display_period=False) | Q(display_from__lte=now))
        )

    def expired(self, now: datetime | None = None) -> "NoticeQuerySet":
        """Official notices whose display period is over: they belong in the archive."""
        now = now or timezone.now()
        return self.live().public().filter(kind__has_display_period=True, display_until__lte=now)

    def upcoming_events(self, now: datetime | None = None) -> "NoticeQuerySet":
        """Events not over yet; an all-day event stays until its (last) day is over."""
        now = now or timezone.now()
        start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return (
            self.live()
            .public()
            .filter(kind__is_event=True, event_start__isnull=False)
            .filter(
                Q(is_all_day=False, event_end__gte=now)
                | Q(is_all_day=False, event_end__isnull=True, event_start__gte=now)
                | Q(is_all_day=True, event_end__gte=start_of_today)
                | Q(is_all_day=True, event_end__isnull=True, event_start__gte=start_of_today)
            )
        )

    def newest_first(self) -> "NoticeQuerySet":
        return self.order_by("-publication_date", "-pk")


NoticeManager = PageManager.from_queryset(NoticeQuerySet)


class NoticePage(ViewRestrictionsMixin, RoutablePageMixin, Page):
    # When time changes what the board, the calendar and the page show (page_cache.py).
    page_cache_moments = ("display_from", "display_until", "event_start", "event_end")

    kind = models.ForeignKey(NoticeKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    ortschaften = ParentalManyToManyField(
        Ortschaft,
        verbose_name=_("Ortschaften"),
        blank=True,
        help_text=_("Leave empty when the notice concerns the whole municipality."),
    )
    easy_language_original = easy_language_original_field(
        _(
            "Choose the notice this one explains in Leichte Sprache; both then link to "
            "each other. Empty for a notice in standard language."
        )
    )
    categories = ParentalManyToManyField(Category, verbose_name=_("categories"), blank=True)
    teaser = models.TextField(
        _("teaser"),
        max_length=400,
        help_text=_("One or two sentences for the board and the feeds."),
    )
    body = StreamField(NoticeBodyBlock(), verbose_name=_("body"), blank=True)
    publication_date = models.DateField(
        _("publication date"), default=timezone.localdate, db_index=True
    )

    display_from = models.DateTimeField(_("displayed from"), null=True, blank=True)
    display_until = models.DateTimeField(_("displayed until"), null=True, blank=True)

    event_start = models.DateTimeField(_("starts"), null=True, blank=True, db_index=True)
    event_end = models.DateTimeField(_("ends"), null=True, blank=True)
    is_all_day = models.BooleanField(_("all day"), default=False)
    location_name = models.CharField(_("place"), max_length=200, blank=True)
    location_address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    registration_url = models.URLField(_("registration link"), blank=True)

    contact_department = models.CharField(_("department"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)

    # A first publication is always announced; a change only when its editor asks.
    send_change = models.BooleanField(
        _("send this change to subscribers"),
        default=False,
        help_text=_(
            "Tick this when publishing an important change (a new date, a correction): "
            "subscribers get an e-mail about it. Unticked, publishing a change sends nothing."
        ),
    )

    objects = NoticeManager()
    base_form_class = NoticePageForm

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind", widget=RadioSelect), FieldPanel("publication_date")]),
        FieldPanel("ortschaften", widget=CheckboxSelectMultiple),
        FieldPanel("categories", widget=CheckboxSelectMultiple),
        FieldPanel("teaser"),
        FieldPanel("body"),
        FieldPanel("easy_language_original"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("display_from"), FieldPanel("display_until")])],
            heading=_("Display period (official notices)"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("event_start"), FieldPanel("event_end"), FieldPanel("is_all_day")]
                ),
                FieldPanel("location_name"),
                FieldPanel("location_address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("organiser"),
                FieldPanel("registration_url"),
            ],
            heading=_("Event"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_department"),
                FieldPanel("contact_person"),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
            ],
            heading=_("Contact"),
        ),
        InlinePanel(
            "related_services",
            heading=_("Related administrative services"),
            label=_("Administrative service"),
            help_text=_("Shown with the notice: what citizens can apply for because of it."),
        ),
        FieldPanel("send_change"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("teaser"),
        index.SearchField("body"),
        index.RelatedFields("kind", [index.SearchField("name")]),
        index.FilterField("publication_date"),
    ]
    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        permissions = [("publish_official_notice", _("Can approve and publish official notices"))]

    def clean(self):
        super().clean()
        errors = {}
        kind = self.kind if self.kind_id else None
        if kind and kind.has_display_period:
            if not self.display_from:
                errors["display_from"] = _(
                    "An official notice needs the start of its display period."
                )
            if not self.display_until:
                errors["display_until"] = _(
                    "An official notice needs the end of its display period."
                )
            if self.display_from and self.display_until and self.display_until <= self.display_from:
                errors["display_until"] = _("The display period must end after it starts.")
        if kind and kind.is_event and not self.event_start:
            errors["event_start"] = _("An event needs a start.")
        if self.event_start and self.event_end and self.event_end < self.event_start:
            errors["event_end"] = _("An event cannot end before it starts.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)

    def publish(self, revision, *args, **kwargs):
        # The outbox row of the announcement (see notices/signal_handlers.py) commits with the
        # publication, or neither does.
        with transaction.atomic():
            return super().publish(revision, *args, **kwargs)

    @property
    def is_official(self) -> bool:
        return self.kind.has_display_period

    def is_expired(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.is_official and self.display_until is not None and self.display_until <= now

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read by the page of an official notice only, when its article is not in the cache.
        context["display_records"] = self.display_records.order_by("put_up_at")
        return context

    def permissions_for_user(self, user):
        # Official notices need a second person to publish them (Vier-Augen-Prinzip).
        return NoticePermissionTester(user, self)

    @path("ical/", name="ical")
    def ical(self, request):
        if not self.event_start:
            raise Http404(_("This notice is not an event."))
        return ical_response(request, [self], name=self.title, filename=f"{self.slug}.ics")

    def is_or_was_official(self) -> bool:
        """Whether this notice is official in this version (an editor's draft, say), in its
        live version or in any revision saved since: what the four-eyes principle holds to,
        so that changing the kind of an approved notice cannot go live without approval.

        Asked for every notice of the admin's listings (their buttons): without changes
        waiting, it needs no query."""
        official = official_kind_ids()
        if self.kind_id in official:
            return True
        if self.pk is None or not self.has_unpublished_changes:
            return False
        # The page's row holds its live version; a revision's content names its kind by id.
        live_version = NoticePage.objects.filter(pk=self.pk, kind__in=official)
        revisions_since = Revision.page_revisions.filter(
            object_id=str(self.pk), pk__gt=self.live_revision_id or 0, content__kind__in=official
        )
        return live_version.exists() or revisions_since.exists()

    @property
    def has_workflow(self) -> bool:
        return self.is_or_was_official() and super().has_workflow

    def get_workflow(self):
        return super().get_workflow() if self.is_or_was_official() else None


class NoticeRelatedService(Orderable):
    """An administrative service a notice names: "Das können Sie online erledigen"."""

    notice = ParentalKey("NoticePage", on_delete=models.CASCADE, related_name="related_services")
    service = models.ForeignKey(
        Service,
        verbose_name=_("administrative service"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("service")]

    class Meta(Orderable.Meta):
        verbose_name = _("related administrative service")
        verbose_name_plural = _("related administrative services")


class NoticeDisplayRecord(models.Model):
    """When an official notice actually hung on the board: written by the portal, never by staff."""

    # Nobody may change these rows: the admin shows them through a read-only permission policy.
    notice = models.ForeignKey(
        NoticePage, on_delete=models.SET_NULL, null=True, related_name="display_records"
    )
    notice_title = models.CharField(_("notice"), max_length=255)
    put_up_at = models.DateTimeField(_("put up"))
    taken_down_at = models.DateTimeField(_("taken down"), null=True)

    class Meta:
        ordering = ["-put_up_at"]
        verbose_name = _("display record")
        verbose_name_plural = _("display records")
        constraints = [
            # At most one open record per notice: it cannot hang twice at once.
            models.UniqueConstraint(
                fields=["notice"],
                condition=Q(taken_down_at__isnull=True),
                name="one_open_display_per_notice",
            )
        ]

    def __str__(self) -> str:
        return self.notice_title

    # What the admin's inspect view shows of the times (Wagtail asks for get_<field>_display):
    # local time, as the list and the public page show it, and an open record says so.
    def get_put_up_at_display(self) -> str:
        return date_format(timezone.localtime(self.put_up_at), "DATETIME_FORMAT")

    def get_taken_down_at_display(self) -> str:
        if self.taken_down_at is None:
            return _("not yet: still on the board")
        return date_format(timezone.localtime(self.taken_down_at), "DATETIME_FORMAT")


BOARD_PAGE_SIZE = 20
CALENDAR_PAGE_SIZE = 50
ICAL_HORIZON_DAYS = 366
ICAL_MAX_EVENTS = 500


def _page_or_404(request, items: Callable[[], models.QuerySet], per_page: int, listing: str):
    """A page of results; a page number that is not a number or out of range is a 404.

    The number of results, which costs more than the page itself (thousands of notices to
    count), is made once for all pages of the same listing (`listing` names it), and each
    page's items (ids, or what the calendar's entries need) once for every address that asks
    for that page, until what they show changes. `items` makes the queryset, which is built
    only when one of them is not kept."""
    paginator = Paginator([], per_page)  # it pages what `items` makes, below
    paginator.count = shared_until_change(request, f"count {listing}", lambda: items().count())
    try:
        number = paginator.validate_number(request.GET.get("seite") or 1)
    except InvalidPage:
        raise Http404(_("There is no such page of results.")) from None
    first = (number - 1) * per_page
    rows = shared_until_change(
        request, f"page {number} of {listing}", lambda: list(items()[first : first + per_page])
    )
    return PageOfResults(rows, number, paginator)


def _filtered_listing(page, request, form_class, items_for, page_size: int, feed_keys: tuple):
    """A filtered, paginated listing page: valid filters apply, invalid ones are explained."""
    form = form_class(request)
    filters = form.valid_filters()
    listing = f"{page.pk} " + " ".join(
        f"{key}={getattr(value, 'pk', value)}" for key, value in sorted(filters.items())
    )
    results = _page_or_404(request, lambda: items_for(filters), page_size, listing)
    feed_query = urlencode(
        {key: getattr(filters[key], "slug", filters[key]) for key in feed_keys if key in filters}
    )
    return page.render(
        request,
        context_overrides={
            "form": form,
            "form_values": form_values(form, request.GET),
            "filters": filters,
            "results": results,
            "feed_query": feed_query,
        },
    )


def _address_parts(url: str) -> list[str]:
    """An address cut after each slash of its path and before each hyphen, for a `<wbr>`
    between the parts of an address that wraps nowhere else: a reader copying it from paper
    or a screen then finds its lines broken where a hyphen begins the next one, never where
    it could be taken for hyphenation or within a word (as browsers break addresses)."""
    return re.split(r"(?<=[^/]/)(?=[^/])|(?<=.)(?=-)", url)


class NoticeIndexPage(ViewRestrictionsMixin, RoutablePageMixin, Page):
    """The board (Schwarzes Brett): current notices, filters, feeds, print view and display mode."""

    base_form_class = PortalPageForm

    introduction = models.TextField(_("introduction"), blank=True, max_length=1000)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["notices.NoticePage"]

    class Meta:
        verbose_name = _("notice board")

    def notices(self) -> NoticeQuerySet:
        return NoticePage.objects.child_of(self)

    def route(self, request, path_components):
        # A notice's address finds the notice with its kind in one query (Wagtail's routing
        # needs two, the page and then its specific row); the board's own addresses come first.
        if len(path_components) != 1 or not self.live or self._is_own_address(path_components):
            return super().route(request, path_components)
        try:
            # A slug is unique among siblings.
            notice = self.notices().select_related("kind").get(slug=path_components[0])
        except NoticePage.DoesNotExist:
            raise Http404 from None
        return notice.route(request, [])

    def _is_own_address(self, path_components: list[str]) -> bool:
        try:
            self.resolve_subpage(f"/{path_components[0]}/")
        except Http404:
            return False
        return True

    def filtered_notices(self, filters: dict, now: datetime | None = None) -> NoticeQuerySet:
        notices = self.notices().on_board(now)
        if "ortschaft" in filters:
            notices = notices.for_ortschaft(filters["ortschaft"])
        if "art" in filters:
            notices = notices.filter(kind=filters["art"])
        if "kategorie" in filters:
            notices = notices.filter(categories=filters["kategorie"])
        if "von" in filters:
            notices = notices.filter(publication_date__gte=filters["von"])
        if "bis" in filters:
            notices = notices.filter(publication_date__lte=filters["bis"])
        if filters.get("sprache") == "leicht":
            notices = notices.filter(easy_language_original__isnull=False)
        return notices.for_listing().newest_first()

    def filtered_ids(self, filters: dict) -> models.QuerySet:
        """The ids of `filtered_notices(filters)`, in their order: what a page of the board
        needs, whose teasers come from the cache (`{% notice_teasers %}`)."""
        return self.filtered_notices(filters).prefetch_related(None).values_list("pk", flat=True)

    @path("")
    def board(self, request):
        if response := remembered_ortschaft_redirect(request, self.get_url(request)):
            return response
        return _filtered_listing(
            self,
            request,
            BoardFilterForm,
            self.filtered_ids,
            BOARD_PAGE_SIZE,
            ("ortschaft", "art", "sprache"),
        )

    @path("rss/", name="rss")
    def rss(self, request):
        from ..feeds import BoardRssFeed

        return BoardRssFeed(board=self)(request)

    @path("atom/", name="atom")
    def atom(self, request):
        from ..feeds import BoardAtomFeed

        return BoardAtomFeed(board=self)(request)

    @path("archiv/", name="archive")
    def archive(self, request):
        # The ids only, as on the board: the teasers come from the cache.
        def ids():
            expired = self.notices().expired().order_by("-display_until", "-pk")
            return expired.values_list("pk", flat=True)

        results = _page_or_404(request, ids, BOARD_PAGE_SIZE, f"{self.pk} archiv")
        return self.render(
            request, template="notices/notice_archive.html", context_overrides={"results": results}
        )

    @path("aushang/<slug:ortschaft_slug>/", name="print")
    def print_view(self, request, ortschaft_slug: str):
        ortschaft = get_object_or_404(Ortschaft, slug=ortschaft_slug)
        notices = (
            self.notices()
            .on_board()
            .filter(kind__has_display_period=True)
            .for_ortschaft(ortschaft)
            .for_listing()
            .order_by("display_from", "pk")
        )
        # Each with its full address, which a reader at the Schaukasten types in.
        sheet = [(notice, _address_parts(notice.get_full_url(request))) for notice in notices]
        return self.render(
            request,
            template="notices/notice_print.html",
            context_overrides={"ortschaft": ortschaft, "notices": sheet},
        )

    @path("anzeige/<slug:ortschaft_slug>/", name="display")
    def display_view(self, request, ortschaft_slug: str):
        ortschaft = get_object_or_404(Ortschaft, slug=ortschaft_slug)
        # Official notices first, however old: the screen is one of the places they are made
        # known, so they are never cut off by newer news (display.js shows them more often).
        notices = (
            self.notices()
            .on_board()
            .for_ortschaft(ortschaft)
            .for_listing()
            .order_by("-kind__has_display_period", "-publication_date", "-pk")[:12]
        )
        # Each slide with its notice's address, short (no scheme) to read and type from afar.
        slides = [
            (notice, _address_parts(notice.get_full_url(request).partition("://")[2]))
            for notice in notices
        ]
        events = (
            NoticePage.objects.upcoming_events()
            .for_ortschaft(ortschaft)
            .for_listing()
            .order_by("event_start", "pk")[:8]
        )
        return self.render(
            request,
            template="notices/notice_display.html",
            context_overrides={"ortschaft": ortschaft, "notices": slides, "events": events},
        )


class CalendarPage(ViewRestrictionsMixin, RoutablePageMixin, Page):
    """Upcoming events by month, with iCalendar feeds for all and per Ortschaft."""

    base_form_class = PortalPageForm

    introduction = models.TextField(_("introduction"), blank=True, max_length=1000)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("calendar")

    def events(self, filters: dict) -> NoticeQuerySet:
        # The events of the calendar's site: the pages below its parent (the site's root
        # page), whose path begins the calendar's own, with no query for the parent.
        site_root_path = self.path[: -self.steplen]
        events = NoticePage.objects.filter(path__startswith=site_root_path).upcoming_events()
        if "ortschaft" in filters:
            events = events.for_ortschaft(filters["ortschaft"])
        if "kategorie" in filters:
            events = events.filter(categories=filters["kategorie"])
        return events.for_listing().order_by("event_start", "pk")

    @path("")
    def calendar(self, request):
        if response := remembered_ortschaft_redirect(request, self.get_url(request)):
            return response
        return _filtered_listing(
            self,
            request,
            CalendarFilterForm,
            # what `{% event_months %}` needs: the entries are made once per generation
            lambda filters: self.events(filters).prefetch_related(None).values("pk", "event_start"),
            CALENDAR_PAGE_SIZE,
            ("ortschaft",),
        )

    @path("ical/", name="ical")
    def ical_feed(self, request):
        filters = CalendarFilterForm(request).valid_filters()
        ortschaft = filters.get("ortschaft")
        name = f"{self.title} – {ortschaft.name}" if ortschaft else self.title
        # Calendar programs poll the feed: the next year is what they need, at a bounded cost.
        horizon = timezone.now() + timedelta(days=ICAL_HORIZON_DAYS)
        return cached_ical_response(
            request,
            lambda: self.events(filters).filter(event_start__lt=horizon)[:ICAL_MAX_EVENTS],
            key=f"{self.pk}:{ortschaft.slug if ortschaft else ''}",
            name=name,
            filename="termine.ics",
        )
