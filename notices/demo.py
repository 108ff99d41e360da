"""Demo notices and events for the three Ortschaften, dated relative to today."""

from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from website.models import HomePage, Ortschaft
from website.slugs import german_slugify

from .models import (
    CalendarPage,
    Category,
    NoticeDisplayRecord,
    NoticeIndexPage,
    NoticeKind,
    NoticePage,
)

CATEGORIES = [
    "Bauen & Wohnen",
    "Gemeinderat",
    "Kinder & Familie",
    "Kultur & Freizeit",
    "Umwelt",
    "Verkehr",
]

# title, kind slug, Ortschaft slugs, categories, teaser, days from today (display or event)
NOTICES = [
    (
        "Öffentliche Sitzung des Gemeinderates",
        "amtliche-bekanntmachung",
        [],
        ["Gemeinderat"],
        "Der Gemeinderat tagt öffentlich im Ratssaal. Die Tagesordnung hängt als Anlage an.",
        {"display": (-2, 12), "attachment": True},
    ),
    (
        "Bebauungsplan Nr. 12 „Am Mühlenberg“ – öffentliche Auslegung",
        "amtliche-bekanntmachung",
        ["ebendorf"],
        ["Bauen & Wohnen"],
        "Der Entwurf liegt einen Monat lang aus. Bürgerinnen und Bürger können "
        "Stellungnahmen abgeben.",
        {"display": (-5, 25)},
    ),
    (
        "Haushaltssatzung 2026",
        "amtliche-bekanntmachung",
        ["meitzendorf"],
        ["Gemeinderat"],
        "Die Haushaltssatzung der Gemeinde für das Jahr 2026 wird hiermit öffentlich "
        "bekannt gemacht.",
        {"display": (-60, -30)},
    ),
    (
        "Neue Öffnungszeiten der Gemeindebibliothek",
        "neuigkeit",
        ["barleben"],
        ["Kultur & Freizeit"],
        "Ab dem kommenden Monat ist die Bibliothek auch am Samstagvormittag geöffnet.",
        {},
    ),
    (
        "Vollsperrung der Magdeburger Straße",
        "baustelle-verkehr",
        ["ebendorf"],
        ["Verkehr"],
        "Wegen Arbeiten an der Wasserleitung ist die Straße zwei Wochen lang gesperrt. "
        "Eine Umleitung ist ausgeschildert.",
        {},
    ),
    (
        "Smart-City-Projekt: Bürgerbeteiligung startet",
        "neuigkeit",
        [],
        ["Gemeinderat"],
        "Wie soll das digitale Barleben aussehen? Sagen Sie uns Ihre Meinung.",
        {},
    ),
    (
        "Weihnachtsmarkt in Meitzendorf",
        "veranstaltung",
        ["meitzendorf"],
        ["Kultur & Freizeit"],
        "Glühwein, Kinderkarussell und der Posaunenchor auf dem Dorfplatz.",
        {
            "event": (10, time(14), time(20)),
            "place": ("Dorfplatz Meitzendorf", "Dorfstraße 1, 39179 Barleben OT Meitzendorf"),
        },
    ),
    (
        "Seniorennachmittag im Bürgerhaus",
        "veranstaltung",
        ["barleben"],
        ["Kinder & Familie"],
        "Kaffee, Kuchen und ein Vortrag über die Geschichte Barlebens.",
        {
            "event": (5, time(15), time(17)),
            "place": ("Bürgerhaus Barleben", "Breiteweg 40, 39179 Barleben"),
        },
    ),
    (
        "Dorffest Ebendorf",
        "veranstaltung",
        ["ebendorf"],
        ["Kultur & Freizeit"],
        "Ein Tag für das ganze Dorf mit Festumzug und Musik.",
        {"event": (30, None, None), "place": ("Festwiese Ebendorf", "")},
    ),
    (
        "Einwohnerversammlung zum Haushalt",
        "veranstaltung",
        [],
        ["Gemeinderat"],
        "Der Bürgermeister stellt den Haushaltsentwurf vor und beantwortet Fragen.",
        {
            "event": (14, time(18, 30), time(20, 30)),
            "place": ("Mittellandhalle", "Ebendorfer Straße, 39179 Barleben"),
        },
    ),
    (
        "Herbstfeuer am Sportplatz",
        "veranstaltung",
        ["barleben"],
        ["Kultur & Freizeit"],
        "Das traditionelle Herbstfeuer der Freiwilligen Feuerwehr.",
        {"event": (-10, time(18), time(22)), "place": ("Sportplatz Barleben", "")},
    ),
]

