"""What a submit sends, through a real broker and worker: one message, the rollup
count, whose follow-up the worker sends when the count has finished (Celery's
`link`) or failed (`link_error`): the narrative's thorough screening.

The eager path imitates both (lib.tasks._run_here); this test holds the
imitation to what a worker really does, with results disabled as in production.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from meldcode_survey.celery import app
from meldcode_survey.lib.tasks import after, send_fail_fast
from meldcode_survey.responses.models import CaseNarrative, Response
from meldcode_survey.responses.services import COUNT_TASK, SCREEN_TASK
from tests import factories
from tests.celery_worker import require_worker_database, start_worker, stop_worker

TIMEOUT = 90  # the worker loads deduce (seconds) for the first screening
DEFAULT_QUEUE = "celery"  # where the submit's message goes: no route of its own


def _screened(pk: int) -> bool:
    narratives = CaseNarrative.objects.filter(pk=pk, thorough_screened_at__isnull=False)
    return narratives.exists()


def _wait(done, worker, log: Path) -> None:  # noqa: ANN001
    deadline = time.monotonic() + TIMEOUT
    while not done():
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"not done in {TIMEOUT}s:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


@pytest.mark.celery_worker
@pytest.mark.deduce
@pytest.mark.django_db(transaction=True)
def test_the_worker_screens_the_narrative_after_the_count_and_after_a_failed_count(
    seed_version, submit, tmp_path, settings
):
    require_worker_database()
    assert not app.conf.task_always_eager  # REDIS_URL is set: a real broker
    app.control.purge()  # nothing left over from other runs on this queue
    response = submit(seed_version)  # its message is sent on commit
    counted = CaseNarrative.objects.get(response=response)
    # A count that fails: a response id that is no number.
    lost = factories.CaseNarrativeFactory(response=factories.ResponseFactory())
    send_fail_fast(COUNT_TASK, ["not a number"], then=after(SCREEN_TASK, [lost.pk]))
    log = tmp_path / "worker.log"
    # The screening follows on the queue this worker takes, whatever the
    # environment routes it to.
    worker = start_worker(
        DEFAULT_QUEUE, tmp_path, log, settings.BASE_DIR, SCREENING_QUEUE=""
    )
    try:
        _wait(lambda: _screened(counted.pk) and _screened(lost.pk), worker, log)
    finally:
        stop_worker(worker)

    assert Response.objects.get(pk=response.pk).counted_in_rollups
    text = log.read_text()
    assert f"{COUNT_TASK}[" in text and "raised unexpected: ValueError" in text
