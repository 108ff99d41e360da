"""The website app takes over the ground from barleben_portal (0006 there): the Ortschaften,
the municipality's settings, the home page and the pages of text, and barrier reports. The
models enter this app's state over their existing tables, which then take this app's name;
their content types follow (and with them the pages, revisions, permissions and search index
entries that name them). No row is copied or lost."""

import django.core.validators
import django.db.models.deletion
import modelsearch.index
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


MODELS = [
    "accessibilitystatementpage",
    "homepage",
    "ortschaft",
    "standardpage",
    "barrierreport",
    "municipalitysettings",
]


def _content_types_move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model__in=MODELS).exists():
        ContentType.objects.filter(app_label=source, model__in=MODELS).update(app_label=target)


def content_types_follow(apps, schema_editor):
    _content_types_move(apps, "barleben_portal", "website")


def content_types_return(apps, schema_editor):
    _content_types_move(apps, "website", "barleben_portal")


class Migration(migrations.Migration):
    initial = True

    # After every migration that names the models at their old place: tables are renamed here,
    # and a foreign key created later under the old name would find none.
    dependencies = [
        ("barleben_portal", "0005_citizen_profile_to_accounts"),
        ("accounts", "0001_initial"),
        ("archive", "0009_saved_search_recipient"),
        ("notices", "0007_outbox_to_notifications"),
        ("notifications", "0001_initial"),
        ("participation", "0005_result_counts"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessibilityStatementPage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        (
                            "introduction",
                            models.TextField(
                                blank=True, max_length=1000, verbose_name="introduction"
                            ),
                        ),
                        ("body", wagtail.fields.RichTextField(blank=True, verbose_name="body")),
                        (
                            "show_in_footer",
                            models.BooleanField(
                                default=False,
                                help_text="Legal and contact pages (Impressum, Datenschutz, Barrierefreiheit) belong in the footer.",
                                verbose_name="show in footer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "barleben_portal_accessibilitystatementpage",
                        "verbose_name": "accessibility statement",
                    },
                    bases=("wagtailcore.page",),
                ),
                migrations.CreateModel(
                    name="HomePage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        (
                            "introduction",
                            models.TextField(
                                blank=True, max_length=1000, verbose_name="introduction"
                            ),
                        ),
                        ("body", wagtail.fields.RichTextField(blank=True, verbose_name="body")),
                    ],
                    options={
                        "db_table": "barleben_portal_homepage",
                        "verbose_name": "home page",
                    },
                    bases=("wagtailcore.page",),
                ),
                migrations.CreateModel(
                    name="Ortschaft",
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
                            models.CharField(max_length=100, unique=True, verbose_name="name"),
                        ),
                        (
                            "slug",
                            models.SlugField(
                                help_text="Used in addresses, e.g. /?ortschaft=ebendorf",
                                max_length=100,
                                unique=True,
                                verbose_name="slug",
                            ),
                        ),
                        (
                            "short_description",
                            models.TextField(
                                blank=True, max_length=500, verbose_name="short description"
                            ),
                        ),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="sort order"),
                        ),
                    ],
                    options={
                        "db_table": "barleben_portal_ortschaft",
                        "verbose_name": "Ortschaft",
                        "verbose_name_plural": "Ortschaften",
                        "ordering": ["sort_order", "name"],
                    },
                    bases=(modelsearch.index.Indexed, models.Model),
                ),
                migrations.CreateModel(
                    name="StandardPage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        (
                            "introduction",
                            models.TextField(
                                blank=True, max_length=1000, verbose_name="introduction"
                            ),
                        ),
                        ("body", wagtail.fields.RichTextField(blank=True, verbose_name="body")),
                        (
                            "show_in_footer",
                            models.BooleanField(
                                default=False,
                                help_text="Legal and contact pages (Impressum, Datenschutz, Barrierefreiheit) belong in the footer.",
                                verbose_name="show in footer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "barleben_portal_standardpage",
                        "verbose_name": "standard page",
                    },
                    bases=("wagtailcore.page",),
                ),
                migrations.CreateModel(
                    name="BarrierReport",
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
                            "message",
                            models.TextField(
                                validators=[django.core.validators.MaxLengthValidator(5000)],
                                verbose_name="description of the barrier",
                            ),
                        ),
                        (
                            "location",
                            models.CharField(
                                blank=True, max_length=500, verbose_name="page or content concerned"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=150, verbose_name="name")),
                        (
                            "email",
                            models.EmailField(
                                blank=True, max_length=254, verbose_name="e-mail for a reply"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="received"),
                        ),
                        (
                            "notified_at",
                            models.DateTimeField(
                                blank=True, editable=False, null=True, verbose_name="staff notified"
                            ),
                        ),
                        (
                            "is_resolved",
                            models.BooleanField(default=False, verbose_name="resolved"),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="wagtailcore.site",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "barleben_portal_barrierreport",
                        "verbose_name": "barrier report",
                        "verbose_name_plural": "barrier reports",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="MunicipalitySettings",
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
                            models.CharField(
                                default="Gemeinde",
                                max_length=150,
                                verbose_name="name of the municipality",
                            ),
                        ),
                        (
                            "ags",
                            models.CharField(
                                blank=True,
                                help_text="Amtlicher Gemeindeschlüssel, eight digits; published in the OParl data.",
                                max_length=8,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^\\d{8}$", "The AGS has exactly eight digits."
                                    )
                                ],
                                verbose_name="official municipality key (AGS)",
                            ),
                        ),
                        (
                            "street_address",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="street and number"
                            ),
                        ),
                        (
                            "postal_code",
                            models.CharField(blank=True, max_length=10, verbose_name="postal code"),
                        ),
                        ("city", models.CharField(blank=True, max_length=100, verbose_name="city")),
                        (
                            "phone",
                            models.CharField(blank=True, max_length=50, verbose_name="phone"),
                        ),
                        (
                            "email",
                            models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
                        ),
                        (
                            "opening_hours",
                            models.TextField(
                                blank=True, max_length=1000, verbose_name="opening hours"
                            ),
                        ),
                        (
                            "barrier_report_email",
                            models.EmailField(
                                blank=True,
                                help_text="Reports from the accessibility statement go here; empty means the e-mail above.",
                                max_length=254,
                                verbose_name="recipient of barrier reports",
                            ),
                        ),
                        (
                            "logo",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="wagtailimages.image",
                                verbose_name="logo",
                            ),
                        ),
                        (
                            "site",
                            models.OneToOneField(
                                editable=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="wagtailcore.site",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "barleben_portal_municipalitysettings",
                        "verbose_name": "municipality",
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="accessibilitystatementpage", table=None),
        migrations.AlterModelTable(name="homepage", table=None),
        migrations.AlterModelTable(name="ortschaft", table=None),
        migrations.AlterModelTable(name="standardpage", table=None),
        migrations.AlterModelTable(name="barrierreport", table=None),
        migrations.AlterModelTable(name="municipalitysettings", table=None),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
