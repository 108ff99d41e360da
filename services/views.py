"""The citizens' pages of the service catalogue: the services A–Z, by life situation, and
one page per service at an address that stays the same (its number), whatever an import
changes."""

from itertools import groupby

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Left, Upper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from website.ortschaft import COOKIE_NAME as ORTSCHAFT_COOKIE
from website.seo import json_ld_script

from .models import LifeSituation, OpeningHours, Service
from .structured_data import service_json_ld

# The texts of a service page, in the order citizens need them: (anchor, heading, field).
SECTIONS = [
    ("beschreibung", _("Description"), "full_text"),
    ("voraussetzungen", _("Prerequisites"), "prerequisites"),
    ("unterlagen", _("Required documents"), "required_documents"),
    ("ablauf", _("Procedure"), "procedure"),
    ("kosten", _("Fees"), "fees"),
    ("fristen", _("Deadlines"), "deadlines"),
    ("bearbeitungsdauer", _("Processing time"), "processing_time"),
    ("formulare", _("Forms"), "forms"),
    ("hinweise", _("Notes"), "notes"),
    ("rechtsgrundlage", _("Legal basis"), "legal_basis"),
    ("rechtsbehelf", _("Legal remedies"), "remedies"),
    ("weitere-informationen", _("Further information"), "further_information"),
]
# Up to this many services the A–Z list shows all of them; a larger catalogue one letter
# at a time (a page of 10,000 names helps nobody and weighs a megabyte).
ALL_ON_ONE_PAGE = 400


# Umlauts are filed under their vowel, as in a dictionary.
FILED_UNDER = {"Ä": "A", "Ö": "O", "Ü": "U"}


def _initial(name: str) -> str:
    letter = name[:1].upper()
    return FILED_UNDER.get(letter, letter if letter.isalpha() else "#")


def _starting_with(letter: str) -> Q:
    if letter == "#":
        # PostgreSQL's regular expressions know POSIX classes, Python's (SQLite) do not.
        letter_first = r"^[[:alpha:]]" if connection.vendor == "postgresql" else r"^[^\W\d_]"
        return ~Q(name__regex=letter_first)
    others = [umlaut for umlaut, vowel in FILED_UNDER.items() if vowel == letter]
    condition = Q(name__istartswith=letter)
    for umlaut in others:
        condition |= Q(name__istartswith=umlaut)
    return condition


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    """Verwaltungsleistungen A–Z, and the life situations to browse by."""
    current = Service.objects.current()
    initials = (
        current.annotate(initial=Upper(Left("name", 1)))
        .values_list("initial")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for initial, count in initials:
        letter = _initial(initial)
        counts[letter] = counts.get(letter, 0) + count
    letters = sorted(counts)
    total = sum(counts.values())
    is_by_letter = total > ALL_ON_ONE_PAGE
    chosen = request.GET.get("buchstabe", "").upper()
    if chosen not in letters:
        chosen = letters[0] if is_by_letter and letters else ""
    shown = current.order_by("name").values("pk", "name")
    if chosen:
        shown = shown.filter(_starting_with(chosen))
    groups = [
        (letter, list(items))
        for letter, items in groupby(shown, key=lambda service: _initial(service["name"]))
    ]
    with_services = Service.objects.current().filter(life_situations=OuterRef("pk"))
    return render(
        request,
        "services/service_list.html",
        {
            "groups": groups,
            "letters": letters,
            "chosen_letter": chosen,
            "is_by_letter": is_by_letter,
            "total": total,
            "life_situations": LifeSituation.objects.current().filter(Exists(with_services)),
        },
    )


@require_GET
def life_situation(request: HttpRequest, slug: str) -> HttpResponse:
    """The services of one life situation."""
    situation = get_object_or_404(LifeSituation.objects.current(), slug=slug)
    return render(
        request,
        "services/life_situation.html",
        {
            "life_situation": situation,
            "services": situation.services.for_listing().order_by("name"),
        },
    )


@require_GET
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A service: what it is, what it needs, who is responsible (with today's opening hours),
    and the button to apply online where an online service exists."""
    service = get_object_or_404(Service.objects.with_details(), pk=pk)
    if service.removed_at is not None:
        return render(request, "services/service_gone.html", {"service": service}, status=410)
    chosen_slug = request.COOKIES.get(ORTSCHAFT_COOKIE)
    weekday = timezone.localdate().weekday()
    offices = [
        {
            "responsibility": responsibility,
            "office": responsibility.office,
            "is_chosen": responsibility.ortschaft is not None
            and responsibility.ortschaft.slug == chosen_slug,
            "today": responsibility.office.opening_hours_on(weekday),
            "week": [
                (label, responsibility.office.opening_hours_on(day))
                for day, label in OpeningHours.WEEKDAYS
            ],
        }
        for responsibility in service.responsibilities.all()
    ]
    # The chosen Ortschaft's office first; then as `with_details` orders them (stable).
    offices.sort(key=lambda office: not office["is_chosen"])
    online_services = list(service.online_services.all())
    return render(
        request,
        "services/service_detail.html",
        {
            "service": service,
            "offices": offices,
            "online_services": online_services,
            "life_situations": list(service.life_situations.all()),
            "sections": [
                (anchor, label, getattr(service, name))
                for anchor, label, name in SECTIONS
                if getattr(service, name)
            ],
            "json_ld": json_ld_script(
                service_json_ld(
                    service,
                    request,
                    offices=[office["responsibility"] for office in offices],
                    online_services=online_services,
                )
            ),
        },
    )
