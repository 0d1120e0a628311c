"""The respondents' data that is kept for a limited time; each run audited.

Drafts expire DRAFT_RETENTION_DAYS after they were last saved (Draft.expires_at,
set on every save; DraftQuerySet.expired). Case narrative texts are blanked
NARRATIVE_RETENTION_DAYS after submission, or after the `days` the retention
task is given in the admin; the response, its other answers, the narrative's
"with dilemma" answer, its codings and every figure stay.

The nightly task that runs these is meldcode_survey.retention.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from meldcode_survey import audit
from meldcode_survey.audit.models import Action

from .models import CaseNarrative, Draft

BATCH = 1000


def drafts_delete_expired() -> int:
    """Delete the drafts past their expiry; one audit entry with the count."""
    deleted, _ = Draft.objects.expired().delete()
    if deleted:
        audit.record(None, Action.DRAFTS_EXPIRED, count=deleted)
    return deleted


def narratives_due(days: int, today: date | None = None) -> QuerySet[CaseNarrative]:
    """Narratives submitted at least `days` days ago whose texts are still kept."""
    cutoff = (today or timezone.localdate()) - timedelta(days=days)
    return CaseNarrative.objects.filter(
        texts_purged_on__isnull=True, response__submitted_on__lte=cutoff
    )


def narrative_texts_purge(days: int | None = None, today: date | None = None) -> int:
    """Blank the texts (and the screening flags, which quote them) of narratives
    older than `days` (default: NARRATIVE_RETENTION_DAYS; None: keep them all).
    Returns the number purged; each batch is one audit entry naming the cases."""
    if days is None:
        days = settings.NARRATIVE_RETENTION_DAYS
    if days is None:
        return 0
    if days < 0:
        raise ValueError("days must not be negative")
    today = today or timezone.localdate()
    purged = 0
    while ids := list(narratives_due(days, today).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            CaseNarrative.objects.filter(pk__in=ids).update(
                description="",
                dilemma="",
                follow_up="",
                screening_flags={},
                thorough_flags={},
                texts_purged_on=today,
            )
            audit.record(
                None,
                Action.NARRATIVES_PURGED,
                narratives=ids,
                count=len(ids),
                retention_days=days,
            )
        purged += len(ids)
    return purged
