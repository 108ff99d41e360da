"""The citizen profile leaves for the accounts app (accounts 0001 takes its table over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("barleben_portal", "0004_municipality_ags"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CitizenProfile")]
        ),
    ]
