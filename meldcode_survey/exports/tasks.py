"""Celery tasks of the exports app: thin, they take ids and call services.

The export row is the record of the work (see services): a run writes a
heartbeat, and the `requeue_stalled` beat task sends again what went stale. So
the export's message is acknowledged when a worker takes it (no late ack): a
killed worker's message is not delivered again an hour later by the broker.
Celery retries transient errors with backoff.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction

from . import services
from .schedules import summary_packs

SOFT_TIME_LIMIT = 30 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 120


@shared_task(
    bind=True,
    name="exports.run_export",
    autoretry_for=services.TRANSIENT_ERRORS,
    max_retries=services.MAX_ATTEMPTS - 1,
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    acks_late=False,
)
def run_export_task(self: Any, export_id: int) -> str | None:
    final = self.request.retries >= self.max_retries
    export = services.export_run(export_id, final_attempt=final)
    return None if export is None else export.status


@shared_task(name="exports.summary_packs", time_limit=300)
def summary_packs_task(formats: list[str] | None = None) -> int:
    """Queue summary exports of every sector and all sectors (the schedule)."""
    with transaction.atomic():
        return len(summary_packs(formats=formats))


@shared_task(name="exports.requeue_stalled", time_limit=120)
def requeue_stalled_task() -> int:
    return len(services.exports_requeue_stalled())
