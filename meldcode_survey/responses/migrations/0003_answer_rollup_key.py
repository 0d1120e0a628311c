import django.db.models.functions.comparison
from django.db import migrations, models


class AddStoredGeneratedField(migrations.AddField):
    """AddField for a stored generated column.

    SQLite cannot add one to a table that has rows ("cannot add a STORED
    column"), so there the table is rebuilt with it; elsewhere it is a plain
    ALTER TABLE ADD COLUMN (PostgreSQL computes it for every existing row).
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(
                app_label, schema_editor, from_state, to_state
            )
        to_model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, to_model):
            from_model = from_state.apps.get_model(app_label, self.model_name)
            field = to_model._meta.get_field(self.name)
            schema_editor._remake_table(from_model, create_field=field)


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_initial"),
        ("responses", "0002_answer_response_grain"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="answer",
            name="answer_grain_for_rollups",
        ),
        AddStoredGeneratedField(
            model_name="answer",
            name="rollup_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Coalesce(
                    "choice",
                    "scale_value",
                    models.Case(
                        models.When(not_applicable=True, then=models.Value(0))
                    ),
                    output_field=models.BigIntegerField(),
                ),
                null=True,
                output_field=models.BigIntegerField(),
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=[
                    "question",
                    "submitted_month",
                    "is_synthetic",
                    "rollup_key",
                    "sector",
                ],
                name="answer_grain_for_rollups",
            ),
        ),
    ]
