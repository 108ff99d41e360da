"""The ground leaves for the website app (website 0001 takes the tables over), once every
field that names an Ortschaft points there."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("barleben_portal", "0005_citizen_profile_to_accounts"),
        ("website", "0001_initial"),
        ("accounts", "0002_ortschaft_in_website"),
        ("archive", "0010_ortschaft_in_website"),
        ("notices", "0008_ortschaft_in_website"),
        ("notifications", "0002_ortschaft_in_website"),
        ("participation", "0006_ortschaft_in_website"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name=name)
                for name in [
                    "AccessibilityStatementPage",
                    "BarrierReport",
                    "HomePage",
                    "MunicipalitySettings",
                    "Ortschaft",
                    "StandardPage",
                ]
            ]
        ),
    ]
