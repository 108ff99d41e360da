"""The Ortschaften now belong to the website app (website 0001): the fields that name them
point there. Their columns and constraints stay as they are: the table is the same one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_saved_search_recipient"),
        ("website", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="document",
                    name="ortschaften",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="None chosen: the document concerns the whole municipality.",
                        related_name="documents",
                        to="website.ortschaft",
                        verbose_name="Ortschaften",
                    ),
                ),
                migrations.AlterField(
                    model_name="savedsearch",
                    name="ortschaft",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="website.ortschaft",
                        verbose_name="Ortschaft",
                    ),
                ),
            ]
        ),
    ]
