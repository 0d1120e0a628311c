"""Retention: what is deleted or blanked after how long, each run audited.

Drafts expire after DRAFT_RETENTION_DAYS (their expiry is set when saved).
Case narrative texts are blanked NARRATIVE_RETENTION_DAYS after submission, or
after the `days` the periodic task is given in the admin; the response, its
other answers, the narrative's "with dilemma" answer, its codings and every
figure stay.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.responses.services import drafts_delete_expired

from . import record
from .models import Action

BATCH = 1000


def expire_drafts() -> int:
    """Delete expired drafts; one audit entry with the count."""
    deleted = drafts_delete_expired()
    if deleted:
        record(None, Action.DRAFTS_EXPIRED, count=deleted)
    return deleted


def narratives_due(days: int, today: date | None = None):
    """Narratives submitted at least `days` days ago whose texts are still kept."""
    cutoff = (today or timezone.localdate()) - timedelta(days=days)
    return CaseNarrative.objects.filter(
        texts_purged_on__isnull=True, response__submitted_on__lte=cutoff
    )


def purge_narrative_texts(days: int | None = None, today: date | None = None) -> int:
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
            record(
                None,
                Action.NARRATIVES_PURGED,
                narratives=ids,
                count=len(ids),
                retention_days=days,
            )
        purged += len(ids)
    return purged
