"""Who sees subscriptions and dispatches: all staff read the figures of a notice's dispatch
and the subscriber counts; Administration also exports the subscribers (with consent proof)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUPS = ["Redaktion", "Freigabe", "Gemeinderat", "Administration"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("notices")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    notices_permission = lambda codename: Permission.objects.get(  # noqa: E731
        content_type__app_label="notices", codename=codename
    )
    view_dispatch = notices_permission("view_dispatch")
    view_subscription = notices_permission("view_subscription")
    export_subscription = notices_permission("export_subscription")
    for group in Group.objects.filter(name__in=STAFF_GROUPS):
        group.permissions.add(view_dispatch, view_subscription)
        if group.name == "Administration":
            group.permissions.add(export_subscription)


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_subscriptions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
