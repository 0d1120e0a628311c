"""The screening sweep as a django-celery-beat periodic task: it screens the
narratives and redactions whose screening message was lost or never sent."""

from django.db import migrations

NAME = "Screening: screen what is not screened yet"


def create_task(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="*/15",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Amsterdam",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "screening.sweep",
            "crontab": schedule,
            "kwargs": '{"limit": 2000}',
            "description": (
                "Runs the thorough screening (deduce) on narratives and "
                "redactions that have not been screened yet."
            ),
        },
    )


def remove_task(apps, schema_editor) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0003_thorough_screening"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, remove_task)]
