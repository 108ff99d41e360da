"""The Ortschaften now belong to the website app (website 0001): the fields that name them
point there. Their columns and constraints stay as they are: the table is the same one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("website", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="citizenprofile",
                    name="ortschaft",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="website.ortschaft",
                        verbose_name="Ortschaft",
                    ),
                ),
            ]
        ),
    ]
