"""Retention: the one nightly task that deletes or blanks what is past its time.

Each app owns its rule and audits what it removes:

* `responses.retention.drafts_delete_expired`: drafts past their expiry
  (DRAFT_RETENTION_DAYS after their last save);
* `responses.retention.narrative_texts_purge`: case narrative texts
  NARRATIVE_RETENTION_DAYS (or the task's `narrative_days`) after submission;
* `exports.services.exports_delete_expired`: export files past
  EXPORT_RETENTION_DAYS.

The task's schedule and `narrative_days` are a django-celery-beat row (made by
migration responses 0008) that staff change in the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task

from meldcode_survey.exports.services import exports_delete_expired
from meldcode_survey.responses.retention import (
    drafts_delete_expired,
    narrative_texts_purge,
)

logger = logging.getLogger(__name__)


class RetentionFailed(Exception):
    """Rules that failed (by name), and what the others removed."""


@shared_task(name="retention.run", time_limit=3600)
def retention_task(narrative_days: int | None = None) -> dict[str, int]:
    """Run every retention rule; returns how much each removed.

    The rules do not depend on each other: one that fails (logged) does not
    keep the others from running, and the task then fails, so that beat shows
    it and the next night tries again."""
    rules: dict[str, Callable[[], int]] = {
        "drafts": drafts_delete_expired,
        "narratives": lambda: narrative_texts_purge(narrative_days),
        "export_files": exports_delete_expired,
    }
    removed, failed = {}, []
    for name, rule in rules.items():
        try:
            removed[name] = rule()
        except Exception:
            logger.exception("Retention rule %s failed", name)
            failed.append(name)
    if failed:
        raise RetentionFailed(failed, removed)
    return removed
