"""E-mail notifications as a citizen of Ebendorf uses them: sign up with the keyboard, confirm
from the e-mail, get notified of a notice, change the choices and unsubscribe from the link
in the e-mail; a daily subscriber's digest; the sign-up at 320 px.

The e-mails' HTML is rendered in the browser and audited like a page. The live server is a
thread of this process: with the tasks run in-process (`celery_eager`), every e-mail lands
in this process's outbox (`mailoutbox`). The queued path is tested with a real worker in
tests/notifications.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.mail import EmailMultiAlternatives
from playwright.sync_api import expect

from notices.models import NoticeIndexPage, NoticeKind, NoticePage, Subscription
from notifications.fanout import digests_compose
from notifications.models import Frequency
from tests.factories import NoticePageFactory, SubscriptionFactory
from website.models import Ortschaft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIGN_UP = "/benachrichtigungen/"
EMAIL = "buergerin@example.org"
SUBMIT = ".content-page form button[type=submit]"
LEGENDS = {
    "ortschaften": "Für welche Ortschaften?",
    "kinds": "Welche Arten von Meldungen?",
    "categories": "Welche Themen?",
    "frequency": "Wie oft möchten Sie eine E-Mail erhalten? (Pflichtfeld)",
}
EMAIL_REQUIRED = "Bitte geben Sie Ihre E-Mail-Adresse ein."
CONSENT_REQUIRED = "Bitte stimmen Sie zu, damit wir Ihnen E-Mails schicken dürfen."
IMMEDIATELY = "sofort, eine E-Mail je Meldung"
DAILY = "täglich, als Zusammenfassung"

# The form's controls in the order Tab reaches them: of a group of radio buttons only the
# checked one is a Tab stop (the arrow keys move within the group).
TAB_STOPS = """(form) => [...form.querySelectorAll('input, select, textarea, button')]
  .filter(e => e.type !== 'hidden' && !(e.type === 'radio' && !e.checked))
  .map(e => e.id || e.type)"""


def text_of(locator) -> str:
    """The text as a screen reader reads it, visually hidden parts included."""
    return " ".join(locator.text_content().split())


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.type")


def press(page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def tick(page, tab_to, group: str, label: str) -> None:
    """Tab to a checkbox of a group and toggle it with the space bar."""
    checkbox = page.locator(f"fieldset:has(input[name={group}])").get_by_label(label, exact=True)
    tab_to(page, f"#{checkbox.get_attribute('id')}")
    page.keyboard.press("Space")


def mails_to(outbox, address: str) -> list[EmailMultiAlternatives]:
    return [message for message in outbox if message.to == [address]]


def html_of(message: EmailMultiAlternatives) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def path_of(url: str) -> str:
    """The path of a link in an e-mail, to open on the live server: e-mails link to the
    site's host (BASE_URL), not to the live server's port."""
    return urlsplit(url).path


def show_mail(page, audit, message: EmailMultiAlternatives, name: str) -> None:
    """Render the e-mail's HTML as a mail program would show it, audit and photograph it;
    its plain text goes next to the picture, for a reader to compare."""
    page.set_content(html_of(message))
    expect(page).to_have_title(message.subject)
    directory = os.environ.get("SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(directory) / f"{name}.png", full_page=True)
        headers = "".join(f"{key}: {value}\n" for key, value in message.extra_headers.items())
        text = f"Subject: {message.subject}\nTo: {', '.join(message.to)}\n{headers}\n{message.body}"
        (Path(directory) / f"{name}.txt").write_text(text, encoding="utf-8")
    audit(page, name)


def assert_subscription_links(message: EmailMultiAlternatives, subscription: Subscription) -> None:
    """Every notification and digest lets its reader change or end the subscription, also
    from the mail program (RFC 8058 one-click)."""
    manage = f"/benachrichtigungen/verwalten/{subscription.token}/"
    unsubscribe = f"/benachrichtigungen/abmelden/{subscription.token}/"
    assert re.search(rf"^Abonnement ändern: https?://\S+{manage}$", message.body, re.MULTILINE)
    assert re.search(rf"^Abmelden: https?://\S+{unsubscribe}$", message.body, re.MULTILINE)
    headers = message.extra_headers
    assert re.fullmatch(rf"<https?://[^>]+{unsubscribe}>", headers["List-Unsubscribe"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = html_of(message)
    assert re.search(rf'<a href="https?://[^"]+{manage}"[^>]*>Abonnement ändern</a>', html)
    assert re.search(rf'<a href="https?://[^"]+{unsubscribe}"[^>]*>Abmelden</a>', html)


def publish_notice(title: str, *, ortschaften: list[str], kind: str = "neuigkeit") -> NoticePage:
    """Publish a notice for the first time, as an editor would: that is what is announced."""
    board = NoticeIndexPage.objects.get()
    notice = NoticePageFactory.build(
        title=title,
        kind=NoticeKind.objects.get(slug=kind),
        ortschaften=list(Ortschaft.objects.filter(slug__in=ortschaften)),
        live=False,
        first_published_at=None,
        last_published_at=None,
    )
    board.add_child(instance=notice)
    notice.save_revision().publish()
    return notice


def test_citizen_subscribes_is_notified_changes_and_unsubscribes(
    page, new_page, audit, tab_to, mailoutbox, celery_eager
):
    # given
    page.goto(SIGN_UP)
    expect(page.get_by_role("heading", level=1)).to_have_text("E-Mail-Benachrichtigungen")
    form = page.locator(".content-page form")
    for name, legend in LEGENDS.items():
        fieldset = form.locator(f"fieldset:has(input[name={name}])")
        expect(fieldset.locator("legend")).to_have_text(legend)
    ortschaften = form.get_by_role("group", name="Für welche Ortschaften?").get_by_role("checkbox")
    expect(ortschaften).to_have_count(Ortschaft.objects.count())
    audit(page, "sign-up")

    # when: Tab from the e-mail field to the button
    tab_to(page, "#id_email")
    visited = [focused(page)]
    while visited[-1] != "submit" and len(visited) < 60:
        page.keyboard.press("Tab")
        visited.append(focused(page))

    # then: every control in reading order, the groups as the form shows them
    assert visited == form.evaluate(TAB_STOPS)
    fields = [re.sub(r"^id_|_\d+$", "", stop) for stop in visited]
    assert list(dict.fromkeys(fields)) == [
        "email", "ortschaften", "kinds", "categories", "frequency", "consent", "submit",
    ]  # fmt: skip
    assert visited.count("id_frequency_0") == 1
    assert page.locator("#id_frequency_0").is_checked()  # "sofort" unless chosen otherwise

    # when: sent empty
    press(page, "Enter")

    # then: a summary of the errors, each leading to its field
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    expect(summary.locator("h3, h2")).to_have_text("Bitte korrigieren Sie Folgendes:")
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [f"Ihre E-Mail-Adresse: {EMAIL_REQUIRED}", CONSENT_REQUIRED]
    for field_id, message in [("id_email", EMAIL_REQUIRED), ("id_consent", CONSENT_REQUIRED)]:
        assert page.locator(f"#{field_id}").get_attribute("aria-invalid") == "true"
        described_by = page.locator(f"#{field_id}").get_attribute("aria-describedby").split()
        assert f"Fehler: {message}" in [text_of(page.locator(f"#{id_}")) for id_ in described_by]
    assert page.locator(".field--error").count() == 2
    audit(page, "sign-up-errors")
    for index, field_id in enumerate(["id_email", "id_consent"]):
        links.nth(index).focus()
        page.keyboard.press("Enter")
        assert focused(page) == field_id

    # when: filled in with the keyboard
    tab_to(page, "#id_email")
    page.keyboard.type(EMAIL)
    tick(page, tab_to, "ortschaften", "Ebendorf")
    tab_to(page, "#id_frequency_0")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, SUBMIT)
    press(page, "Enter")

    # then
    assert path_of(page.url) == "/benachrichtigungen/angemeldet/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    )
    expect(page.get_by_role("status")).to_contain_text(f"an {EMAIL}")
    audit(page, "pending")
    subscription = Subscription.objects.get(email=EMAIL)
    assert subscription.confirmed_at is None
    assert [o.slug for o in subscription.ortschaften.all()] == ["ebendorf"]
    assert subscription.frequency == Frequency.IMMEDIATELY

    # then: the confirmation e-mail, with the choices and the link
    (confirmation,) = mails_to(mailoutbox, EMAIL)
    assert confirmation.subject.startswith("Bitte bestätigen Sie Ihr Abonnement")
    assert "Ortschaften: Ebendorf\n" in confirmation.body
    assert "Arten von Meldungen: alle\n" in confirmation.body
    assert "Themen: alle\n" in confirmation.body
    assert f"Wie oft: {IMMEDIATELY}\n" in confirmation.body
    (confirm_url,) = [
        url for url in links_in(confirmation.body) if "/benachrichtigungen/bestaetigen/" in url
    ]
    assert f'href="{confirm_url}"' in html_of(confirmation)
    mail_view = new_page()
    show_mail(mail_view, audit, confirmation, "mail-confirmation")
    expect(mail_view.get_by_role("link", name="Abonnement bestätigen")).to_be_visible()

    # when: the link opens a page with a button; only the button confirms
    page.goto(path_of(confirm_url))

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Abonnement bestätigen")
    expect(page.locator(".content-page")).to_contain_text(EMAIL)
    audit(page, "confirm")
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None

    # when
    tab_to(page, ".content-page form button[type=submit]")
    assert page.evaluate("document.activeElement.innerText") == "Ja, Abonnement aktivieren"
    press(page, "Enter")

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Abonnement ist aktiv")
    expect(page.get_by_role("status")).to_contain_text(EMAIL)
    audit(page, "confirmed")
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    # when: a notice for Meitzendorf only, then one for Ebendorf
    publish_notice("Neue Bänke am Meitzendorfer Teich", ortschaften=["meitzendorf"])
    notice = publish_notice("Glasfaserausbau in Ebendorf beginnt", ortschaften=["ebendorf"])

    # then: one e-mail, about Ebendorf's
    confirmation, notification = mails_to(mailoutbox, EMAIL)
    assert notification.subject == "Neuigkeit: Glasfaserausbau in Ebendorf beginnt"
    assert notification.body.startswith(f"Neuigkeit – Ebendorf\n\n{notice.title}\n")
    assert notice.teaser in notification.body
    assert f"Ganze Meldung lesen:\n{notice.get_full_url()}\n" in notification.body
    assert_subscription_links(notification, subscription)
    show_mail(mail_view, audit, notification, "mail-notification")
    expect(mail_view.get_by_role("heading", level=1)).to_have_text(notice.title)
    expect(mail_view.get_by_role("link", name="Ganze Meldung lesen")).to_have_attribute(
        "href", notice.get_full_url()
    )

    # when: the link "Abonnement ändern" in the e-mail
    manage_url = mail_view.get_by_role("link", name="Abonnement ändern").get_attribute("href")
    page.goto(path_of(manage_url))

    # then: the choices as they are
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Abonnement")
    expect(page.locator(".content-page")).to_contain_text(f"an {EMAIL}")
    assert page.get_by_label("Ebendorf", exact=True).is_checked()
    assert page.get_by_label(IMMEDIATELY).is_checked()
    audit(page, "manage")

    # when: Meitzendorf too, and a daily summary instead
    tick(page, tab_to, "ortschaften", "Meitzendorf")
    tab_to(page, "input[name=frequency]:checked")
    page.keyboard.press("ArrowDown")
    tab_to(page, SUBMIT)
    press(page, "Enter")

    # then
    expect(page.get_by_role("status")).to_have_text("Ihre Änderungen sind gespeichert.")
    assert page.get_by_label("Meitzendorf", exact=True).is_checked()
    assert page.get_by_label(DAILY).is_checked()
    audit(page, "manage-saved")
    subscription.refresh_from_db()
    assert subscription.frequency == Frequency.DAILY
    assert {o.slug for o in subscription.ortschaften.all()} == {"ebendorf", "meitzendorf"}

    # when: unsubscribe
    unsubscribe = page.get_by_role("link", name="Abmelden", exact=True)
    assert unsubscribe.get_attribute("href") == path_of(
        mail_view.get_by_role("link", name="Abmelden").get_attribute("href")
    )
    unsubscribe.focus()
    press(page, "Enter")

    # then: a question first, since mail scanners open links
    expect(page.get_by_role("heading", level=1)).to_have_text("Abmelden")
    expect(page.locator(".content-page")).to_contain_text(EMAIL)
    audit(page, "unsubscribe")
    assert Subscription.objects.filter(email=EMAIL).exists()

    # when
    tab_to(page, ".content-page form button[type=submit]")
    assert page.evaluate("document.activeElement.innerText") == "Ja, abmelden"
    press(page, "Enter")

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Sie sind abgemeldet")
    expect(page.get_by_role("status")).to_contain_text("Adresse gelöscht")
    audit(page, "unsubscribed")
    assert not Subscription.objects.filter(email=EMAIL).exists()

    # when: the link from the old e-mail again
    page.goto(path_of(manage_url))

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Dieser Link ist nicht gültig")
    audit(page, "invalid-link")


def test_daily_subscriber_gets_one_digest(new_page, audit, mailoutbox, celery_eager):
    # given
    subscription = SubscriptionFactory(email="taeglich@example.org", frequency=Frequency.DAILY)
    first = publish_notice("Sperrung der Ortsdurchfahrt Ebendorf", ortschaften=["ebendorf"])
    second = publish_notice("Sprechstunde des Bürgermeisters", ortschaften=[])
    assert mails_to(mailoutbox, subscription.email) == []

    # when
    digests_compose(frequency=Frequency.DAILY)

    # then
    (digest,) = mails_to(mailoutbox, subscription.email)
    assert digest.subject == "Ihre tägliche Übersicht: 2 neue Meldungen"
    assert digest.body.startswith("Ihre tägliche Übersicht: 2 neue Meldungen\n")
    for notice, where in ((first, "Ebendorf"), (second, "Ganze Gemeinde")):
        assert f"* Neuigkeit ({where}): {notice.title}\n" in digest.body
        assert f"  {notice.get_full_url()}\n" in digest.body
    assert digest.body.index(first.title) < digest.body.index(second.title)
    assert_subscription_links(digest, subscription)
    mail_view = new_page()
    show_mail(mail_view, audit, digest, "mail-digest")
    headings = mail_view.get_by_role("heading", level=2)
    expect(headings).to_have_text([first.title, second.title])


def test_sign_up_has_no_horizontal_scrolling_at_320px(new_page, audit):
    # given
    page = new_page(viewport={"width": 320, "height": 800})

    # when
    page.goto(SIGN_UP)

    # then
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    audit(page, "reflow")

    # when: sent empty, with every error shown
    with page.expect_navigation():
        page.locator(SUBMIT).click()

    # then
    expect(page.locator(".error-summary")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{page.url} is {scroll_width} px wide at 320 px with errors"
    audit(page, "reflow-errors")
