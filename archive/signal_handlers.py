from django.db.models.signals import post_save

from .alerts import document_alert
from .indexing import document_index_queue, document_indexed
from .models import Document
from .oparl import register_oparl_signal_handlers


def queue_indexing(sender, instance: Document, raw: bool = False, **kwargs):
    # A new document, a new file or a retry: read it after the save commits.
    if not raw and instance.indexing_state == Document.IndexingState.WAITING:
        document_index_queue(document=instance)


def alert_saved_searches(sender, document_id: int, **kwargs):
    # Inside the indexing transaction: the outbox row commits with the stored text, and the
    # notification service starts its fan-out after the commit.
    document_alert(document_id=document_id)


def register_signal_handlers():
    post_save.connect(queue_indexing, sender=Document)
    document_indexed.connect(alert_saved_searches, sender=Document)
    register_oparl_signal_handlers()
