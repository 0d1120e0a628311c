"""Retention jobs for Celery beat; their schedules and arguments are rows of
django-celery-beat (made by migration 0002), changed by staff in the admin."""

from celery import shared_task

from . import retention


@shared_task(name="retention.expire_drafts", time_limit=600)
def expire_drafts_task() -> int:
    return retention.expire_drafts()


@shared_task(name="retention.purge_narrative_texts", time_limit=1800)
def purge_narrative_texts_task(days: int | None = None) -> int:
    return retention.purge_narrative_texts(days)
