"""Timestamps for OParl's modified_since, and the tombstones of objects no longer served."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def documents_modified(apps, schema_editor):
    # Not the migration's time: the last change known, so no client fetches them all again.
    Document = apps.get_model("archive", "Document")
    Document.objects.update(modified_at=Coalesce("indexed_at", "created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0004_search_ranked_by_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='modified_at',
            field=models.DateTimeField(auto_now=True, db_index=True, verbose_name='modified'),
        ),
        migrations.AddField(
            model_name='documenttype',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created'),
        ),
        migrations.AddField(
            model_name='documenttype',
            name='modified_at',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AddField(
            model_name='issuingbody',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created'),
        ),
        migrations.AddField(
            model_name='issuingbody',
            name='modified_at',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.CreateModel(
            name='OParlTombstone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_type', models.CharField(choices=[('organization', 'Organization'), ('meeting', 'Meeting'), ('paper', 'Paper'), ('file', 'File')], max_length=20)),
                ('object_id', models.PositiveBigIntegerField()),
                ('created_at', models.DateTimeField()),
                ('deleted_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('object_type', 'object_id'), name='unique_tombstone')],
            },
        ),
        migrations.RunPython(documents_modified, migrations.RunPython.noop),
    ]
