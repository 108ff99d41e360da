"""The Ortschaften now belong to the website app (website 0001): the fields that name them
point there. Their columns and constraints stay as they are: the table is the same one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("website", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dispatch",
                    name="ortschaften",
                    field=models.ManyToManyField(
                        blank=True, to="website.ortschaft", verbose_name="Ortschaften"
                    ),
                ),
            ]
        ),
    ]
