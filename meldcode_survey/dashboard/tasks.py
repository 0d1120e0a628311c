from celery import shared_task

from .services import rollups_count_missed, rollups_count_response, rollups_rebuild


@shared_task(name="dashboard.refresh_aggregates", time_limit=1800)
def refresh_aggregates_task() -> dict[str, float]:
    """Rebuild the rollups from the raw answers (nightly, repairs any gap)."""
    result = rollups_rebuild()
    return {
        "response_rows": result.response_rows,
        "answer_rows": result.answer_rows,
        "seconds": result.seconds,
    }


# Sent by name after a submit's commit (responses.services.COUNT_TASK).
@shared_task(name="dashboard.count_response", time_limit=300, max_retries=0)
def count_response_task(response_id: int) -> bool:
    """Count one submitted response in the rollups (False: counted already)."""
    return rollups_count_response(response_id)


@shared_task(name="dashboard.count_missed_responses", time_limit=600)
def count_missed_responses_task() -> int:
    """Beat's sweep (every minute): count what a lost task left uncounted."""
    return rollups_count_missed()
