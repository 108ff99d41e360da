"""The document types and the two issuing bodies every municipality has; the archive
document model takes over Wagtail's documents (rows and the groups' permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DOCUMENT_TYPES = [
    ("Amtsblatt", "amtsblatt"),
    ("Sitzungsniederschrift", "sitzungsniederschrift"),
    ("Beschluss", "beschluss"),
    ("Satzung", "satzung"),
    ("Bekanntmachung", "bekanntmachung"),
    ("Plan", "plan"),
    ("Formular", "formular"),
    ("Sonstiges", "sonstiges"),
]
ISSUING_BODIES = [("Gemeinderat", "gemeinderat"), ("Verwaltung", "verwaltung")]
COPIED_FIELDS = [
    "id", "title", "file", "created_at", "uploaded_by_user_id", "collection_id", "file_size",
    "file_hash",
]


def forwards(apps, schema_editor):
    DocumentType = apps.get_model("archive", "DocumentType")
    IssuingBody = apps.get_model("archive", "IssuingBody")
    for order, (name, slug) in enumerate(DOCUMENT_TYPES):
        DocumentType.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})
    for order, (name, slug) in enumerate(ISSUING_BODIES):
        IssuingBody.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})

    # Documents uploaded before the archive existed become archive documents, same ids (the
    # notices' attachment blocks refer to them by id), waiting to be read.
    OldDocument = apps.get_model("wagtaildocs", "Document")
    Document = apps.get_model("archive", "Document")
    copied = [
        Document(**{name: getattr(old, name) for name in COPIED_FIELDS}, date=old.created_at.date())
        for old in OldDocument.objects.all()
    ]
    Document.objects.bulk_create(copied)
    if copied and schema_editor.connection.vendor == "postgresql":
        table = Document._meta.db_table
        schema_editor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )

    # The groups keep on the archive documents what they had on Wagtail's.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    for granted in GroupCollectionPermission.objects.filter(
        permission__content_type__app_label="wagtaildocs"
    ).select_related("permission"):
        permission = Permission.objects.get(
            content_type__app_label="archive", codename=granted.permission.codename
        )
        GroupCollectionPermission.objects.get_or_create(
            group_id=granted.group_id, collection_id=granted.collection_id, permission=permission
        )

    # Types and bodies are edited by Administration and read by every staff group.
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Redaktion", "Freigabe", "Gemeinderat", "Administration"]):
        actions = ["add", "change", "delete", "view"] if group.name == "Administration" else ["view"]
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="archive",
                codename__in=[f"{action}_{model}" for action in actions for model in ("documenttype", "issuingbody")],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("barleben_portal", "0002_staff_groups"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
