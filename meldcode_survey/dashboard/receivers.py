"""Keep the rollups current as responses go, and the figures stamps as coding
changes.

A submit is counted after its commit by a task (`tasks.count_response_task`,
sent by name by the submit). A deleted response is subtracted inside the deleting
transaction, so a delete that rolls back leaves the rollups as they were. Changes
to the narrative coding renew the figures stamps, so no cached page shows old
coded figures.
"""

from __future__ import annotations

import logging
from typing import Any

from .services import figures_changed, rollups_uncount_response

logger = logging.getLogger(__name__)


def uncount_deleted_response(sender: Any, instance: Any, **kwargs: Any) -> None:
    try:
        rollups_uncount_response(instance.pk)
    except Exception:
        logger.exception(
            "Could not subtract response %s from the dashboard rollups; "
            "run refresh_aggregates to repair",
            instance.pk,
        )


def coding_changed(sender: Any, **kwargs: Any) -> None:
    """Coded dilemmas and approved examples are figures too: new stamps."""
    figures_changed(everything=True)
