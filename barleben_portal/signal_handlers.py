from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .layout import site_layout_forget
from .models import Ortschaft


def forget_layout(sender, **kwargs):
    site_layout_forget()


def forget_layout_for_pages(sender, instance, **kwargs):
    if isinstance(instance, Page):
        site_layout_forget()


def register_signal_handlers():
    # Titles, menus and footers change when pages are published, unpublished, moved or deleted.
    page_published.connect(forget_layout, dispatch_uid="layout-published")
    page_unpublished.connect(forget_layout, dispatch_uid="layout-unpublished")
    post_page_move.connect(forget_layout, dispatch_uid="layout-moved")
    post_delete.connect(forget_layout_for_pages, dispatch_uid="layout-page-deleted")
    for model in (Ortschaft, Site):
        post_save.connect(
            forget_layout, sender=model, dispatch_uid=f"layout-saved-{model.__name__}"
        )
        post_delete.connect(
            forget_layout, sender=model, dispatch_uid=f"layout-deleted-{model.__name__}"
        )
