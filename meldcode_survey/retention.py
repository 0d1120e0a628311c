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

from celery import shared_task

from meldcode_survey.exports.services import exports_delete_expired
from meldcode_survey.responses.retention import (
    drafts_delete_expired,
    narrative_texts_purge,
)


@shared_task(name="retention.run", time_limit=3600)
def retention_task(narrative_days: int | None = None) -> dict[str, int]:
    """Run every retention rule; returns how much each removed."""
    return {
        "drafts": drafts_delete_expired(),
        "narratives": narrative_texts_purge(narrative_days),
        "export_files": exports_delete_expired(),
    }
