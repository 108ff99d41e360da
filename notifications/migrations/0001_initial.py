"""The notification service takes over the outbox that notices 0007 brought into its general
shape: the models enter this app's state over the existing tables (no table is created, no
row copied), then the tables take this app's names.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # (notices 0007 runs before this one: its tables are taken over here)
        ("barleben_portal", "0004_municipality_ags"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("notification", "notification"),
                                    ("digest", "digest"),
                                    ("confirmation", "confirmation request"),
                                    ("reminder", "link to change an existing subscription"),
                                ],
                                max_length=20,
                                verbose_name="kind",
                            ),
                        ),
                        ("audience", models.CharField(max_length=40, verbose_name="audience")),
                        ("recipient_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        (
                            "channel",
                            models.CharField(
                                default="email", max_length=20, verbose_name="channel"
                            ),
                        ),
                        (
                            "digest_period",
                            models.CharField(
                                blank=True, max_length=20, verbose_name="digest period"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "pending"),
                                    ("sent", "sent"),
                                    ("failed", "failed"),
                                    ("cancelled", "cancelled (unsubscribed or paused)"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="last error")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created"
                            ),
                        ),
                        (
                            "next_attempt_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("queued_at", models.DateTimeField(blank=True, null=True)),
                        ("lease_until", models.DateTimeField(blank=True, null=True)),
                        ("lease_token", models.UUIDField(blank=True, editable=False, null=True)),
                        (
                            "sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="sent"),
                        ),
                    ],
                    options={
                        "db_table": "notices_delivery",
                        "verbose_name": "delivery",
                        "verbose_name_plural": "deliveries",
                    },
                ),
                migrations.CreateModel(
                    name="Dispatch",
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
                        ("source_id", models.PositiveBigIntegerField(db_index=True)),
                        ("audience", models.CharField(max_length=40, verbose_name="audience")),
                        (
                            "is_update",
                            models.BooleanField(
                                default=False, verbose_name="change of a published notice"
                            ),
                        ),
                        (
                            "source_version",
                            models.CharField(blank=True, editable=False, max_length=40),
                        ),
                        ("label", models.CharField(max_length=100, verbose_name="label")),
                        ("title", models.CharField(max_length=255, verbose_name="title")),
                        ("summary", models.TextField(blank=True, verbose_name="summary")),
                        ("url", models.URLField(max_length=500, verbose_name="address")),
                        (
                            "criteria",
                            models.JSONField(
                                blank=True, default=dict, verbose_name="criteria of the audience"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="created",
                            ),
                        ),
                        ("fanout_lease_until", models.DateTimeField(blank=True, null=True)),
                        (
                            "fanned_out_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="recipients determined"
                            ),
                        ),
                        (
                            "ortschaften",
                            models.ManyToManyField(
                                blank=True,
                                to="barleben_portal.ortschaft",
                                verbose_name="Ortschaften",
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wagtailcore.site",
                            ),
                        ),
                        (
                            "source_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notices_dispatch",
                        "verbose_name": "dispatch",
                        "verbose_name_plural": "dispatches",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="DigestEntry",
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
                        ("audience", models.CharField(max_length=40, verbose_name="audience")),
                        ("recipient_id", models.PositiveBigIntegerField()),
                        (
                            "digest",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="entries",
                                to="notifications.delivery",
                            ),
                        ),
                        (
                            "dispatch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="digest_entries",
                                to="notifications.dispatch",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notices_digestentry",
                        "verbose_name": "digest entry",
                        "verbose_name_plural": "digest entries",
                    },
                ),
                migrations.AddField(
                    model_name="delivery",
                    name="dispatch",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="notifications.dispatch",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="dispatch",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("is_update", False)),
                        fields=("source_type", "source_id"),
                        name="one_announcement_per_source",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="dispatch",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("is_update", True)),
                        fields=("source_type", "source_id", "source_version"),
                        name="one_announcement_per_change",
                    ),
                ),
                migrations.AddIndex(
                    model_name="digestentry",
                    index=models.Index(
                        fields=["audience", "recipient_id"], name="digest_entries_of_recipient"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="digestentry",
                    constraint=models.UniqueConstraint(
                        fields=("dispatch", "audience", "recipient_id"),
                        name="one_digest_entry_per_recipient",
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["next_attempt_at"],
                        name="pending_deliveries",
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        fields=["audience", "recipient_id"], name="deliveries_of_recipient"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="delivery",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("dispatch__isnull", False)),
                        fields=("dispatch", "audience", "recipient_id"),
                        name="one_delivery_per_dispatch_and_recipient",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="delivery",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("kind", "digest")),
                        fields=("audience", "recipient_id", "digest_period"),
                        name="one_digest_per_period",
                    ),
                ),
            ]
        ),
        migrations.AlterModelTable(name="delivery", table=None),
        migrations.AlterModelTable(name="dispatch", table=None),
        migrations.AlterModelTable(name="digestentry", table=None),
    ]
