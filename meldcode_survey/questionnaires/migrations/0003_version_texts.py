"""Questionnaire texts belong to the version: copy them to every version.

Versions are frozen once published, but this copy is the text they were
published with, so it goes through the database directly (update()).
"""

from django.db import migrations, models


TEXTS = ("title", "title_en", "intro", "intro_en", "privacy_text", "privacy_text_en")


def copy_texts_to_versions(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    Version = apps.get_model("questionnaires", "Version")
    for questionnaire in Questionnaire.objects.all():
        texts = {name: getattr(questionnaire, name) for name in TEXTS}
        Version.objects.filter(questionnaire=questionnaire).update(**texts)


def copy_texts_back(apps, schema_editor):
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    Version = apps.get_model("questionnaires", "Version")
    for questionnaire in Questionnaire.objects.all():
        newest = Version.objects.filter(questionnaire=questionnaire).order_by("-number")
        version = newest.first()
        if version is not None:
            texts = {name: getattr(version, name) for name in TEXTS[2:]}
            Questionnaire.objects.filter(pk=questionnaire.pk).update(**texts)


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0002_factsheet_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="version",
            name="english_fallback",
            field=models.BooleanField(
                default=False,
                help_text="Without this, publishing requires every text in Dutch and English.",
                verbose_name="show Dutch where English is missing",
            ),
        ),
        migrations.AddField(
            model_name="version",
            name="intro",
            field=models.TextField(blank=True, verbose_name="introduction"),
        ),
        migrations.AddField(
            model_name="version",
            name="intro_en",
            field=models.TextField(blank=True, verbose_name="introduction (English)"),
        ),
        migrations.AddField(
            model_name="version",
            name="privacy_text",
            field=models.TextField(blank=True, verbose_name="privacy statement"),
        ),
        migrations.AddField(
            model_name="version",
            name="privacy_text_en",
            field=models.TextField(
                blank=True, verbose_name="privacy statement (English)"
            ),
        ),
        migrations.AddField(
            model_name="version",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="version",
            name="title_en",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="title (English)"
            ),
        ),
        migrations.RunPython(copy_texts_to_versions, copy_texts_back),
        migrations.RemoveField(
            model_name="questionnaire",
            name="intro",
        ),
        migrations.RemoveField(
            model_name="questionnaire",
            name="intro_en",
        ),
        migrations.RemoveField(
            model_name="questionnaire",
            name="privacy_text",
        ),
        migrations.RemoveField(
            model_name="questionnaire",
            name="privacy_text_en",
        ),
    ]
