import logging

from celery import shared_task

from meldcode_survey.lib.tasks import send_fail_fast

from .services import rollups_count_missed, rollups_count_response, rollups_rebuild

logger = logging.getLogger(__name__)


@shared_task(name="dashboard.refresh_aggregates", time_limit=1800)
def refresh_aggregates_task() -> dict[str, float]:
    """Rebuild the rollups from the raw answers (nightly, repairs any gap)."""
    result = rollups_rebuild()
    return {
        "response_rows": result.response_rows,
        "answer_rows": result.answer_rows,
        "seconds": result.seconds,
    }


@shared_task(name="dashboard.count_response", time_limit=300, max_retries=0)
def count_response_task(response_id: int) -> bool:
    return rollups_count_response(response_id)


@shared_task(name="dashboard.count_missed_responses", time_limit=600)
def count_missed_responses_task() -> int:
    """Beat's sweep (every minute): count what a lost task left uncounted."""
    return rollups_count_missed()


def count_after_submit(response_id: int) -> None:
    """Send a submitted response to be counted in the rollups.

    Called by the submit after its commit. Never raises and never waits on the
    broker: when it is down the response stays uncounted and beat's sweep counts
    it within a minute. Without a broker (development) the task runs here.
    """
    app = count_response_task.app
    try:
        if app.conf.task_always_eager:
            count_response_task.apply(args=(response_id,), throw=True)
            return
        send_fail_fast(count_response_task, [response_id])
    except Exception:
        logger.exception(
            "Response %s is not counted in the rollups yet; the sweep will", response_id
        )
