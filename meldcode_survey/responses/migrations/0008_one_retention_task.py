"""One retention task (meldcode_survey.retention, "retention.run") in place of
the three periodic tasks that expired drafts, purged narrative texts and
deleted export files. The new row takes the time of the drafts' row and the
`days` staff gave the purge (as `narrative_days`); it is enabled unless all
three were disabled."""

import json

from django.db import migrations

NAME = "Retention: delete what is past its time (every night)"
TASK = "retention.run"
OLD_TASKS = (
    "retention.expire_drafts",
    "retention.purge_narrative_texts",
    "exports.delete_expired",
)
DESCRIPTION = (
    "Deletes drafts past their expiry (DRAFT_RETENTION_DAYS), blanks the texts "
    "of case narratives submitted at least narrative_days days ago (null: "
    "NARRATIVE_RETENTION_DAYS; unset: texts are kept; codes and figures stay) "
    "and deletes export files past EXPORT_RETENTION_DAYS. Each run is written "
    "to the audit log."
)


def _daily_at(CrontabSchedule, minute: str, hour: str):
    """The every-day crontab at this time, Amsterdam time (made if missing)."""
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Amsterdam",
    )
    return schedule


def merge_tasks(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    old = {row.task: row for row in PeriodicTask.objects.filter(task__in=OLD_TASKS)}
    purge = old.get("retention.purge_narrative_texts")
    days = json.loads(purge.kwargs or "{}").get("days") if purge else None
    drafts = old.get("retention.expire_drafts")
    if drafts is not None and drafts.crontab_id:
        schedule = drafts.crontab
    else:
        schedule = _daily_at(CrontabSchedule, "15", "3")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": schedule,
            "kwargs": json.dumps({"narrative_days": days}),
            "description": DESCRIPTION,
            "enabled": not old or any(row.enabled for row in old.values()),
        },
    )
    PeriodicTask.objects.filter(task__in=OLD_TASKS).delete()


def split_task(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    row = PeriodicTask.objects.filter(task=TASK).first()
    days = json.loads(row.kwargs or "{}").get("narrative_days") if row else None
    old = [
        ("Retention: delete expired drafts", "retention.expire_drafts", "15", {}),
        (
            "Retention: purge case narrative texts",
            "retention.purge_narrative_texts",
            "45",
            {"days": days},
        ),
    ]
    for name, task, minute, kwargs in old:
        schedule = _daily_at(CrontabSchedule, minute, "3")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": schedule, "kwargs": json.dumps(kwargs)},
        )
    schedule = _daily_at(CrontabSchedule, "30", "4")
    PeriodicTask.objects.get_or_create(
        name="Retention: delete expired export files",
        defaults={"task": "exports.delete_expired", "crontab": schedule},
    )
    PeriodicTask.objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0007_counted_in_rollups"),
        ("audit", "0002_retention_tasks"),
        ("exports", "0002_default_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(merge_tasks, split_task)]
