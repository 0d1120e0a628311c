"""Response.counted_in_rollups: whether the dashboard has counted the response.

Responses stored until now were counted inside their submit, so they start out
counted (adding a column with a constant default rewrites no rows); new ones
start out not counted.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_initial"),
        ("responses", "0006_record_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="counted_in_rollups",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AlterField(
            model_name="response",
            name="counted_in_rollups",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("counted_in_rollups", False)),
                fields=["id"],
                name="response_not_counted",
            ),
        ),
    ]
