"""The default schedule of a new installation, as rows staff can change in the
admin (Periodic tasks): summary packs every Monday at 06:00, the retention
clean-up every night, and a check for stalled exports every ten minutes.
Existing rows with these names are left as staff set them."""

import json

from django.conf import settings
from django.db import migrations

SUMMARY_PACKS = "Summary packs for all sectors (every Monday 06:00)"
DELETE_EXPIRED = "Retention: delete expired export files"
REQUEUE_STALLED = "Send stalled exports again (every 10 minutes)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    def crontab(minute, hour, day_of_week="*"):
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute),
            hour=str(hour),
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        return schedule

    every_ten, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SUMMARY_PACKS,
        defaults={
            "task": "exports.summary_packs",
            "crontab": crontab(0, 6, "1"),
            "kwargs": json.dumps({"formats": ["pdf", "xlsx", "csv"]}),
            "description": "A sector summary of every sector and of all sectors "
            "together, for the published version of each questionnaire.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=DELETE_EXPIRED,
        defaults={
            "task": "exports.delete_expired",
            "crontab": crontab(30, 4),
            "description": "Deletes export files past EXPORT_RETENTION_DAYS.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=REQUEUE_STALLED,
        defaults={"task": "exports.requeue_stalled", "interval": every_ten},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(
        name__in=[SUMMARY_PACKS, DELETE_EXPIRED, REQUEUE_STALLED]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
