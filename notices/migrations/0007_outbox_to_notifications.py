"""The notification outbox (Dispatch, Delivery, DigestEntry) leaves the board for the
notification service (app `notifications`), which knows no feature app.

First, here, the tables take their general shape: a delivery and a digest entry name their
recipient by audience and id instead of foreign keys to a subscription or a saved search,
and a dispatch keeps the board's kind and categories as the criteria of its audience. Then
the models leave this app's state; notifications 0001 takes them over, renames the tables,
and the content types (with the permissions of staff groups) follow. No row is lost.

Going back restores the tables' shape (for a test that starts from the old layout), not the
links of old deliveries to their recipients: those are only kept going forward.
"""

from django.db import migrations, models
from django.db.models import Q

MOVED = ["dispatch", "delivery", "digestentry"]


def recipients_by_audience(apps, schema_editor):
    Delivery = apps.get_model("notices", "Delivery")
    DigestEntry = apps.get_model("notices", "DigestEntry")
    Dispatch = apps.get_model("notices", "Dispatch")
    Delivery.objects.filter(saved_search__isnull=False).update(
        audience="saved_search", recipient_id=models.F("saved_search_id")
    )
    Delivery.objects.filter(saved_search__isnull=True).update(
        audience="board", recipient_id=models.F("subscription_id")
    )
    DigestEntry.objects.update(audience="board", recipient_id=models.F("subscription_id"))
    # The board matches by kind and categories; a survey's dispatch has neither.
    for dispatch in Dispatch.objects.filter(audience="board").prefetch_related("categories"):
        criteria = {}
        if dispatch.kind_id is not None:
            criteria["kind"] = dispatch.kind_id
        if categories := [category.pk for category in dispatch.categories.all()]:
            criteria["categories"] = categories
        if criteria:
            Dispatch.objects.filter(pk=dispatch.pk).update(criteria=criteria)


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="notifications", model=model).exists():
            ContentType.objects.filter(app_label="notices", model=model).update(
                app_label="notifications"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_document_search_vector"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notices", "0006_link_page_optional_chooser"),
    ]
    run_before = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="audience",
            field=models.CharField(default="board", max_length=40, verbose_name="audience"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="delivery",
            name="recipient_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="delivery",
            name="channel",
            field=models.CharField(default="email", max_length=20, verbose_name="channel"),
        ),
        migrations.AddField(
            model_name="digestentry",
            name="audience",
            field=models.CharField(default="board", max_length=40, verbose_name="audience"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="digestentry",
            name="recipient_id",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dispatch",
            name="criteria",
            field=models.JSONField(blank=True, default=dict, verbose_name="criteria of the audience"),
        ),
        migrations.AlterField(
            model_name="dispatch",
            name="audience",
            field=models.CharField(max_length=40, verbose_name="audience"),
        ),
        migrations.RunPython(recipients_by_audience, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="delivery", name="one_delivery_per_dispatch_and_subscription"
        ),
        migrations.RemoveConstraint(
            model_name="delivery", name="one_delivery_per_dispatch_and_saved_search"
        ),
        migrations.RemoveConstraint(model_name="delivery", name="one_digest_per_period"),
        migrations.RemoveConstraint(
            model_name="digestentry", name="one_digest_entry_per_subscription"
        ),
        migrations.RemoveField(model_name="delivery", name="subscription"),
        migrations.RemoveField(model_name="delivery", name="saved_search"),
        migrations.RemoveField(model_name="digestentry", name="subscription"),
        migrations.RemoveField(model_name="dispatch", name="kind"),
        migrations.RemoveField(model_name="dispatch", name="categories"),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=Q(dispatch__isnull=False),
                fields=("dispatch", "audience", "recipient_id"),
                name="one_delivery_per_dispatch_and_recipient",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=Q(kind="digest"),
                fields=("audience", "recipient_id", "digest_period"),
                name="one_digest_per_period",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["audience", "recipient_id"], name="deliveries_of_recipient"),
        ),
        migrations.AddConstraint(
            model_name="digestentry",
            constraint=models.UniqueConstraint(
                fields=("dispatch", "audience", "recipient_id"),
                name="one_digest_entry_per_recipient",
            ),
        ),
        migrations.AddIndex(
            model_name="digestentry",
            index=models.Index(
                fields=["audience", "recipient_id"], name="digest_entries_of_recipient"
            ),
        ),
        # The tables stay; the models are notifications' from here on.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DigestEntry"),
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="Dispatch"),
            ]
        ),
        migrations.RunPython(content_types_follow, migrations.RunPython.noop),
    ]