AGENDA_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Tagesordnung Gemeinderat) Tj ET\n"
    b"endstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


DEMO_BODY = (
    "Dies ist eine Meldung des Demo-Inhalts. Im echten Portal steht hier der volle Text, "
    "mit Zwischenüberschriften, Bildern, Tabellen und Anlagen."
)


def _at(day: int, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=day), clock))


def notices_seed_demo(home: HomePage) -> None:
    """Create the board, the calendar and the demo notices below `home`, unless they exist."""
    categories = {
        name: Category.objects.get_or_create(name=name, defaults={"slug": german_slugify(name)})[0]
        for name in CATEGORIES
    }
    board = home.get_children().type(NoticeIndexPage).first()
    if board is None:
        board = home.add_child(
            instance=NoticeIndexPage(
                title="Bekanntmachungen",
                slug="bekanntmachungen",
                show_in_menus=True,
                introduction="Was die Gemeinde bekannt gibt: amtliche Bekanntmachungen, "
                "Neuigkeiten, Baustellen und Veranstaltungen.",
            )
        )
    else:
        board = board.specific
    if not home.get_children().type(CalendarPage).exists():
        home.add_child(
            instance=CalendarPage(
                title="Veranstaltungen",
                slug="veranstaltungen",
                show_in_menus=True,
                introduction="Was in Barleben, Ebendorf und Meitzendorf los ist.",
            )
        )
    if NoticePage.objects.child_of(board).exists():
        return
    kinds = {kind.slug: kind for kind in NoticeKind.objects.all()}
    ortschaften = {ortschaft.slug: ortschaft for ortschaft in Ortschaft.objects.all()}
    for title, kind_slug, ortschaft_slugs, category_names, teaser, extra in NOTICES:
        notice = NoticePage(
            title=title,
            slug=german_slugify(title),
            kind=kinds[kind_slug],
            teaser=teaser,
            body=_body(extra),
            contact_department="Bürgerdienste",
            contact_phone="039203 565-0",
            contact_email="info@barleben.de",
        )
        if "display" in extra:
            start, end = extra["display"]
            notice.display_from, notice.display_until = _at(start, time(8)), _at(end, time(18))
            notice.publication_date = notice.display_from.date()
        if "event" in extra:
            day, starts, ends = extra["event"]
            notice.is_all_day = starts is None
            notice.event_start = _at(day, starts or time(0))
            notice.event_end = _at(day, ends) if ends else None
            notice.location_name, notice.location_address = extra["place"]
            notice.organiser = "Gemeinde Barleben"
            notice.publication_date = timezone.localdate() - timedelta(days=3)
        board.add_child(instance=notice)
        notice.ortschaften.set([ortschaften[slug] for slug in ortschaft_slugs])
        notice.categories.set([categories[name] for name in category_names])
        notice.save_revision().publish()
        if "display" in extra:
            # The demo's official notices have hung since their period began.
            is_over = notice.display_until < timezone.now()
            NoticeDisplayRecord.objects.create(
                notice=notice,
                notice_title=notice.title,
                put_up_at=notice.display_from,
                taken_down_at=notice.display_until if is_over else None,
            )


def _body(extra: dict) -> list[dict]:
    body = [{"type": "paragraph", "value": f"<p>{DEMO_BODY}</p>"}]
    if extra.get("attachment"):
        document = get_document_model().objects.create(
            file_size=len(AGENDA_PDF),
            title="Tagesordnung der Sitzung (PDF)",
            file=ContentFile(AGENDA_PDF, name="tagesordnung.pdf"),
        )
        body.append({"type": "attachment", "value": {"document": document.pk, "title": ""}})
    return body
