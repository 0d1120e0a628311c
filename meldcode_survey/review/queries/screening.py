"""What the thorough screening still has to do."""

from __future__ import annotations

from meldcode_survey.responses.models import CaseNarrative

from ..models import Redaction


def unscreened(limit: int) -> tuple[list[int], list[int]]:
    """Ids of narratives (texts not purged) and redactions not screened yet."""
    narratives = CaseNarrative.objects.filter(
        thorough_screened_at__isnull=True, texts_purged_on__isnull=True
    ).order_by("pk")
    redactions = Redaction.objects.filter(screened_at__isnull=True).order_by("pk")
    return (
        list(narratives.values_list("pk", flat=True)[:limit]),
        list(redactions.values_list("pk", flat=True)[:limit]),
    )
