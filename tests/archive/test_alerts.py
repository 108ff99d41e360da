"""Alerts for saved searches: save a search, confirm it, and get one e-mail per new document.

The e-mails go out through the notification service as in production (outbox, fan-out,
sender task), in this process (`celery_eager`) once the transaction commits, to a real SMTP
server on loopback. Documents are read from real files by `document_index`.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.db import connection
from django.utils.html import escape
from django.utils.translation import gettext

from archive.alerts import (
    CONSENT_VERSION,
    SearchTerms,
    saved_search_save_verified,
    saved_searches_matching,
)
from archive.indexing import document_index
from archive.models import Document, DocumentType, IssuingBody, SavedSearch
from notifications.models import Delivery, Dispatch
from notifications.recipients import recipients_unconfirmed_delete
from tests.factories import SubscriptionFactory
from tests.notifications.conftest import smtp_server  # noqa: F401 (the fixture)
from website.models import MunicipalitySettings

from . import files
from .factories import private_collection

pytestmark = pytest.mark.usefixtures("celery_eager")

SAVE_URL = "/suchauftraege/"
ADDRESS = "erika.mustermann@example.org"
PLAN_TEXT = "Bebauungsplan Mühlenberg: Satzung über die Aufstellung, Entwurf zur Auslegung."


@pytest.fixture
def mail_server(settings, smtp_server):  # noqa: F811 (the fixture imported above)
    """E-mails go to the real SMTP server of this test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_server


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …`: run what the block queued for after its commit, as production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def index_document(document_factory, committed):
    """`index_document(pages, title=…, ortschaften=[…])`: a PDF uploaded and read."""

    def create(pages: list[str], ortschaften=(), **fields) -> Document:
        with committed():
            document = document_factory(files.pdf_with_text(pages), "Dokument.pdf", **fields)
            document.ortschaften.set(ortschaften)
            document_index(document_id=document.pk)
        document.refresh_from_db()
        assert document.is_indexed, document.indexing_error
        return document

    return create


def _text(mail) -> str:
    return mail.message.get_body(("plain",)).get_content()


def _path(url: str) -> str:
    return urlsplit(url).path


def _satzung() -> DocumentType:
    return DocumentType.objects.get(slug="satzung")


def _saved(email: str = ADDRESS, **terms) -> SavedSearch:
    """A confirmed saved search, as saved from an account."""
    from wagtail.models import Site

    terms.setdefault("query", "Bebauungsplan")
    return saved_search_save_verified(
        site=Site.objects.get(is_default_site=True), email=email, terms=SearchTerms(**terms)
    )


def test_search_results_offer_to_save_the_search(demo, client):
    response = client.get("/suche/?q=Bebauungsplan&typ=satzung")

    assert response.status_code == 200
    assert 'href="/suchauftraege/?q=Bebauungsplan&amp;typ=satzung"' in response.content.decode()


def test_saved_search_alerts_once_for_a_new_matching_document(
    demo, client, mail_server, committed, index_document, document_factory
):
    # given: the search saved by e-mail
    with committed():
        response = client.post(
            f"{SAVE_URL}?q=Bebauungsplan&typ=satzung", {"email": ADDRESS, "consent": "on"}
        )
    assert response.status_code == 302
    [confirmation] = mail_server.mails_to(ADDRESS)
    assert confirmation.message["Subject"].strip() == gettext(
        "Please confirm your saved search – citizen portal %(name)s"
    ) % {"name": MunicipalitySettings.for_site(demo.get_site()).name}
    confirm_path = re.search(r"http://\S+/suchauftraege/bestaetigen/\S+/", _text(confirmation))
    confirm_path = _path(confirm_path.group())
    saved_search = SavedSearch.objects.get()
    assert (saved_search.query, saved_search.document_type) == ("Bebauungsplan", _satzung())

    # opening the link (a mail scanner does) confirms nothing; the button does
    shown = client.get(confirm_path)
    assert shown.status_code == 200
    assert "Programme, die E-Mails auf Viren prüfen" in shown.content.decode()
    saved_search.refresh_from_db()
    assert not saved_search.is_confirmed
    assert client.post(confirm_path).status_code == 200
    saved_search.refresh_from_db()
    assert saved_search.is_confirmed
    assert saved_search.consent_version == CONSENT_VERSION

    # when: a matching document is indexed
    document = index_document([PLAN_TEXT], title="Satzung Mühlenberg", document_type=_satzung())

    # then: one alert with the title, the link and the one-click unsubscribe
    [_confirmation, alert] = mail_server.mails_to(ADDRESS)
    assert alert.message["Subject"].strip() == gettext("New in the archive: %(title)s") % {
        "title": "Satzung Mühlenberg"
    }
    assert f"/archiv/dokumente/{document.pk}/" in _text(alert)
    html = alert.message.get_body(("html",)).get_content()
    assert f"/archiv/dokumente/{document.pk}/" in html
    assert "Satzung Mühlenberg" in html
    assert alert.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = Delivery.objects.get(
        audience="saved_search", recipient_id=saved_search.pk, kind=Delivery.Kind.NOTIFICATION
    )
    assert delivery.status == Delivery.Status.SENT

    # when: the file is replaced and read again
    with committed():
        document.file = ContentFile(files.pdf_with_text([PLAN_TEXT, "Änderung"]), name="Neu.pdf")
        document._set_document_file_metadata()
        document.indexing_state = Document.IndexingState.WAITING
        document.save()
    document.refresh_from_db()
    assert document.is_indexed and "Änderung" in document.text

    # then: no second e-mail
    assert len(mail_server.mails_to(ADDRESS)) == 2

    # when: the mail program unsubscribes with one POST, without cookie or CSRF token
    unsubscribe_url = str(alert.message["List-Unsubscribe"]).strip().strip("<>")
    response = client.post(
        _path(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    # then: the saved search and the address are gone, later documents reach nobody
    assert response.status_code == 200
    assert not SavedSearch.objects.exists()
    index_document([PLAN_TEXT], title="Noch eine Satzung", document_type=_satzung())
    assert len(mail_server.mails_to(ADDRESS)) == 2


@pytest.mark.parametrize(
    ("pages", "fields"),
    [
        pytest.param(["Haushaltsplan 2026 der Gemeinde"], {}, id="other words"),
        pytest.param([PLAN_TEXT], {"document_type": "plan"}, id="other document type"),
        pytest.param([PLAN_TEXT], {"issuing_body": "verwaltung"}, id="other issuing body"),
        pytest.param([PLAN_TEXT], {"ortschaft": "barleben"}, id="other Ortschaft"),
        pytest.param([PLAN_TEXT], {"date": "2019-05-01"}, id="other year"),
        pytest.param([PLAN_TEXT], {"private": True}, id="private collection"),
    ],
)
def test_a_document_the_saved_search_does_not_find_sends_no_mail(
    demo, ortschaften, mail_server, index_document, pages, fields
):
    # given: "Bebauungsplan", Satzung of the Gemeinderat, Ebendorf, 2026
    _saved(
        document_type=_satzung(),
        issuing_body=IssuingBody.objects.get(slug="gemeinderat"),
        ortschaft=ortschaften["ebendorf"],
        year=2026,
    )
    document_fields = {
        "document_type": _satzung(),
        "issuing_body": IssuingBody.objects.get(slug="gemeinderat"),
        "date": "2026-03-01",
    }
    if "document_type" in fields:
        document_fields["document_type"] = DocumentType.objects.get(slug=fields["document_type"])
    if "issuing_body" in fields:
        document_fields["issuing_body"] = IssuingBody.objects.get(slug=fields["issuing_body"])
    if "date" in fields:
        document_fields["date"] = fields["date"]
    if fields.get("private"):
        document_fields["collection"] = private_collection()

    # when
    index_document(
        pages, ortschaften=[ortschaften[fields.get("ortschaft", "ebendorf")]], **document_fields
    )

    # then: nobody waits for it, so it is not announced at all (the matching one of the
    # same saved search is, in test_saved_search_alerts_once_for_a_new_matching_document)
    assert not Dispatch.objects.filter(audience="saved_search").exists()
    assert not Delivery.objects.filter(kind=Delivery.Kind.NOTIFICATION).exists()
    assert mail_server.received == []


def test_document_for_the_whole_municipality_is_found_under_every_ortschaft(demo, ortschaften):
    from tests.archive.factories import DocumentFactory

    ebendorf = _saved(ortschaft=ortschaften["ebendorf"], email="ebendorf@example.org")
    everywhere = _saved(email="alle@example.org")
    for_barleben = DocumentFactory(pages=[PLAN_TEXT], ortschaften=[ortschaften["barleben"]])
    for_all = DocumentFactory(pages=[PLAN_TEXT])

    assert set(saved_searches_matching(document_id=for_barleben.pk)) == {everywhere}
    assert set(saved_searches_matching(document_id=for_all.pk)) == {ebendorf, everywhere}


def test_one_mail_per_address_when_several_of_its_searches_match(demo, mail_server, index_document):
    _saved(query="Bebauungsplan")
    _saved(query="Mühlenberg")
    _saved(query="Bebauungsplan", email="nachbar@example.org")

    index_document([PLAN_TEXT])

    assert mail_server.recipient_counts() == {ADDRESS: 1, "nachbar@example.org": 1}


def test_board_subscribers_get_no_alert(demo, mail_server, index_document):
    """The audience of a document is the saved searches, not the board's subscribers."""
    SubscriptionFactory(email="board@example.org")
    _saved()

    index_document([PLAN_TEXT])

    assert mail_server.recipient_counts() == {ADDRESS: 1}
    assert Dispatch.objects.get(audience="saved_search").deliveries.count() == 1


@pytest.mark.service("postgres")
def test_postgres_matches_with_german_stemming_and_one_query(demo, django_assert_max_num_queries):
    from tests.archive.factories import DocumentFactory

    # given: many saved searches, a few of which find the document
    plural = _saved(query="Bebauungspläne")
    phrase = _saved(query='"Bebauungsplan Mühlenberg"', email="phrase@example.org")
    SavedSearch.objects.bulk_create(
        SavedSearch(
            site=plural.site,
            email=f"other{number}@example.org",
            query=f"Friedhofssatzung {number}",
            consent_version=CONSENT_VERSION,
            confirmed_at=plural.confirmed_at,
            token=f"token-{number}",
        )
        for number in range(500)
    )
    document = DocumentFactory(pages=["Der Bebauungsplan Mühlenberg liegt aus."])

    # when / then: restrictions, document, Ortschaften, then all stored queries in one
    with django_assert_max_num_queries(4):
        found = set(saved_searches_matching(document_id=document.pk))
    assert found == {plural, phrase}
    assert connection.vendor == "postgresql"


def test_account_saves_without_confirmation_and_lists_and_deletes(
    demo, client, mail_server, committed, index_document
):
    # given: a citizen with a verified address
    user = get_user_model().objects.create_user("anna", "Anna@Example.org", "geheim-und-lang-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)

    # when: saving from the search page, logged in
    page = client.get(f"{SAVE_URL}?q=Bebauungsplan&ortschaft=ebendorf")
    with committed():
        response = client.post(f"{SAVE_URL}?q=Bebauungsplan&ortschaft=ebendorf", {"consent": "on"})

    # then: active at once, no confirmation e-mail; listed in the account
    assert user.email in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/suchauftraege/konto/?gespeichert=1"
    saved_search = SavedSearch.objects.get()
    assert saved_search.is_confirmed and saved_search.email == "anna@example.org"
    assert mail_server.received == []
    listing = client.get("/suchauftraege/konto/?gespeichert=1").content.decode()
    assert "Bebauungsplan" in listing and "Ebendorf" in listing
    assert 'href="/suchauftraege/konto/"' in client.get("/konto/").content.decode()

    # and the alert comes to the account's address
    index_document([PLAN_TEXT])
    assert mail_server.recipient_counts() == {"anna@example.org": 1}

    # when: deleting it from the account's list: a link to a page that asks first
    listing = client.get("/suchauftraege/konto/").content.decode()
    delete_url = f"/suchauftraege/loeschen/{saved_search.token}/"
    assert f'href="{delete_url}"' in listing
    assert SavedSearch.objects.exists()
    asked = client.get(delete_url)
    response = client.post(delete_url)

    # then: deleted after the question, and the page leads back to the account's list
    assert "Ja, Suchauftrag löschen" in asked.content.decode()
    assert not SavedSearch.objects.exists()
    assert 'href="/suchauftraege/konto/"' in response.content.decode()


def test_lists_delete_nothing_by_post(demo, client):
    # given: a citizen's account and a saved search of its address
    user = get_user_model().objects.create_user("anna", "anna@example.org", "geheim-und-lang-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    saved_search = _saved(email="anna@example.org")

    # when: a form posts to the lists as the old one-click buttons did
    from_account = client.post("/suchauftraege/konto/", {"token": saved_search.token})
    from_mail = client.post(
        f"/suchauftraege/verwalten/{saved_search.token}/", {"token": saved_search.token}
    )

    # then: refused, nothing deleted
    assert from_account.status_code == from_mail.status_code == 405
    assert SavedSearch.objects.filter(pk=saved_search.pk).exists()


def test_manage_link_lists_the_address_searches_and_deleting_one_asks_first(demo, client):
    first = _saved(query="Bebauungsplan")
    second = _saved(query="Friedhof")
    stranger = _saved(query="Kita", email="stranger@example.org")

    # given: the list the link in an e-mail opens
    page = client.get(f"/suchauftraege/verwalten/{first.token}/").content.decode()
    assert "Bebauungsplan" in page and "Friedhof" in page and "Kita" not in page
    assert f'href="/suchauftraege/loeschen/{second.token}/"' in page
    assert stranger.token not in page

    # when: deleting one after the question
    question = client.get(f"/suchauftraege/loeschen/{second.token}/").content.decode()
    done = client.post(f"/suchauftraege/loeschen/{second.token}/").content.decode()

    # then: only that one is gone, and the page leads back to the others
    assert "Friedhof" in question and "<form" in question
    assert set(SavedSearch.objects.all()) == {first, stranger}
    assert f'href="/suchauftraege/verwalten/{first.token}/"' in done


@pytest.mark.parametrize(
    ("address", "data", "message"),
    [
        pytest.param(
            "?q=Bebauungsplan",
            {"email": "keine-adresse", "consent": "on"},
            "Please enter an e-mail address like name@example.de.",
            id="invalid e-mail",
        ),
        pytest.param(
            "?q=Bebauungsplan",
            {"email": ADDRESS},
            "Please agree, so that we may send you e-mails.",
            id="no consent",
        ),
        pytest.param(
            "?q=+",
            {"email": ADDRESS, "consent": "on"},
            "Please enter a search term to save the search.",
            id="empty query",
        ),
        pytest.param(
            "?q=Bebauungsplan&typ=gibt-es-nicht",
            {"email": ADDRESS, "consent": "on"},
            "The search has a filter that does not exist. Please search again.",
            id="unknown filter",
        ),
        pytest.param(
            "?q=Bebauungsplan&art=seiten",
            {"email": ADDRESS, "consent": "on"},
            "Only searches for archive documents can be saved. Choose “Archive documents”.",
            id="pages only",
        ),
    ],
)
def test_bad_input_gets_a_german_message_and_stores_nothing(
    demo, client, mail_server, committed, address, data, message
):
    with committed():
        response = client.post(SAVE_URL + address, data)

    assert response.status_code in {200, 400}
    assert escape(gettext(message)) in response.content.decode()
    assert not SavedSearch.objects.exists()
    assert mail_server.received == []


def test_forged_or_expired_confirmation_link_changes_nothing(demo, client):
    saved_search = SavedSearch.objects.create(
        site=_saved().site, email="neu@example.org", query="Kita", consent_version="x"
    )
    forged = signing.dumps(saved_search.token, salt="another salt")

    for path in (
        f"/suchauftraege/bestaetigen/{forged}/",
        "/suchauftraege/bestaetigen/kaputt/",
        "/suchauftraege/loeschen/unbekannt/",
    ):
        response = client.post(path)
        assert response.status_code == 404
        assert "Dieser Link ist nicht gültig" in response.content.decode()
    unknown_list = client.get("/suchauftraege/verwalten/unbekannt/")
    assert unknown_list.status_code == 404
    assert "Dieser Link ist nicht gültig" in unknown_list.content.decode()
    saved_search.refresh_from_db()
    assert not saved_search.is_confirmed


def test_unconfirmed_saved_searches_are_deleted_after_a_week(demo):
    from datetime import timedelta

    from django.utils import timezone

    stale = SavedSearch.objects.create(
        site=_saved().site,
        email="neu@example.org",
        query="Kita",
        consent_version=CONSENT_VERSION,
        signed_up_at=timezone.now() - timedelta(days=8),
    )

    assert recipients_unconfirmed_delete() == 1
    assert not SavedSearch.objects.filter(pk=stale.pk).exists()
    assert SavedSearch.objects.count() == 1
