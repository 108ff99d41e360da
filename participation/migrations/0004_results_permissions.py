"""Who sees and publishes survey results: the Gemeinderat reads them; Administration reads
them too, because the staff who publish results (and approve free texts for the page) must
read what they publish. Redaktion and Freigabe see none."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "Gemeinderat": ["view_results"],
    "Administration": ["view_results", "publish_results"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="participation",
        content_type__model="surveypage",
        codename__in=codenames,
    )


def grant(apps, schema_editor):
    app_config = apps.get_app_config("participation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=PERMISSIONS):
        group.permissions.add(*_permissions(apps, PERMISSIONS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=PERMISSIONS):
        group.permissions.remove(*_permissions(apps, PERMISSIONS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0003_results_publication"),
        ("barleben_portal", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
