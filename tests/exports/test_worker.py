"""A real Celery worker against Redis builds an export end to end, and the fault
drill: the worker killed during an export, which completes exactly once after a
restart, once the periodic sweep (sent here as beat sends it) finds its
heartbeat stale.

The worker runs as a subprocess on the test database (a transactional test, so
that it sees committed rows), on a queue of its own so that parallel runs do
not collide, and is always stopped.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pyreadstat
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.exports import services
from meldcode_survey.exports.models import Export
from meldcode_survey.exports.services import ExportSpec, export_request
from tests.celery_worker import require_worker_database, start_worker, stop_worker

TIMEOUT = 90
# Five chunks of the SPSS writer's rows (writers/raw.py CHUNK_SIZE): progress
# shows after the first, leaving time to kill the worker before the last. (The
# raw CSV on PostgreSQL streams 100,000 responses per step: one step here.)
DRILL_RESPONSES = 10_000
DRILL_STALE_SECONDS = 2


def _wait_for(export: Export, worker: subprocess.Popen, log: Path) -> Export:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (Export.Status.DONE, Export.Status.FAILED):
            return export
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"no result in {TIMEOUT}s:\n{log.read_text()[-3000:]}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_an_export_end_to_end(
    seed_version, submit, staff_user, private_media, tmp_path, settings
):
    require_worker_database()
    for _ in range(3):
        submit(seed_version)
    from meldcode_survey.celery import app

    assert not app.conf.task_always_eager  # REDIS_URL is set: a real broker
    queue = f"exports-test-{uuid.uuid4().hex[:12]}"
    settings.EXPORT_QUEUE = queue
    log = tmp_path / "worker.log"
    worker = start_worker(queue, private_media, log, settings.BASE_DIR)
    try:
        spec = ExportSpec(kind="raw", version=seed_version, format="csv")
        export = export_request(spec=spec, user=staff_user)  # sent on commit
        export = _wait_for(export, worker, log)
        assert export.status == Export.Status.DONE, export.error
        assert export.attempts == 1
        with export.file.open("rb") as handle:
            lines = handle.read().decode("utf-8-sig").strip().split("\r\n")
        assert len(lines) == 1 + 3 == 1 + export.rows
        assert "exports.run_export" in log.read_text()
    finally:
        stop_worker(worker)


def _wait_for_progress(export: Export, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status == Export.Status.RUNNING and export.progress > 0:
            return
        finished = export.status in (Export.Status.DONE, Export.Status.FAILED)
        if finished or worker.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"not killed mid-way ({export.status}):\n{log.read_text()[-3000:]}")


def _kill(worker: subprocess.Popen) -> None:
    """kill -9 the worker's process group: no shutdown, no acknowledgement."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _sweep_once_stale(export: Export, queue: str, worker, log: Path) -> None:  # noqa: ANN001
    """Once the new worker is ready and the killed run's heartbeat is stale,
    check that nothing took the export up yet, then send the sweep as beat
    does (the task by name) for the new worker to run."""
    from meldcode_survey.celery import app

    deadline = time.monotonic() + TIMEOUT
    stale = timedelta(seconds=DRILL_STALE_SECONDS + 1)
    while time.monotonic() < deadline and worker.poll() is None:
        export.refresh_from_db()
        ready = " ready." in log.read_text()
        if ready and export.heartbeat_at < timezone.now() - stale:
            # Nothing but the sweep takes a dead worker's export up again.
            assert (export.status, export.attempts) == (Export.Status.RUNNING, 1)
            app.send_task("exports.requeue_stalled", queue=queue)
            return
        time.sleep(0.2)
    pytest.fail(f"no ready worker and stale heartbeat:\n{log.read_text()[-3000:]}")


def _stored_files(export: Export) -> tuple[list[Path], list[Path]]:
    """The finished files of the export and every partial file left anywhere."""
    root = Path(default_storage.path(f"exports/{export.pk}"))
    finished = [p for p in root.rglob("*") if p.is_file()]
    return finished, list(Path(default_storage.path(services.TMP_DIR)).glob("*"))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_is_killed_completes_once_after_a_restart(
    seed_version, staff_user, staff_client, private_media, tmp_path, settings
):
    require_worker_database()
    call_command(
        "generate_responses",
        questionnaire=seed_version.questionnaire.slug,
        count=DRILL_RESPONSES,
        seed=8,
        stdout=io.StringIO(),
    )
    queue = f"exports-drill-{uuid.uuid4().hex[:12]}"
    settings.EXPORT_QUEUE = queue
    env = {"EXPORT_QUEUE": queue, "EXPORT_STALE_SECONDS": str(DRILL_STALE_SECONDS)}
    logs = [tmp_path / "killed.log", tmp_path / "restarted.log"]
    worker = start_worker(queue, private_media, logs[0], settings.BASE_DIR, **env)
    try:
        spec = ExportSpec(
            kind="raw", version=seed_version, format="sav", include_synthetic=True
        )
        export = export_request(spec=spec, user=staff_user)
        _wait_for_progress(export, worker, logs[0])
        _kill(worker)
        export.refresh_from_db()
        assert export.status == Export.Status.RUNNING
        assert 0 < export.progress < 100
        worker = start_worker(queue, private_media, logs[1], settings.BASE_DIR, **env)
        _sweep_once_stale(export, queue, worker, logs[1])
        export = _wait_for(export, worker, logs[1])
    finally:
        stop_worker(worker)
    assert export.status == Export.Status.DONE, export.error
    assert export.attempts == 2  # the killed run and the one that finished it
    assert _stored_files(export) == ([Path(export.file.path)], [])
    response = staff_client.get(reverse("exports:download", args=[export.pk]))
    assert response.status_code == 200
    downloaded = tmp_path / "downloaded.sav"
    downloaded.write_bytes(b"".join(response.streaming_content))
    data, _meta = pyreadstat.read_sav(str(downloaded), output_format="dict")
    ids = list(data["response_id"])
    assert len(ids) == export.rows == DRILL_RESPONSES
    assert len(set(ids)) == DRILL_RESPONSES
