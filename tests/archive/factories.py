"""Archive documents whose text is stored already, so search and browsing tests need no
extraction: `DocumentFactory(pages=["Seite eins", "Seite zwei"], ortschaften=[ebendorf])`.

The document is saved with its text and the state "indexed", so the save that puts it into
Wagtail's search index carries the text, and no indexing task is queued.
"""

import factory
from django.core.files.base import ContentFile
from django.utils.text import slugify
from wagtail.models import Collection, CollectionViewRestriction

from archive.models import Document, DocumentText, DocumentType, IssuingBody

# Only served, never read: the tests that read files use tests/archive/files.py.
FILE_CONTENT = b"%PDF-1.4\n% Barleben test document\n%%EOF\n"


class DocumentFactory(factory.django.DjangoModelFactory):
    """`document_type` and `issuing_body` take a slug of the defaults (migration 0002)."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    title = factory.Sequence(lambda number: f"Dokument {number}")
    file = factory.LazyAttribute(
        lambda document: ContentFile(FILE_CONTENT, name=f"{slugify(document.title)}.pdf")
    )
    file_size = len(FILE_CONTENT)
    document_type = "sonstiges"
    issuing_body = None
    pages = factory.LazyAttribute(lambda document: [f"Inhalt von {document.title}."])
    text = factory.LazyAttribute(lambda document: "\n\n".join(document.pages))
    page_count = factory.LazyAttribute(lambda document: len(document.pages))
    indexing_state = Document.IndexingState.INDEXED

    @classmethod
    def _create(cls, model_class, *args, pages, document_type, issuing_body, **kwargs):
        document = super()._create(
            model_class,
            *args,
            document_type=_by_slug(DocumentType, document_type),
            issuing_body=_by_slug(IssuingBody, issuing_body),
            **kwargs,
        )
        DocumentText.objects.bulk_create(
            DocumentText(document=document, page_number=number, text=text)
            for number, text in enumerate(pages, start=1)
        )
        return document

    @factory.post_generation
    def ortschaften(self, create, extracted, **kwargs):
        if create and extracted:
            self.ortschaften.set(extracted)


def _by_slug(model, value):
    return model.objects.get(slug=value) if isinstance(value, str) else value


def private_collection() -> Collection:
    """A collection only staff may see: a password restriction, as the admin sets one."""
    collection = Collection.get_first_root_node().add_child(name="Vertraulich")
    CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="geheim",
    )
    return collection
