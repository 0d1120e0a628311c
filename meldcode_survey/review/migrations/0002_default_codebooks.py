"""Give every existing questionnaire the default codebook (new ones get it on save)."""

from django.db import migrations

from meldcode_survey.review.defaults import DEFAULT_CODES


def add_default_codebooks(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    Codebook = apps.get_model("review", "Codebook")
    Code = apps.get_model("review", "Code")
    for questionnaire in Questionnaire.objects.filter(codebook__isnull=True):
        codebook = Codebook.objects.create(questionnaire=questionnaire)
        Code.objects.bulk_create(
            Code(codebook=codebook, position=position, **code)
            for position, code in enumerate(DEFAULT_CODES, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_default_codebooks, migrations.RunPython.noop),
    ]
