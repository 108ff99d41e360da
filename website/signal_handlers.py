from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.db.models.signals import post_migrate, post_save
from wagtail.images import get_image_model

from .task_queue import task_queue_on_commit


def prepare_renditions(sender, instance, raw: bool = False, **kwargs):
    # Every save (a new image, file or focal point): a worker makes its public sizes after
    # the commit; those there are already are found, not made again.
    from .tasks import image_renditions_prepare_task

    if not raw:
        task_queue_on_commit(
            image_renditions_prepare_task,
            instance.pk,
            if_unreachable="the image is stored; a page makes its sizes when it first shows it",
        )


# What nobody may change by hand, Administration neither: what citizens answered, that they
# took part, and the counts of both. Reading them stays allowed.
UNTOUCHABLE = {"participation": ["response", "answer", "participation", "resultcount"]}


def administration_grant_everything(sender, using, **kwargs):
    """Administration may do everything in the admin: every permission there is but changing
    survey answers (UNTOUCHABLE), topped up after each migration so that the permissions of
    new models are included."""
    group = Group.objects.using(using).filter(name="Administration").first()
    if group is None:
        return
    # Django creates each app's permissions after that app's migrations; all are needed now.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    permissions = Permission.objects.using(using).all()
    for app_label, models in UNTOUCHABLE.items():
        permissions = permissions.exclude(
            Q(content_type__app_label=app_label, content_type__model__in=models)
            & ~Q(codename__startswith="view_")
        )
    group.permissions.set(permissions)


def register_signal_handlers(portal_config):
    post_save.connect(prepare_renditions, sender=get_image_model(), dispatch_uid="renditions")
    post_migrate.connect(
        administration_grant_everything,
        sender=portal_config,
        dispatch_uid="administration-everything",
    )
