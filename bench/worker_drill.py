"""Fault drill: the Celery worker killed (kill -9) during an export.

On a PostgreSQL database of its own (BENCH_DRILL_DATABASE_URL) with COUNT
synthetic responses (generate_responses, reused when already there) and Redis
(BENCH_DRILL_REDIS_URL), a worker started as `make worker` starts one (prefork,
here with one process and a queue of its own) builds the raw SPSS export, and
beat runs as `make beat` runs it, with the schedule's sweep (`requeue_stalled`)
every second instead of every ten minutes. Once the export shows KILL_AT
percent progress, the worker's process group is killed with SIGKILL and a new
worker is started. The export must then complete exactly once: taken up by the
sweep once its heartbeat is STALE seconds old (production: 600), done at the
second attempt, one finished file, no partial file left, and every response in
the file once.

    python bench/worker_drill.py [--count 50000] [--stale 5] [--kill-at 30]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard_bench import ensure_database, run_in_child

if TYPE_CHECKING:
    from meldcode_survey.exports.models import Export
    from meldcode_survey.questionnaires.models import Version

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DRILL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/meldcode_drill"
)
REDIS_URL = os.environ.get("BENCH_DRILL_REDIS_URL", "redis://127.0.0.1:6379/6")
SLUG = "brede-reflectie"
TIMEOUT = 180
FINISHED = ("done", "failed")


def _env(args: argparse.Namespace, media: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "true",
        "PRIVATE_MEDIA_ROOT": media,
        "EXPORT_QUEUE": f"exports-drill-{uuid.uuid4().hex[:12]}",
        "EXPORT_STALE_SECONDS": str(args.stale),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--stale", type=int, default=5, help="seconds")
    parser.add_argument("--kill-at", type=int, default=30, help="percent")
    args = parser.parse_args(argv)
    ensure_database(DATABASE_URL)
    with tempfile.TemporaryDirectory(prefix="meldcode-drill-") as media:
        figures = run_in_child(__file__, vars(args), _env(args, media))
    report(figures)
    return figures


def report(f: dict) -> None:
    ok = (
        f["status"] == "done"
        and f["attempts"] == 2
        and f["finished_files"] == 1
        and f["partial_files"] == 0
        and f["rows"] == f["distinct_ids"] == f["count"]
        and f["digest_ok"]
    )
    lines = [
        "",
        f"Fault drill: Celery worker killed during an export ({f['count']:,} "
        f"responses, raw SPSS file, heartbeat stale after {f['stale']} s, beat's sweep "
        "every second)",
        f"  killed (SIGKILL to the process group) at {f['killed_percent']} % progress, "
        f"{f['killed_after_s']:.1f} s into attempt 1, leaving a "
        f"{f['partial_mb']:.1f} MB partial file",
        f"  a new worker was ready {f['ready_s']:.1f} s after the kill and took the "
        f"export over {f['claimed_s']:.1f} s after it (sent by the sweep once the "
        f"heartbeat, {f['heartbeat_age_s']:.1f} s old at the kill, was stale); "
        f"done {f['done_s']:.1f} s after the kill",
        f"  status {f['status']}, attempts {f['attempts']}, finished files "
        f"{f['finished_files']}, partial files {f['partial_files']}, rows "
        f"{f['rows']:,} = distinct responses {f['distinct_ids']:,} of "
        f"{f['count']:,}, checksum {'matches' if f['digest_ok'] else 'differs'}: "
        f"{'OK' if ok else 'FAIL'}",
    ]
    print("\n".join(lines), flush=True)


# --- In the child process, with Django set up on the drill database ---------------


def child(options: dict) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldcode_survey.settings")
    import django

    django.setup()
    from django.utils import timezone

    from meldcode_survey.exports.models import Export
    from meldcode_survey.exports.services import ExportSpec, export_request

    version = _responses(options["count"])
    Export.objects.all().delete()  # nothing left running from an earlier drill
    queue = os.environ["EXPORT_QUEUE"]
    logs = Path(os.environ["PRIVATE_MEDIA_ROOT"])
    _sweep_every_second(queue)
    beat = _start_beat(logs / "beat.log")
    worker = _start_worker(queue, logs / "killed.log")
    try:
        spec = ExportSpec(
            kind="raw", version=version, format="sav", include_synthetic=True
        )
        export = export_request(spec=spec)
        kill_at = options["kill_at"]
        export = _wait(export, lambda e: e.progress >= kill_at, worker, logs)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        killed = timezone.now()
        export.refresh_from_db()
        figures = {
            "count": options["count"],
            "stale": options["stale"],
            "heartbeat_age_s": (killed - export.heartbeat_at).total_seconds(),
            "killed_percent": export.progress,
            "killed_after_s": (killed - export.started_at).total_seconds(),
            "partial_mb": sum(p.stat().st_size for p in _partials()) / 1e6,
        }
        worker = _start_worker(queue, logs / "restarted.log")
        ready = _wait_ready(worker, logs / "restarted.log")
        figures["ready_s"] = (ready - killed).total_seconds()
        export = _wait(export, lambda e: e.status in FINISHED, worker, logs)
    finally:
        _stop(worker)
        _stop(beat)
        _forget_queue(queue)
    export = Export.objects.get(pk=export.pk)
    return figures | _check(export, killed)


def _responses(count: int) -> Version:
    """The published seed version with exactly `count` synthetic responses."""
    from django.core.management import call_command

    from meldcode_survey.questionnaires.models import Questionnaire
    from meldcode_survey.responses.models import Response

    version = Questionnaire.objects.get(slug=SLUG).published_version()
    have = Response.objects.filter(version=version, is_synthetic=True).count()
    if have != count:
        if have:
            call_command("delete_synthetic_responses", stdout=sys.stderr)
        started = time.perf_counter()
        call_command(
            "generate_responses", questionnaire=SLUG, count=count, stdout=sys.stderr
        )
        print(f"Generated {count} responses in {time.perf_counter() - started:.1f} s")
    return version


def _start_worker(queue: str, log: Path) -> subprocess.Popen:
    """A worker as `make worker` starts it (prefork pool), on the drill's queue."""
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery), "-A", "meldcode_survey", "worker", "--concurrency=1",
        "-Q", queue, "--without-gossip", "--without-mingle", "--loglevel=INFO",
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed as one
    )


