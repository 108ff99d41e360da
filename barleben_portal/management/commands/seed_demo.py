"""Demo content: the three Ortschaften of Barleben, the home page, the standard pages,
the municipality's settings and four staff accounts. Safe to run again."""

import io
import secrets
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Page, Site

from archive.demo import archive_seed_demo
from notices.demo import notices_seed_demo
from participation.demo import participation_seed_demo
from services.demo import services_seed_demo
from website.models import (
    AccessibilityStatementPage,
    HomePage,
    MunicipalitySettings,
    Ortschaft,
    StandardPage,
)

# name, slug, description, the key the demo's service catalogue uses for the Ortschaft
ORTSCHAFTEN = [
    (
        "Barleben",
        "barleben",
        "Der Hauptort mit Rathaus, Schulen und dem Technologiepark Ostfalen.",
        "15083040-01",
    ),
    (
        "Ebendorf",
        "ebendorf",
        "Die Ortschaft im Süden mit ihrer romanischen Dorfkirche.",
        "15083040-02",
    ),
    (
        "Meitzendorf",
        "meitzendorf",
        "Die Ortschaft im Westen, an der Grenze zur Börde.",
        "15083040-03",
    ),
]

STANDARD_PAGES = [
    (
        "Kontakt",
        "kontakt",
        "So erreichen Sie die Gemeindeverwaltung.",
        "<p>Schreiben Sie uns, rufen Sie an oder besuchen Sie uns im Rathaus. "
        "Die Sprechzeiten stehen unten auf jeder Seite.</p>",
    ),
    (
        "Impressum",
        "impressum",
        "Angaben gemäß § 5 DDG.",
        "<h2>Herausgeberin</h2><p>Gemeinde Barleben, vertreten durch den Bürgermeister.</p>"
        "<h2>Verantwortlich für den Inhalt</h2><p>Die Gemeindeverwaltung, Fachbereich "
        "Bürgerdienste.</p>",
    ),
    (
        "Datenschutzerklärung",
        "datenschutz",
        "Wie das Bürgerportal mit Ihren Daten umgeht.",
        "<h2>Verantwortliche Stelle</h2><p>Gemeinde Barleben. Das Portal setzt nur ein Cookie "
        "ohne Einwilligung: die gewählte Ortschaft. Es wird keine Analyse betrieben und nichts "
        "von fremden Servern geladen.</p><h2>Meldungen von Barrieren</h2><p>Ihre Meldung wird "
        "gespeichert und an die Verwaltung gesendet, damit sie die Barriere beheben und Ihnen "
        "antworten kann.</p>",
    ),
]

ACCESSIBILITY_BODY = (
    "<p>Die Gemeinde Barleben ist bemüht, ihr Bürgerportal im Einklang mit dem "
    "Behindertengleichstellungsgesetz des Landes Sachsen-Anhalt und der Barrierefreie-"
    "Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.</p>"
    "<h2>Stand der Vereinbarkeit</h2><p>Das Portal ist mit den Anforderungen der BITV 2.0 "
    "weitgehend vereinbar. Es wird mit automatischen Prüfungen (axe-core) und von Hand mit "
    "Tastatur und Bildschirmleser geprüft.</p>"
    "<h2>Schlichtungsverfahren</h2><p>Wenn Sie auf Ihre Meldung keine zufriedenstellende "
    "Antwort erhalten, können Sie sich an die Schlichtungsstelle nach dem "
    "Behindertengleichstellungsgesetz wenden.</p>"
)

STAFF_ACCOUNTS = [
    # username, first name, group, is_superuser
    ("redaktion", "Rita Redaktion", "Redaktion", False),
    ("freigabe", "Frank Freigabe", "Freigabe", False),
    ("gemeinderat", "Gisela Gemeinderat", "Gemeinderat", False),
    ("admin", "Anton Administration", "Administration", True),
]


