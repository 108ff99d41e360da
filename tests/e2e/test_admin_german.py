"""The admin in German for every staff group (issue 25.4): the pages each group reaches show
none of the English words Wagtail left there ("None" where nobody is known, "True" as a
tick's screen-reader text, "Update", "Locale", "Actions"), the help menu and the dashboard
lead to no English-only guide, a new page's address writes umlauts out, and a document of
the multiple upload is stored only once staff have titled it."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from archive.models import Document
from notices.models import NoticeIndexPage, NoticePage
from participation.models import SurveyPage
from tests.archive import files
from tests.factories import staff_account, totp_code
from website.models import HomePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Storchennest-am-Kirchturm"
# What German staff read in English before; whole words, as Wagtail wrote them.
ENGLISH = re.compile(
    r"\b(None|True|False|Update|Locale|Actions|What's new|Pages using|Editor Guide"
    r"|Breadcrumbs?)\b"
)
# The text a member of staff reads or hears: the page's, hidden screen-reader text included,
# and the names and hints in attributes.
READABLE_TEXT = """() => {
  const names = ['aria-label', 'title', 'alt', 'placeholder'];
  const texts = [document.title, document.body.innerText];
  for (const element of document.body.querySelectorAll(names.map((n) => `[${n}]`).join())) {
    for (const name of names) {
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.join('\\n');
}"""


def log_in(page, group: str):
    user = staff_account(group, username=f"german-{group.lower()}", password=PASSWORD)
    page.goto(f"/admin/login/?next={reverse('wagtailadmin_home')}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.fill("#id_code", totp_code(user.totp_secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def pages_of(group: str) -> list[str]:
    """The admin's pages the group reaches (the dashboard first)."""
    home = HomePage.objects.get()
    everyone = [reverse("wagtailadmin_home"), reverse("wagtailadmin_account")]
    if group == "Gemeinderat":
        return [
            *everyone,
            reverse("wagtailadmin_reports:site_history"),
            reverse("participation_results_index"),
        ]
    editors = [
        reverse("wagtailadmin_explore", args=[home.pk]),
        reverse("wagtailadmin_explore", args=[NoticeIndexPage.objects.get().pk]),
        reverse("wagtailadmin_pages:edit", args=[NoticePage.objects.first().pk]),
        reverse("wagtailadmin_pages:edit", args=[SurveyPage.objects.first().pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[home.pk]),
        reverse("wagtailadmin_pages:search") + "?q=Haushalt",
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtailimages:index"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:site_history"),
    ]
    if group == "Administration":
        return [
            *everyone,
            *editors,
            reverse("wagtailusers_users:index"),
            reverse("wagtailsnippets_notices_noticekind:list"),
        ]
    return [*everyone, *editors]


def english_on(page) -> list[str]:
    return ENGLISH.findall(page.evaluate(READABLE_TEXT))


@pytest.mark.parametrize("group", ["Redaktion", "Freigabe", "Gemeinderat", "Administration"])
def test_staff_read_the_admin_in_german(page, demo, group):
    log_in(page, group)

    english = {}
    for path in pages_of(group):
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        # the group reaches the page: no redirect to the dashboard
        assert response.ok and urlsplit(page.url).path == urlsplit(path).path, path
        if words := english_on(page):
            english[path] = words

    assert english == {}

    # the help menu keeps the shortcuts and leads to none of Wagtail's English guides
    page.goto(reverse("wagtailadmin_home"))
    page.get_by_role("button", name="Hilfe").click()
    expect(page.get_by_role("button", name="Kürzel")).to_be_visible()
    expect(page.locator("a[href*='guide.wagtail.org']")).to_have_count(0)
    assert english_on(page) == []


def test_a_new_page_is_chosen_and_addressed_in_german(page, demo):
    # given the choice of a new page's type
    log_in(page, "Redaktion")
    page.goto(reverse("wagtailadmin_pages:add_subpage", args=[HomePage.objects.get().pk]))

    # then the link to the pages of a type reads as German (not "Seiten, die Umfrage verwenden")
    expect(page.get_by_role("link", name="Seiten vom Typ „Umfrage“")).to_be_visible()

    # when a standard page gets its title, then its address writes the umlauts out
    page.locator("a[href*='/add/website/standardpage/']").click()
    title = page.locator("#id_title")
    slug = page.locator("#id_slug")

    title.press_sequentially("Neue Sitzbänke")
    expect(slug).to_have_value("neue-sitzbaenke")

    title.fill("")
    title.press_sequentially("Straße")
    expect(slug).to_have_value("strasse")


def test_a_document_is_stored_once_staff_have_titled_it(page, demo, celery_eager, tmp_path):
    # given a PDF chosen in the multiple upload
    log_in(page, "Redaktion")
    chosen = tmp_path / "Scan_0815.pdf"
    chosen.write_bytes(files.pdf_with_text(["Aufstellung neuer Sitzbänke am Mühlenberg"]))
    documents = Document.objects.count()
    page.goto(reverse("wagtaildocs:add_multiple"))
    page.set_input_files("#fileupload", chosen)

    # then its row asks for the title and the rest before anything is stored
    row = page.locator("#upload-list > li")
    save = row.get_by_role("button", name="Speichern")
    expect(save).to_be_visible()
    assert Document.objects.count() == documents
    assert english_on(page) == []

    # when staff title it and save
    row.get_by_label("Titel").fill("Sitzbänke am Mühlenberg")
    save.click()

    # then the document is stored with that title, and the row is done
    expect(row).to_have_count(0)
    expect(page.locator("[data-controller~='w-messages']")).to_contain_text("Dokument gespeichert.")
    document = Document.objects.get(title="Sitzbänke am Mühlenberg")
    assert document.file.name.endswith(".pdf")
    assert Document.objects.count() == documents + 1
