"""Counts kept as responses are stored; the surveys answered so far are counted once here."""

import django.db.models.deletion
from django.db import migrations, models


def count_existing(apps, schema_editor):
    # The counting rules are those of participation/tallies.py, which needs the live model's
    # question list; it is loaded only for surveys that have answers, never on a new database.
    answered = apps.get_model("participation", "Response").objects.values("survey_id")
    if not answered.exists():
        return
    from participation.models import SurveyPage
    from participation.tallies import tally_recount

    for survey in SurveyPage.objects.filter(pk__in=answered):
        tally_recount(survey=survey)


class Migration(migrations.Migration):

    dependencies = [
        ('participation', '0004_results_permissions'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResultCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=120, verbose_name='combination')),
                ('count', models.PositiveIntegerField(verbose_name='count')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='participation.surveypage', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'result count',
                'verbose_name_plural': 'result counts',
                'constraints': [models.UniqueConstraint(fields=('survey', 'key'), name='participation_count_key')],
            },
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
