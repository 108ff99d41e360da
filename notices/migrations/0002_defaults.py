"""What every municipality starts with: the kinds of notice, and the four-eyes workflow
(Vier-Augen-Prinzip) in place of Wagtail's default, whose group no longer exists."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

KINDS = [
    # name, slug, has_display_period, is_event
    ("Amtliche Bekanntmachung", "amtliche-bekanntmachung", True, False),
    ("Neuigkeit", "neuigkeit", False, False),
    ("Veranstaltung", "veranstaltung", False, True),
    ("Baustelle & Verkehr", "baustelle-verkehr", False, False),
    ("Sonstiges", "sonstiges", False, False),
]
WORKFLOW_NAME = "Vier-Augen-Prinzip"
STAFF_GROUPS = ["Redaktion", "Freigabe", "Gemeinderat", "Administration"]


def create_defaults(apps, schema_editor):
    NoticeKind = apps.get_model("notices", "NoticeKind")
    for sort_order, (name, slug, has_display_period, is_event) in enumerate(KINDS):
        NoticeKind.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "has_display_period": has_display_period, "is_event": is_event,
                      "sort_order": sort_order},
        )

    app_config = apps.get_app_config("notices")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    groups = {group.name: group for group in Group.objects.filter(name__in=STAFF_GROUPS)}
    root_page = Page.objects.get(depth=1)

    # Editors publish what they write, except official notices (see notices.permissions).
    publish_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.get_or_create(group=groups["Redaktion"], page=root_page, permission=publish_page)

    publish_official = Permission.objects.get(content_type__app_label="notices", codename="publish_official_notice")
    view_records = Permission.objects.get(content_type__app_label="notices", codename="view_noticedisplayrecord")
    for name in ("Freigabe", "Administration"):
        groups[name].permissions.add(publish_official)
    for group in groups.values():
        group.permissions.add(view_records)

    # Wagtail's default "Moderators approval" workflow waits for a group that is gone.
    WorkflowPage.objects.filter(workflow__name="Moderators approval").delete()
    Workflow.objects.filter(name="Moderators approval").delete()
    GroupApprovalTask.objects.filter(name="Moderators approval").delete()

    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, _ = GroupApprovalTask.objects.get_or_create(
        name="Freigabe", defaults={"content_type": task_type, "active": True}
    )
    task.groups.add(groups["Freigabe"])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("barleben_portal", "0002_staff_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
