"""The staff groups: Redaktion writes, Freigabe also publishes, Gemeinderat reads the admin,
Administration may do everything in the admin (every permission: see
signal_handlers.administration_grant_everything)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    # group: (page permission types on the whole tree, collection permission codenames)
    "Redaktion": (
        ["add", "change", "lock"],
        ["add_document", "change_document", "choose_document", "add_image", "change_image", "choose_image"],
    ),
    "Freigabe": (
        ["add", "change", "lock", "publish", "unlock"],
        ["add_document", "change_document", "choose_document", "add_image", "change_image", "choose_image"],
    ),
    "Gemeinderat": ([], ["choose_document", "choose_image"]),
    "Administration": (
        ["add", "change", "lock", "publish", "unlock", "bulk_delete"],
        [
            "add_document", "change_document", "delete_document", "choose_document",
            "add_image", "change_image", "delete_image", "choose_image",
        ],
    ),
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")

    # Wagtail's English default groups are replaced by these.
    Group.objects.filter(name__in=["Editors", "Moderators"]).delete()
    for name, (page_permission_types, collection_codenames) in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        for permission_type in page_permission_types:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
            )
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)
        for codename in collection_codenames:
            app_label = "wagtaildocs" if codename.endswith("document") else "wagtailimages"
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("barleben_portal", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
