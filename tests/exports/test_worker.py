"""A real Celery worker against Redis builds an export end to end.

The worker runs as a subprocess on the test database (a transactional test, so
that it sees committed rows), on a queue of its own so that parallel runs do
not collide, and is always stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from meldcode_survey.exports.models import Export
from meldcode_survey.exports.services import ExportSpec, export_request

TIMEOUT = 90


def _database_url() -> str | None:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        return f"postgres://{auth}@{host}/{db['NAME']}"
    name = str(db["NAME"])
    if connection.vendor == "sqlite" and "memory" not in name and name != ":memory:":
        return f"sqlite:///{Path(name).resolve()}"
    return None


def _start_worker(queue: str, media: Path, log: Path, cwd: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(media),
    }
    command = [
        str(celery), "-A", "meldcode_survey", "worker", "--pool=solo",
        "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


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
    if _database_url() is None:
        reason = "the worker needs PostgreSQL or a file SQLite, not in-memory SQLite"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    for _ in range(3):
        submit(seed_version)
    from meldcode_survey.celery import app

    assert not app.conf.task_always_eager  # REDIS_URL is set: a real broker
    queue = f"exports-test-{uuid.uuid4().hex[:12]}"
    settings.EXPORT_QUEUE = queue
    log = tmp_path / "worker.log"
    worker = _start_worker(queue, private_media, log, settings.BASE_DIR)
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
        _stop(worker)
