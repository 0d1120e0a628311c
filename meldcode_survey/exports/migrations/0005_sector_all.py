"""All sectors together is written "all" (questionnaires.sectors.ALL), as in
the dashboard and in URLs, no longer as an empty sector."""

from django.db import migrations, models


def empty_to_all(apps, schema_editor) -> None:
    Export = apps.get_model("exports", "Export")
    Export.objects.filter(sector="").update(sector="all")


def all_to_empty(apps, schema_editor) -> None:
    Export = apps.get_model("exports", "Export")
    Export.objects.filter(sector="all").update(sector="")


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0004_export_with_all_sectors"),
    ]

    operations = [
        migrations.AlterField(
            model_name="export",
            name="sector",
            field=models.CharField(
                default="all",
                help_text="A sector code, or “all” for all sectors together.",
                max_length=40,
                verbose_name="sector",
            ),
        ),
        migrations.RunPython(empty_to_all, all_to_empty),
    ]
