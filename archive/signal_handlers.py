from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from website.models import Ortschaft

from .alerts import documents_alert
from .indexing import document_index_queue, documents_indexed
from .models import Document, ortschaft_keys_refresh
from .oparl import register_oparl_signal_handlers


def queue_indexing(sender, instance: Document, raw: bool = False, **kwargs):
    # A new document, a new file or a retry: read it after the save commits.
    if not raw and instance.indexing_state == Document.IndexingState.WAITING:
        document_index_queue(document=instance)


def alert_saved_searches(sender, document_ids: list[int], **kwargs):
    # Inside the indexing transaction: the outbox rows commit with the stored texts, and the
    # notification service starts its fan-out after the commit.
    documents_alert(document_ids=document_ids)


def follow_ortschaften(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    # document.ortschaften.set(…) and the like; from the other side (ortschaft.documents),
    # a clear names no documents, so they are noted before it.
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            ortschaft_keys_refresh([instance.pk])
    elif action == "pre_clear":
        instance._cleared_document_ids = list(instance.documents.values_list("pk", flat=True))
    elif action == "post_clear":
        ortschaft_keys_refresh(instance._cleared_document_ids)
    elif action in ("post_add", "post_remove"):
        ortschaft_keys_refresh(pk_set)


def note_documents_of_ortschaft(sender, instance: Ortschaft, **kwargs):
    # Deleting an Ortschaft deletes its links to documents without an m2m_changed signal.
    instance._document_ids = list(instance.documents.values_list("pk", flat=True))


def follow_deleted_ortschaft(sender, instance: Ortschaft, **kwargs):
    ortschaft_keys_refresh(instance._document_ids)


def register_signal_handlers():
    post_save.connect(queue_indexing, sender=Document)
    m2m_changed.connect(follow_ortschaften, sender=Document.ortschaften.through)
    pre_delete.connect(note_documents_of_ortschaft, sender=Ortschaft)
    post_delete.connect(follow_deleted_ortschaft, sender=Ortschaft)
    documents_indexed.connect(alert_saved_searches, sender=Document)
    register_oparl_signal_handlers()
