from django.apps import apps
from django.db.models.signals import post_delete

from .models import Recipient
from .recipients import forget_deleted_recipient


def register_signal_handlers():
    # Every concrete recipient model of every installed app: the audiences register later
    # (their apps' ready() may run after this one), the models are all known now.
    for model in apps.get_models():
        if issubclass(model, Recipient):
            post_delete.connect(forget_deleted_recipient, sender=model)