def _wait_ready(worker: subprocess.Popen, log: Path) -> datetime:
    """When the worker said it was ready."""
    from django.utils import timezone

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and worker.poll() is None:
        if " ready." in log.read_text():
            return timezone.now()
        time.sleep(0.05)
    raise SystemExit(f"The new worker did not start:\n{log.read_text()[-3000:]}")


def _wait(
    export: Export,
    condition: Callable[[Export], bool],
    worker: subprocess.Popen,
    logs: Path,
) -> Export:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if condition(export):
            return export
        if export.status in FINISHED or worker.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(
        f"Drill stopped: export {export.status} at {export.progress} %\n"
        + "".join(log.read_text()[-3000:] for log in sorted(logs.glob("*.log")))
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def _forget_queue(queue: str) -> None:
    """Drop what is left in this drill's queue (a sweep sent after the end)."""
    import redis

    redis.Redis.from_url(REDIS_URL).delete(queue)


def _sweep_every_second(queue: str) -> None:
    """The schedule's sweep (exports 0002), every second, on the drill's queue."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.filter(task="exports.requeue_stalled").update(
        interval=every_second, queue=queue, enabled=True
    )
    PeriodicTask.objects.exclude(task="exports.requeue_stalled").update(enabled=False)


def _start_beat(log: Path) -> subprocess.Popen:
    """Beat as `make beat` starts it (the database scheduler)."""
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "meldcode_survey", "beat", "--loglevel=INFO"],
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _partials() -> list[Path]:
    from django.core.files.storage import default_storage

    from meldcode_survey.exports.services import TMP_DIR

    return list(Path(default_storage.path(TMP_DIR)).glob("*"))


def _check(export: Export, killed: datetime) -> dict:
    """The export as stored: files, attempts, and the rows of its SPSS file."""
    import pyreadstat
    from django.core.files.storage import default_storage

    from meldcode_survey.exports.services import file_digest

    root = Path(default_storage.path(f"exports/{export.pk}"))
    finished = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    figures = {
        "status": export.status,
        "attempts": export.attempts,
        "claimed_s": (export.started_at - killed).total_seconds(),
        "done_s": (export.finished_at - killed).total_seconds(),
        "finished_files": len(finished),
        "partial_files": len(_partials()),
        "rows": 0,
        "distinct_ids": 0,
        "digest_ok": False,
    }
    if export.status == "done":
        path = Path(export.file.path)
        data, _meta = pyreadstat.read_sav(str(path), output_format="dict")
        ids = list(data["response_id"])
        figures.update(
            rows=len(ids),
            distinct_ids=len(set(ids)),
            digest_ok=file_digest(path) == (export.sha256, export.size),
        )
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        result = child(json.loads(sys.argv[2]))
        print(json.dumps(result), flush=True)
    else:
        main()
