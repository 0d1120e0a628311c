"""The retention jobs as django-celery-beat periodic tasks, so that staff can
change their times and arguments (e.g. {"days": 730}) in the admin."""

from django.db import migrations

TASKS = [
    {
        "name": "Retention: delete expired drafts",
        "task": "retention.expire_drafts",
        "hour": "3",
        "minute": "15",
        "kwargs": "{}",
        "description": "Deletes drafts past their expiry (DRAFT_RETENTION_DAYS).",
    },
    {
        "name": "Retention: purge case narrative texts",
        "task": "retention.purge_narrative_texts",
        "hour": "3",
        "minute": "45",
        "kwargs": '{"days": null}',
        "description": (
            "Blanks the texts of case narratives submitted at least `days` days "
            "ago; codes and figures stay. days null: NARRATIVE_RETENTION_DAYS "
            "(unset: texts are kept). Each run is written to the audit log."
        ),
    },
]


def create_tasks(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for spec in TASKS:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=spec["minute"],
            hour=spec["hour"],
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/Amsterdam",
        )
        PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "crontab": schedule,
                "kwargs": spec["kwargs"],
                "description": spec["description"],
            },
        )


def remove_tasks(apps, schema_editor) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[spec["name"] for spec in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_tasks, remove_tasks)]
