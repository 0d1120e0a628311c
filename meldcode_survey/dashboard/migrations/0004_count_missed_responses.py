"""The sweep that counts submits whose after-commit task was lost (the broker
was down, a worker died), every minute, as a django-celery-beat periodic task."""

from django.db import migrations

NAME = "Dashboard: count submitted responses not counted yet"


def create_task(apps, schema_editor) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "dashboard.count_missed_responses",
            "interval": schedule,
            "description": (
                "Adds to the rollups every stored response that is not counted "
                "yet; normally each submit is counted by a task right after it."
            ),
        },
    )


def remove_task(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_record_key_sums"),
        ("responses", "0007_counted_in_rollups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, remove_task)]
