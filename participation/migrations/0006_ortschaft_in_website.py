"""The Ortschaften now belong to the website app (website 0001): the fields that name them
point there. Their columns and constraints stay as they are: the table is the same one."""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0005_result_counts"),
        ("website", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="response",
                    name="ortschaft",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Where the citizen said they live, for the council's breakdown.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="website.ortschaft",
                        verbose_name="Ortschaft",
                    ),
                ),
                migrations.AlterField(
                    model_name="surveypage",
                    name="ortschaften",
                    field=modelcluster.fields.ParentalManyToManyField(
                        blank=True,
                        help_text="Leave empty when the survey addresses the whole municipality.",
                        to="website.ortschaft",
                        verbose_name="Ortschaften",
                    ),
                ),
            ]
        ),
    ]