class Command(BaseCommand):
    help = "Creates the demo content and staff accounts; running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Also run with DEBUG off (never on a live site)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with known passwords; use it with DEBUG only."
            )
        with transaction.atomic():
            for sort_order, (name, slug, description, area_key) in enumerate(ORTSCHAFTEN):
                Ortschaft.objects.get_or_create(
                    slug=slug,
                    defaults={
                        "name": name,
                        "short_description": description,
                        "sort_order": sort_order,
                        "area_key": area_key,
                    },
                )
            home = self._home_page()
            self._settings(home)
            for title, slug, introduction, body in STANDARD_PAGES:
                self._child(
                    home,
                    StandardPage,
                    title=title,
                    slug=slug,
                    introduction=introduction,
                    body=body,
                    show_in_footer=True,
                    show_in_menus=slug == "kontakt",
                )
            self._child(
                home,
                AccessibilityStatementPage,
                title="Erklärung zur Barrierefreiheit",
                slug="barrierefreiheit",
                introduction="Wie barrierefrei das Bürgerportal ist, "
                "und wie Sie uns eine Barriere melden.",
                body=ACCESSIBILITY_BODY,
                show_in_footer=True,
            )
            notices_seed_demo(home)
            archive_seed_demo(home)
            participation_seed_demo(home)
            services_seed_demo()
            accounts = self._staff_accounts()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        if accounts:
            self.stdout.write(
                f"Demo staff accounts (log in at {reverse('account_login')} with the e-mail "
                "address and password, then the code of an authenticator app set up with the "
                "key, e.g. `oathtool --totp -b KEY`):"
            )
            for email, password, secret, group in accounts:
                self.stdout.write(f"  {group:<15} {email:<26} password {password}  key {secret}")
        else:
            self.stdout.write(
                "Demo staff accounts exist already: redaktion@, freigabe@, gemeinderat@, "
                "admin@example.org."
            )

    def _home_page(self) -> HomePage:
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title="Willkommen im Bürgerportal",
                    slug="start",
                    introduction="Bekanntmachungen, Termine und Beteiligung für Barleben, Ebendorf "
                    "und Meitzendorf – an einem Ort.",
                    body="<p>Hier finden Sie, was die Gemeinde veröffentlicht, und können "
                    "nachlesen, was beschlossen wurde.</p>",
                )
            )
            # The page Wagtail creates on installation is replaced by ours.
            site = Site.objects.filter(is_default_site=True).first()
            old_root = site.root_page if site else None
            # Full addresses (feeds, calendar, print view) use the site's host: BASE_URL's.
            base_url = urlsplit(settings.BASE_URL)
            Site.objects.update_or_create(
                is_default_site=True,
                defaults={
                    "hostname": base_url.hostname,
                    "port": base_url.port or (443 if base_url.scheme == "https" else 80),
                    "root_page": home,
                    "site_name": "Bürgerportal Barleben",
                },
            )
            if old_root and not isinstance(old_root.specific, HomePage):
                old_root.delete()
        return home

    def _settings(self, home: HomePage) -> None:
        site = Site.objects.get(root_page=home)
        municipality = MunicipalitySettings.for_site(site)
        if municipality.name != "Gemeinde":
            return
        municipality.name = "Gemeinde Barleben"
        municipality.ags = "15083040"
        municipality.street_address = "Ernst-Thälmann-Straße 22"
        municipality.postal_code = "39179"
        municipality.city = "Barleben"
        municipality.phone = "039203 565-0"
        municipality.email = "info@barleben.de"
        municipality.opening_hours = "Dienstag 9–12 und 14–18 Uhr\nDonnerstag 9–12 und 14–16 Uhr"
        municipality.barrier_report_email = "barrierefreiheit@barleben.de"
        municipality.logo = self._logo()
        municipality.save()

    def _logo(self) -> Image:
        # A simple emblem, drawn here so the demo needs no image file from elsewhere.
        picture = PillowImage.new("RGBA", (256, 256), (0, 0, 0, 0))
        draw = ImageDraw.Draw(picture)
        draw.polygon([(28, 20), (228, 20), (228, 140), (128, 236), (28, 140)], fill=(0, 84, 147))
        draw.polygon([(128, 56), (188, 116), (128, 196), (68, 116)], fill=(255, 204, 0))
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        return Image.objects.create(
            title="Wappen (Demo)",
            file=ImageFile(buffer, name="wappen-demo.png"),
            description="Wappen der Gemeinde",
        )

    def _child(self, parent: Page, page_class: type[Page], *, slug: str, **fields) -> Page:
        existing = parent.get_children().filter(slug=slug).first()
        if existing:
            return existing.specific
        return parent.add_child(instance=page_class(slug=slug, **fields))

    def _staff_accounts(self) -> list[tuple[str, str, str, str]]:
        User = get_user_model()
        created = []
        for username, full_name, group_name, is_superuser in STAFF_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            first_name, last_name = full_name.split(" ", 1)
            password = f"demo-{secrets.token_urlsafe(9)}"
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.org",
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=is_superuser,
                is_superuser=is_superuser,
            )
            user.groups.add(Group.objects.get(name=group_name))
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            # Staff need a second factor for the admin: the demo's is set up already.
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            created.append((user.email, password, secret, group_name))
        return created
