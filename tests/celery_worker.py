"""A real Celery worker for the tests that need one (marked `celery_worker`): a
subprocess on the test database (the test must be transactional, so that the
worker sees committed rows), with a log file, always stopped by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection


def worker_database_url() -> str | None:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        return f"postgres://{auth}@{host}/{db['NAME']}"
    name = str(db["NAME"])
    if connection.vendor == "sqlite" and "memory" not in name and name != ":memory:":
        return f"sqlite:///{Path(name).resolve()}"
    return None


def require_worker_database() -> None:
    if worker_database_url() is None:
        reason = "the worker needs PostgreSQL or a file SQLite, not in-memory SQLite"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def start_worker(
    queue: str, media: Path, log: Path, cwd: Path, **overrides: str
) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(media),
        **overrides,
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


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
