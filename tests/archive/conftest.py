"""Fixtures of the archive tests: documents stored from real files, as an upload stores them."""

import hashlib
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from wagtail.models import Collection

from archive.models import Document


@pytest.fixture
def document_factory(db) -> Callable[..., Document]:
    """`document_factory(content, "Satzung.pdf", title=…, collection=…)`: a saved document.

    Like an admin upload: the file goes to the media storage, size, hash and SHA-512 checksum
    are set, and the document waits to be read. Its indexing task is queued on commit, which
    a test's transaction never reaches; run `document_index` or capture the callbacks.
    """

    def create(content: bytes, name: str, **fields) -> Document:
        fields.setdefault("title", name)
        fields.setdefault("collection", Collection.get_first_root_node())
        document = Document(file=ContentFile(content, name=name), **fields)
        document._set_document_file_metadata()
        document.checksum = hashlib.sha512(content).hexdigest()
        document.save()
        return document

    return create


@pytest.fixture
def editor_client(client, staff_member):
    """A client logged in to the admin as a member of the Redaktion."""
    client.force_login(staff_member("Redaktion"))
    return client
