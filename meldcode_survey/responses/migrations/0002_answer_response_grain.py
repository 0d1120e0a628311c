"""Answers carry their response's sector, month and synthetic mark.

The columns are added nullable, filled from the responses, then made required.
The rebuild's index on the grain replaces the (question, scale_value) index and
the single-column index on the question: it serves the same lookups.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncMonth


def copy_response_grain(apps, schema_editor):
    Answer = apps.get_model("responses", "Answer")
    Response = apps.get_model("responses", "Response")
    db = schema_editor.connection.alias
    response = Response.objects.using(db).filter(pk=OuterRef("response_id"))
    Answer.objects.using(db).update(
        sector=Subquery(response.values("sector")),
        submitted_month=Subquery(
            response.annotate(month=TruncMonth("submitted_on")).values("month")
        ),
        is_synthetic=Subquery(response.values("is_synthetic")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_initial"),
        ("responses", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="answer",
            name="responses_a_questio_9a5674_idx",
        ),
        migrations.AddField(
            model_name="answer",
            name="sector",
            field=models.CharField(
                blank=True, editable=False, max_length=40, null=True
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="submitted_month",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="answer",
            name="is_synthetic",
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.RunPython(copy_response_grain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="answer",
            name="sector",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AlterField(
            model_name="answer",
            name="submitted_month",
            field=models.DateField(editable=False),
        ),
        migrations.AlterField(
            model_name="answer",
            name="is_synthetic",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="answer",
            name="question",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="questionnaires.question",
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=[
                    "question",
                    "sector",
                    "submitted_month",
                    "is_synthetic",
                    "choice",
                    "scale_value",
                    "not_applicable",
                ],
                name="answer_grain_for_rollups",
            ),
        ),
    ]
