"""The accounts app takes over the citizen profile from barleben_portal (0005): the model
enters this app's state over the existing table, which then takes this app's name; its
content type follows, with the permissions that name it. No row is copied or lost."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="citizenprofile").exists():
        ContentType.objects.filter(app_label="barleben_portal", model="citizenprofile").update(
            app_label="accounts"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("barleben_portal", "0005_citizen_profile_to_accounts"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CitizenProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(blank=True, max_length=150, verbose_name="name"),
                        ),
                        (
                            "ortschaft",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="barleben_portal.ortschaft",
                                verbose_name="Ortschaft",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                editable=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="citizen_profile",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "barleben_portal_citizenprofile",
                        "verbose_name": "citizen profile",
                        "verbose_name_plural": "citizen profiles",
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="citizenprofile", table=None),
        migrations.RunPython(content_type_follows, migrations.RunPython.noop),
    ]
