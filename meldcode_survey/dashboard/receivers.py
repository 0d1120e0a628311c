"""Keep the rollups current as responses come and go.

A submit is counted synchronously in the `response_submitted` receiver, which
runs after the submit has committed: it needs no Redis or worker, takes a few
milliseconds, and is wrapped so that a failure is logged and never reaches the
respondent (`refresh_aggregates`, run nightly by beat, repairs any gap).
A deleted response is subtracted inside the deleting transaction, so a delete
that rolls back leaves the rollups as they were. Changes to the narrative
coding renew the figures stamps, so no cached page shows old coded figures.
"""

from __future__ import annotations

import logging
from typing import Any

from .services import figures_changed, rollups_add_response, rollups_remove_response

logger = logging.getLogger(__name__)


def count_submitted_response(sender: Any, response: Any, **kwargs: Any) -> None:
    try:
        rollups_add_response(response.pk)
    except Exception:
        logger.exception(
            "Could not add response %s to the dashboard rollups; "
            "run refresh_aggregates to repair",
            response.pk,
        )


def uncount_deleted_response(sender: Any, instance: Any, **kwargs: Any) -> None:
    try:
        rollups_remove_response(instance.pk)
    except Exception:
        logger.exception(
            "Could not subtract response %s from the dashboard rollups; "
            "run refresh_aggregates to repair",
            instance.pk,
        )


def coding_changed(sender: Any, **kwargs: Any) -> None:
    """Coded dilemmas and approved examples are figures too: new stamps."""
    figures_changed(everything=True)
