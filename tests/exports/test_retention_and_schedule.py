"""Retention of export files, the default beat schedule, and build_export."""

from __future__ import annotations

import csv
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from meldcode_survey.celery import app
from meldcode_survey.exports import services
from meldcode_survey.exports.models import Download, Export
from meldcode_survey.questionnaires.sectors import ALL, sector_codes

from .conftest import BIG_N, SMALL_N

pytestmark = pytest.mark.django_db


def test_a_finished_export_expires_after_the_retention_setting(
    settings, survey_data, build
):
    settings.EXPORT_RETENTION_DAYS = 7
    export = build(survey_data, kind="raw", format="csv")
    assert export.expires_at == export.finished_at + timedelta(days=7)


def test_expired_files_are_deleted_and_the_rows_and_log_kept(
    survey_data, build, staff_user
):
    old = build(survey_data, kind="raw", format="csv")
    fresh = build(survey_data, kind="raw", format="csv", sector="onderwijs")
    Download.objects.create(export=old, user=staff_user, filename="f", sha256="0" * 64)
    path = Path(old.file.path)
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now())

    assert services.exports_delete_expired() == 1
    old.refresh_from_db()
    assert old.status == Export.Status.EXPIRED
    assert not old.file
    assert not path.exists()
    assert not path.parent.exists()  # its directory went too
    assert Download.objects.filter(export_id=old.pk).exists()
    fresh.refresh_from_db()
    assert fresh.status == Export.Status.DONE and Path(fresh.file.path).exists()
    assert services.exports_delete_expired() == 0


def test_partial_files_of_killed_workers_are_removed_after_a_day(db):
    directory = Path(default_storage.path(services.TMP_DIR))
    directory.mkdir(parents=True)
    stale, recent = directory / "1-1-aa.part", directory / "2-1-bb.part"
    stale.write_text("x")
    recent.write_text("y")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    services.exports_delete_expired()
    assert not stale.exists()
    assert recent.exists()


def test_a_new_installation_has_the_default_schedule():
    packs = PeriodicTask.objects.get(task="exports.summary_packs")
    assert packs.enabled
    assert (packs.crontab.minute, packs.crontab.hour, packs.crontab.day_of_week) == (
        "0",
        "6",
        "1",
    )
    assert str(packs.crontab.timezone) == "Europe/Amsterdam"
    assert PeriodicTask.objects.filter(task="retention.run").exists()
    assert PeriodicTask.objects.filter(task="exports.requeue_stalled").exists()
    app.loader.import_default_modules()  # what a worker and beat do at start
    for task in (
        "exports.summary_packs",
        "retention.run",
        "exports.requeue_stalled",
        "exports.run_export",
    ):
        assert task in app.tasks


def test_the_schedule_queues_a_pack_per_sector_once(
    seed_version, django_capture_on_commit_callbacks
):
    from meldcode_survey.exports.tasks import summary_packs_task

    with django_capture_on_commit_callbacks() as callbacks:
        count = summary_packs_task.apply(kwargs={"formats": ["pdf", "xlsx"]}).get()
    sectors = sector_codes(seed_version)
    assert count == 2 * (len(sectors) + 1)
    assert len(callbacks) == count
    exports = Export.objects.all()
    assert {e.sector for e in exports} == {*sectors, ALL}
    assert {e.format for e in exports} == {"pdf", "xlsx"}
    assert all(e.requested_by is None and e.kind == "summary" for e in exports)
    # An overlapping run while these are still queued adds nothing.
    summary_packs_task.apply(kwargs={"formats": ["pdf", "xlsx"]})
    assert Export.objects.count() == count


def test_the_schedule_makes_sector_files_for_analysts_limited_to_them(
    seed_version, django_capture_on_commit_callbacks
):
    from meldcode_survey.accounts.models import AnalystSectorAccess
    from meldcode_survey.accounts.roles import ANALYST
    from meldcode_survey.exports.schedules import summary_packs
    from tests import factories

    limited = factories.UserFactory(role=ANALYST)
    AnalystSectorAccess.objects.create(user=limited, sectors=["onderwijs"])
    with django_capture_on_commit_callbacks():
        summary_packs(["csv"])

    without_all = Export.objects.filter(with_all_sectors=False)
    assert [e.sector for e in without_all] == ["onderwijs"]
    assert Export.objects.filter(with_all_sectors=True).count() == (
        len(sector_codes(seed_version)) + 1
    )


def test_build_export_writes_the_file_synchronously(survey_data, tmp_path, capsys):
    output = tmp_path / "raw.csv"
    call_command(
        "build_export", "--kind", "raw", "--sector", "all", "--format", "csv",
        "--output", str(output), "--questionnaire", survey_data.questionnaire.slug,
        "--version", str(survey_data.number),
    )  # fmt: skip
    with open(output, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == BIG_N + SMALL_N
    export = Export.objects.get()
    assert export.status == Export.Status.DONE and export.requested_by is None
    assert export.sha256 in capsys.readouterr().out


def test_build_export_makes_a_summary_pdf(survey_data, tmp_path):
    output = tmp_path / "factsheet.pdf"
    call_command(
        "build_export", "--kind", "summary", "--sector", "kinderopvang",
        "--format", "pdf", "--output", str(output),
    )  # fmt: skip
    assert output.read_bytes().startswith(b"%PDF")


def test_build_export_refuses_a_format_that_does_not_fit(survey_data, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "build_export", "--kind", "raw", "--format", "pdf",
            "--output", str(tmp_path / "x"),
        )  # fmt: skip
