"""Who may do what with surveys: Redaktion and Administration edit surveys (with their page
permissions) and make access codes; the Gemeinderat reads the answers, and only it: an
editor who is not a council member sees no results."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "Redaktion": ["add_accesscode", "view_accesscode"],
    "Administration": ["add_accesscode", "view_accesscode"],
    "Gemeinderat": ["view_response", "view_answer"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("participation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=PERMISSIONS):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="participation", codename__in=PERMISSIONS[group.name]
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=PERMISSIONS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="participation", codename__in=PERMISSIONS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
        ("barleben_portal", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
