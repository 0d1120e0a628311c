"""Celery tasks of the exports app: thin, they take ids and call services.

Late acks and reject-on-worker-lost are global (settings): a message is
delivered again when a worker's child process dies, or after the broker's
visibility timeout when the whole worker was killed, and `export_run`'s claim
makes that harmless. What brings back an export sooner after the worker was
killed is the sweep below, run when a worker starts, and the `requeue_stalled`
beat task.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import connections, transaction

from . import services
from .schedules import summary_packs

logger = logging.getLogger(__name__)

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


@shared_task(name="exports.delete_expired", time_limit=600)
def delete_expired_task() -> int:
    return services.delete_expired_exports()


@shared_task(name="exports.requeue_stalled", time_limit=120)
def requeue_stalled_task() -> int:
    return len(services.requeue_stalled())


@worker_ready.connect
def requeue_after_restart(**_kwargs: Any) -> None:
    """A worker that starts takes up the exports that a killed worker held."""
    try:
        ids = services.requeue_after_restart()
    except Exception:  # noqa: BLE001 - never keep a worker from starting
        logger.exception("Could not look for exports left by a stopped worker")
        return
    finally:
        connections.close_all()  # not inherited by the pool's processes
    if ids:
        logger.info("Worker start: sent exports %s again", ids)
