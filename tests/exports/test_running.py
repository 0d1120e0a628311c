"""Running an export: idempotent claims, retries, failures, fencing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from meldcode_survey.exports import services
from meldcode_survey.exports.models import Export
from meldcode_survey.exports.services import ExportSpec, export_request, export_run
from meldcode_survey.exports.tasks import run_export_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def raw_export(survey_data):
    return Export.objects.create(version=survey_data, kind="raw", format="csv")


def _files(export) -> list[Path]:
    root = Path(default_storage.path(f"exports/{export.pk}"))
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _tmp_files() -> list[Path]:
    return list(Path(default_storage.path(services.TMP_DIR)).glob("*"))


def _killed_mid_run(export: Export, attempts: int = 1) -> None:
    """The export as a killed worker leaves it: running, its heartbeat stale."""
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING,
        attempts=attempts,
        heartbeat_at=timezone.now() - services.stale_after() - timedelta(seconds=1),
    )


def test_running_the_same_export_twice_makes_one_file(raw_export):
    first = export_run(raw_export.pk)
    second = export_run(raw_export.pk)
    assert first.status == Export.Status.DONE
    assert second is None
    raw_export.refresh_from_db()
    assert raw_export.attempts == 1
    assert _files(raw_export) == [Path(raw_export.file.path)]
    assert services.file_digest(Path(raw_export.file.path)) == (
        raw_export.sha256,
        raw_export.size,
    )


def test_a_second_message_does_nothing_while_another_worker_runs_it(raw_export):
    Export.objects.filter(pk=raw_export.pk).update(
        status=Export.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    assert export_run(raw_export.pk) is None
    raw_export.refresh_from_db()
    assert raw_export.status == Export.Status.RUNNING
    assert raw_export.attempts == 1
    assert _files(raw_export) == []


def test_an_export_whose_heartbeat_went_stale_runs_again(raw_export):
    _killed_mid_run(raw_export)
    export = export_run(raw_export.pk)
    assert export.status == Export.Status.DONE
    assert export.attempts == 2


def test_an_export_gives_up_after_the_maximum_of_attempts(raw_export):
    _killed_mid_run(raw_export, attempts=services.MAX_ATTEMPTS)
    assert export_run(raw_export.pk) is None
    raw_export.refresh_from_db()
    assert raw_export.status == Export.Status.FAILED
    assert str(services.MAX_ATTEMPTS) in raw_export.error


def _fail_once(monkeypatch, error: Exception) -> list[int]:
    calls: list[int] = []
    real = services.build_file

    def flaky(export, path, *, progress):
        calls.append(export.attempts)
        if len(calls) == 1:
            Path(path).write_text("partial")
            raise error
        return real(export, path, progress=progress)

    monkeypatch.setattr(services, "build_file", flaky)
    return calls


def test_celery_retries_an_export_after_a_transient_failure(raw_export, monkeypatch):
    calls = _fail_once(monkeypatch, OSError(28, "No space left on device"))
    services.enqueue(raw_export.pk)
    raw_export.refresh_from_db()
    assert calls == [1, 2]
    assert raw_export.status == Export.Status.DONE
    assert raw_export.error == ""
    assert _tmp_files() == []  # the partial file of the failed attempt is gone


def test_a_transient_failure_puts_the_export_back_in_the_queue(raw_export, monkeypatch):
    _fail_once(monkeypatch, OSError("disk"))
    with pytest.raises(OSError):
        export_run(raw_export.pk, final_attempt=False)
    raw_export.refresh_from_db()
    assert raw_export.status == Export.Status.QUEUED
    assert "disk" in raw_export.error


def test_a_transient_failure_on_the_last_attempt_fails_the_export(
    raw_export, monkeypatch
):
    _fail_once(monkeypatch, OSError("disk"))
    export = export_run(raw_export.pk, final_attempt=True)
    assert export.status == Export.Status.FAILED
    assert "OSError" in export.error


def test_any_other_error_fails_the_export_at_once_and_shows_it(raw_export, monkeypatch):
    calls = _fail_once(monkeypatch, ValueError("no such sector"))
    services.enqueue(raw_export.pk)
    raw_export.refresh_from_db()
    assert calls == [1]
    assert raw_export.status == Export.Status.FAILED
    assert raw_export.error == "ValueError: no such sector"
    assert raw_export.finished_at is not None
    assert not raw_export.file


def test_a_run_that_was_taken_over_cannot_overwrite_the_new_run(
    raw_export, monkeypatch
):
    real = services.build_file

    def overtaken(export, path, *, progress):
        rows = real(export, path, progress=progress)
        # Meanwhile its heartbeat went stale and another worker claimed the row.
        Export.objects.filter(pk=export.pk).update(attempts=export.attempts + 1)
        return rows

    monkeypatch.setattr(services, "build_file", overtaken)
    export_run(raw_export.pk)
    raw_export.refresh_from_db()
    assert raw_export.status == Export.Status.RUNNING  # still the other run's
    assert not raw_export.file
    assert _files(raw_export) == []


def test_a_run_that_was_taken_over_stops_at_its_next_heartbeat(raw_export, monkeypatch):
    beats: list[float] = []

    def overtaken(export, path, *, progress):
        Path(path).write_text("partial")
        progress(0.1)
        beats.append(0.1)
        Export.objects.filter(pk=export.pk).update(attempts=export.attempts + 1)
        progress(0.2)  # raises: the row is another run's now
        beats.append(0.2)
        return 1

    monkeypatch.setattr(services, "build_file", overtaken)
    assert export_run(raw_export.pk).status == Export.Status.RUNNING
    assert beats == [0.1]
    raw_export.refresh_from_db()
    assert raw_export.progress == 10  # the taken-over run wrote nothing more
    assert _tmp_files() == []  # and removed its partial file
    assert _files(raw_export) == []


def test_a_run_from_before_a_retry_cannot_write_under_the_same_attempt_number(
    raw_export,
):
    old_run = services._claim(raw_export.pk)  # attempt 1, then stuck
    Export.objects.filter(pk=raw_export.pk).update(status=Export.Status.FAILED)
    assert services.export_retry(raw_export)  # attempts from zero again
    new_run = services._claim(raw_export.pk)
    assert new_run.attempts == old_run.attempts == 1
    with pytest.raises(services.Superseded):
        services._Heartbeat(old_run)(0.5)
    services._Heartbeat(new_run)(0.5)
    raw_export.refresh_from_db()
    assert raw_export.progress == 50


def test_progress_is_stored_with_a_heartbeat(raw_export):
    long_ago = timezone.now() - timedelta(hours=1)
    Export.objects.filter(pk=raw_export.pk).update(
        status=Export.Status.RUNNING, attempts=1, heartbeat_at=long_ago
    )
    raw_export.refresh_from_db()
    heartbeat = services._Heartbeat(raw_export)
    heartbeat(0.42)
    raw_export.refresh_from_db()
    assert raw_export.progress == 42
    assert raw_export.heartbeat_at > timezone.now() - timedelta(seconds=5)


def test_a_request_is_sent_after_commit_and_runs(
    survey_data, staff_user, django_capture_on_commit_callbacks
):
    spec = ExportSpec(kind="raw", version=survey_data, format="csv")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = export_request(spec=spec, user=staff_user)
        assert Export.objects.get(pk=export.pk).status == Export.Status.QUEUED
    assert len(callbacks) == 1
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.requested_by == staff_user


def test_requesting_the_same_export_twice_queues_it_once(survey_data, staff_user):
    spec = ExportSpec(kind="summary", version=survey_data, format="pdf")
    first = export_request(spec=spec, user=staff_user)
    second = export_request(spec=spec, user=staff_user)
    assert first.pk == second.pk
    assert Export.objects.count() == 1


def test_a_broker_that_is_down_leaves_the_export_queued_to_send_again(
    raw_export, monkeypatch
):
    from meldcode_survey.celery import app

    sent: list[int] = []

    def down(*args, **kwargs):
        raise BrokerDown("Redis is down")

    app.conf.task_always_eager = False  # restored by the eager_celery fixture
    monkeypatch.setattr(run_export_task, "apply_async", down)
    services.enqueue(raw_export.pk)  # logged, not raised
    raw_export.refresh_from_db()
    assert raw_export.status == Export.Status.QUEUED

    monkeypatch.setattr(
        run_export_task, "apply_async", lambda args, **kw: sent.append(args[0])
    )
    assert services.exports_requeue_stalled() == []  # not stalled yet
    later = timezone.now() + services.STALLED_AFTER + timedelta(minutes=1)
    assert services.exports_requeue_stalled(now=later) == [raw_export.pk]
    assert sent == [raw_export.pk]


def test_the_sweep_sends_again_only_exports_whose_heartbeat_is_stale(
    survey_data, monkeypatch, settings
):
    settings.EXPORT_STALE_SECONDS = 30
    now = timezone.now()
    alive, dead, queued, done = (
        Export.objects.create(
            version=survey_data, kind="raw", format="csv", status=status, **fields
        )
        for status, fields in (
            ("running", {"heartbeat_at": now - timedelta(seconds=20)}),
            ("running", {"heartbeat_at": now - timedelta(seconds=40)}),
            ("queued", {}),
            ("done", {"heartbeat_at": now - timedelta(hours=1), "sha256": "0" * 64}),
        )
    )
    sent: list[int] = []
    monkeypatch.setattr(services, "enqueue", sent.append)
    assert services.exports_requeue_stalled(now) == [dead.pk]
    assert sent == [dead.pk]  # the queued one's message is still on its way
    assert services._claim(alive.pk) is None  # a live heartbeat is not claimed
    claimed = services._claim(dead.pk)
    assert claimed.attempts == dead.attempts + 1
    assert claimed.heartbeat_at >= now


def test_the_run_that_takes_over_removes_the_partial_file_of_the_killed_one(
    raw_export,
):
    tmp = Path(default_storage.path(services.TMP_DIR))
    tmp.mkdir(parents=True)
    killed = tmp / f"{raw_export.pk}-1-0badc0de.part"
    killed.write_text("partial")
    other = tmp / f"{raw_export.pk + 1}-1-0badc0de.part"
    other.write_text("another export's")
    _killed_mid_run(raw_export)
    export = export_run(raw_export.pk)
    assert export.status == Export.Status.DONE
    assert export.attempts == 2
    assert _tmp_files() == [other]
