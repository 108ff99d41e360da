"""The Ortschaften now belong to the website app (website 0001): the fields that name them
point there. Their columns and constraints stay as they are: the table is the same one."""

import modelcluster.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0007_outbox_to_notifications"),
        ("website", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="noticepage",
                    name="ortschaften",
                    field=modelcluster.fields.ParentalManyToManyField(
                        blank=True,
                        help_text="Leave empty when the notice concerns the whole municipality.",
                        to="website.ortschaft",
                        verbose_name="Ortschaften",
                    ),
                ),
                migrations.AlterField(
                    model_name="subscription",
                    name="ortschaften",
                    field=models.ManyToManyField(
                        blank=True, to="website.ortschaft", verbose_name="Ortschaften"
                    ),
                ),
            ]
        ),
    ]
