from celery import shared_task

from .services import rollups_rebuild


@shared_task(name="dashboard.refresh_aggregates", time_limit=1800)
def refresh_aggregates_task() -> dict[str, float]:
    """Rebuild the rollups from the raw answers (nightly, repairs any gap)."""
    result = rollups_rebuild()
    return {
        "response_rows": result.response_rows,
        "answer_rows": result.answer_rows,
        "seconds": result.seconds,
    }
