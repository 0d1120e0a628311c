"""Record keys for cell key perturbation: a random key per response, copied
onto its answers, for responses stored before keys existed too."""

from django.db import migrations, models

import meldcode_survey.responses.models


def fill_record_keys(apps, schema_editor):
    """One random key per existing response (0..255), then onto its answers."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    response = quote(apps.get_model("responses", "Response")._meta.db_table)
    answer = quote(apps.get_model("responses", "Answer")._meta.db_table)
    draw = (
        "floor(random() * 256)::int"
        if connection.vendor == "postgresql"
        else "abs(random()) % 256"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {response} SET record_key = {draw}")
        cursor.execute(
            f"UPDATE {answer} SET record_key = (SELECT r.record_key FROM "
            f"{response} r WHERE r.id = {answer}.response_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_initial"),
        ("responses", "0005_thorough_screening"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="record_key",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="answer",
            name="record_key",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_record_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="response",
            name="record_key",
            field=models.PositiveSmallIntegerField(
                default=meldcode_survey.responses.models.new_record_key,
                editable=False,
            ),
        ),
        migrations.RemoveIndex(model_name="answer", name="answer_grain_for_rollups"),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=[
                    "question",
                    "submitted_month",
                    "is_synthetic",
                    "rollup_key",
                    "sector",
                    "record_key",
                ],
                name="answer_grain_for_rollups",
            ),
        ),
    ]
