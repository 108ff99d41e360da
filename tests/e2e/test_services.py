"""The service catalogue as a citizen uses it, in headless Chromium on a phone and a desktop:
from the home page's search to the identity card's page with its online application and
office, by keyboard; and axe-core on every page of the catalogue.

The services come from the demo (services/demo_catalogue.xml, imported by `seed_demo`).
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.models import Service
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_archive import submit_search
from tests.e2e.test_focus_visible import FOCUS_INDICATOR
from tests.e2e.test_notice_board import follow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Before `demo`, as in the other browser tests, also under REDIS_URL.
    pytest.mark.usefixtures("celery_eager"),
]

PERSONALAUSWEIS = "99102013001000"
ONLINE_PERSONALAUSWEIS = "https://www.buergerservice.sachsen-anhalt.de/personalausweis"
WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])


@WIDTHS
def test_citizen_searches_for_the_identity_card_and_finds_how_to_apply(
    new_page, audit, tab_to, viewport
):
    # given
    page = new_page(viewport=viewport)
    page.goto("/")

    # when: "Personalausweis" into the header's search
    submit_search(page, tab_to, "Personalausweis")

    # then: the service first, in the box of administrative services
    box = page.locator(".services-box")
    expect(box.get_by_role("heading", level=2)).to_have_text("Verwaltungsleistungen")
    expect(box.locator("li a").first).to_have_text("Personalausweis beantragen")
    audit(page, "search")

    # when
    follow(page, box.get_by_role("link", name="Personalausweis beantragen"))

    # then: the button to the online service and the office, on the first screens
    expect(page.get_by_role("heading", level=1)).to_have_text("Personalausweis beantragen")
    button = page.get_by_role("link", name="Online beantragen", exact=False).first
    expect(button).to_be_visible()
    expect(button).to_have_attribute("href", ONLINE_PERSONALAUSWEIS)
    office = page.locator(".service-office").first
    expect(office.get_by_role("heading", level=3)).to_have_text("Bürgerbüro Barleben")
    expect(office.locator("address")).to_contain_text("Ernst-Thälmann-Straße 22")
    expect(office.locator(".service-office__today")).to_contain_text("Heute:")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    audit(page, "service")


@WIDTHS
def test_the_keyboard_reaches_the_online_application(new_page, audit, tab_to, viewport):
    # given
    page = new_page(viewport=viewport)
    page.goto(f"/leistungen/{Service.objects.get(leika_key=PERSONALAUSWEIS).pk}/")

    # when: Tab from the top of the page
    tab_to(page, "a.button--start")

    # then: the focus is on the button, visibly, and it names the online service
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("href", ONLINE_PERSONALAUSWEIS)
    expect(focused).to_have_accessible_name(
        re.compile(r"^Online beantragen ?: Personalausweis – Terminvereinbarung und Antrag online")
    )
    indicator = page.evaluate(FOCUS_INDICATOR)
    assert indicator["outline"] or indicator["boxShadow"], indicator["css"]
    audit(page, "online-focused")


def test_the_online_buttons_name_is_its_words_without_the_decoration(page):
    # given
    page.goto(f"/leistungen/{Service.objects.get(leika_key=PERSONALAUSWEIS).pk}/")

    # then: a screen reader says what the button does, and no "single right-pointing angle
    # quotation mark" after it
    button = page.locator("a.button--start")
    expect(button).to_have_accessible_name(
        re.compile(r"^Online beantragen ?: Personalausweis – Terminvereinbarung und Antrag online$")
    )


def catalogue_paths() -> dict[str, str]:
    personalausweis = Service.objects.get(leika_key=PERSONALAUSWEIS)
    building_permit = Service.objects.get(leika_key="99122001001000")
    removed = Service.objects.get(leika_key="99102015001000")  # Reisepass
    removed.removed_at = timezone.now()
    removed.save()
    return {
        "a-to-z": "/leistungen/",
        "life-situation": "/leistungen/lebenslagen/umzug/",
        "service": f"/leistungen/{personalausweis.pk}/",
        "service-without-online": f"/leistungen/{building_permit.pk}/",
        "search": "/suche/?q=Personalausweis",
        "gone": f"/leistungen/{removed.pk}/",
    }


@WIDTHS
def test_axe_finds_no_violation_on_the_pages_of_the_catalogue(new_page, audit, viewport):
    # given
    page = new_page(viewport=viewport)

    for name, path in catalogue_paths().items():
        # when
        response = page.goto(path)

        # then
        assert response.status == (410 if name == "gone" else 200), path
        if name == "search":
            expect(page.locator(".services-box")).to_be_visible()
        audit(page, name)
