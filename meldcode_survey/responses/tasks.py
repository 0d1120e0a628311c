from celery import shared_task

from .models import Draft


def expire_drafts() -> int:
    """Delete drafts past their expiry; returns how many were deleted."""
    deleted, _ = Draft.objects.expired().delete()
    return deleted


@shared_task(name="responses.expire_drafts", time_limit=600)
def expire_drafts_task() -> int:
    return expire_drafts()
