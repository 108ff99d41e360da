"""Who keeps the service catalogue: Redaktion and Freigabe edit services, offices, online
services and life situations, Freigabe also deletes; every staff group reads the import
reports (Administration has every permission anyway)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CATALOGUE_MODELS = ["service", "office", "onlineservice", "lifesituation"]
EDITING = {
    "Redaktion": ["add", "change", "view"],
    "Freigabe": ["add", "change", "delete", "view"],
    "Gemeinderat": ["view"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("services")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=EDITING):
        codenames = [
            f"{action}_{model}" for action in EDITING[group.name] for model in CATALOGUE_MODELS
        ]
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="services",
                codename__in=[*codenames, "view_catalogueimport"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial"), ("barleben_portal", "0002_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
