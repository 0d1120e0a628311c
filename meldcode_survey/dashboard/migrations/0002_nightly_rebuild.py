"""The nightly rollup rebuild as a django-celery-beat periodic task, so that staff
can move or pause it in the admin. It repairs anything an incremental update
missed (a failed receiver, a response counted twice during a rebuild)."""

from django.db import migrations

NAME = "Dashboard: rebuild the rollups from the raw answers"


def create_task(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="4",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Amsterdam",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "dashboard.refresh_aggregates",
            "crontab": schedule,
            "description": "Same as `python manage.py refresh_aggregates`.",
        },
    )


def remove_task(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, remove_task)]
