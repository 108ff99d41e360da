"""Downloads of archive documents: safe headers, and nothing of a private collection leaks."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from wagtail.models import Collection, CollectionViewRestriction

import barleben_portal.urls

from . import files

PDF = files.pdf_with_text(["Bekanntmachung über die Auslegung"])


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    ("content", "name", "disposition"),
    [
        (PDF, "Bekanntmachung.pdf", "inline"),
        (files.docx(["Antrag auf Sondernutzung"]), "Antrag.docx", "attachment"),
        (files.odt(["Einladung"]), "Einladung.odt", "attachment"),
        (b"Tagesordnung\n1. Eroeffnung\n", "Tagesordnung.txt", "attachment"),
    ],
    ids=["pdf", "docx", "odt", "txt"],
)
def test_download_carries_safe_headers(client, document_factory, content, name, disposition):
    document = document_factory(content, name)

    response = client.get(document.url)

    assert response.status_code == 200
    assert downloaded(response) == content
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].split(";")[0] == disposition


@pytest.fixture(
    params=[CollectionViewRestriction.PASSWORD, CollectionViewRestriction.LOGIN],
    ids=["password", "login"],
)
def private_collection(request, db) -> Collection:
    """A sub-collection of a collection with a view restriction, as the admin sets one."""
    restricted = Collection.get_first_root_node().add_child(name="Vertraulich")
    CollectionViewRestriction.objects.create(
        collection=restricted,
        restriction_type=request.param,
        password="geheim" if request.param == CollectionViewRestriction.PASSWORD else "",
    )
    return restricted.add_child(name="Personalsachen")


def test_private_document_is_not_served_to_the_public(client, document_factory, private_collection):
    document = document_factory(PDF, "Personal.pdf", collection=private_collection)

    response = client.get(document.url)

    # a password form or the way to the log-in, never the file
    assert response.status_code in (200, 302)
    assert not response.streaming
    assert "Content-Disposition" not in response
    assert PDF not in response.content


def test_private_document_has_no_public_page(client, document_factory, private_collection):
    public = document_factory(PDF, "Oeffentlich.pdf")
    private = document_factory(
        files.pdf_with_text(["Vertraulich"]), "Personal.pdf", collection=private_collection
    )

    assert client.get(reverse("archive_document", args=[public.pk])).status_code == 200
    assert client.get(reverse("archive_document", args=[private.pk])).status_code == 404


@pytest.fixture
def debug_urls():
    """The URLs as a site with DEBUG on has them: media files served by Django."""
    with override_settings(DEBUG=True):
        importlib.reload(barleben_portal.urls)
        clear_url_caches()
        yield
    importlib.reload(barleben_portal.urls)
    clear_url_caches()


def test_no_document_is_reachable_by_its_media_url(
    client, settings, document_factory, private_collection, debug_urls
):
    private = files.pdf_with_text(["Intern"])
    documents = {
        document_factory(PDF, "Oeffentlich.pdf"): PDF,
        document_factory(private, "Personal.pdf", collection=private_collection): private,
    }
    # images are served from the media folder with DEBUG on, so that folder is reachable
    image = settings.MEDIA_ROOT / "original_images" / "wappen.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert client.get(f"{settings.MEDIA_URL}original_images/wappen.png").status_code == 200

    for document, content in documents.items():
        assert (settings.MEDIA_ROOT / document.file.name).read_bytes() == content
        response = client.get(f"{settings.MEDIA_URL}{document.file.name}")
        assert response.status_code == 404
        assert content not in downloaded(response)
