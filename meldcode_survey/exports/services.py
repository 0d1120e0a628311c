"""Writes of the exports app: request, run, expire, and log a download.

The row, not the Celery message, is the record of the work (KoboToolbox's
`ImportExportTask`, healthchecks.io's `sendalerts`). One recovery path:

* `export_run` claims the row with one conditional UPDATE: a queued row, or a
  running row whose heartbeat is stale (its worker died), becomes running and
  its attempt number, the fencing token, goes up by one. Whoever loses the
  race, or finds the row done, failed or running with a live heartbeat, does
  nothing.
* While it runs, every progress step writes the heartbeat, fenced by the
  attempt number: a run whose attempt is no longer the row's writes nothing
  more, stops, and removes its partial file; the run that took over removes the
  partial file a killed run left behind.
* One periodic sweep (`requeue_stalled`, a django-celery-beat task) sends again
  every export whose heartbeat went stale, and every queued export whose
  message may have been lost.
* A transient error (file system, database connection) puts the row back in the
  queue and is re-raised for Celery to retry with backoff; any other error, or a
  transient one on the last attempt, marks the row failed with the error shown.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldcode_survey import audit
from meldcode_survey.accounts.access import (
    AnyUser,
    figure_access,
    is_analyst,
    is_staff_member,
)
from meldcode_survey.audit.models import Action
from meldcode_survey.questionnaires.models import Version
from meldcode_survey.questionnaires.sectors import ALL

from .models import Download, Export
from .writers import build_file

logger = logging.getLogger(__name__)

# Errors worth another try: a full or unavailable disk, a dropped database
# connection. Anything else (a bug, bad data, a time limit) fails at once.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    OperationalError,
    InterfaceError,
)
MAX_ATTEMPTS = 5
# A queued export whose message may have been lost (broker down at enqueue time)
# is sent again after this long; a duplicate message finds nothing to claim.
STALLED_AFTER = timedelta(minutes=15)
TMP_DIR = "exports/tmp"


def stale_after() -> timedelta:
    """How old the heartbeat of a running export may be before its worker is
    taken for dead and the export may be claimed again."""
    return timedelta(seconds=settings.EXPORT_STALE_SECONDS)


# --- Requesting ---------------------------------------------------------------


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    version: Version
    format: str
    sector: str = ALL
    period_from: date | None = None
    period_to: date | None = None
    include_synthetic: bool = False
    include_free_text: bool = False
    unsuppressed: bool = False
    with_all_sectors: bool = True

    def as_fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "version": self.version,
            "format": self.format,
            "sector": self.sector,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "include_synthetic": self.include_synthetic,
            "include_free_text": self.include_free_text,
            "unsuppressed": self.unsuppressed,
            "with_all_sectors": self.with_all_sectors,
        }


def export_check_may_request(user: AnyUser, spec: ExportSpec) -> None:
    """Raise PermissionDenied unless `user` may request this export."""
    if is_staff_member(user):
        return
    staff_only = (
        spec.kind != Export.Kind.SUMMARY or spec.unsuppressed or spec.include_free_text
    )
    if not is_analyst(user) or staff_only:
        raise PermissionDenied
    if not figure_access(user).may_see(spec.sector):
        raise PermissionDenied


def spec_for(user: AnyUser, spec: ExportSpec) -> ExportSpec:
    """The spec as the user's role may have it: a file holds no figure the
    dashboard withholds from the person who asks for it."""
    access = figure_access(user)
    return replace(
        spec,
        unsuppressed=spec.unsuppressed and access.unsuppressed,
        with_all_sectors=spec.with_all_sectors and access.all_sectors,
    )


def normalise_spec(spec: ExportSpec) -> ExportSpec:
    """Summaries cover whole months (the aggregation module's grain)."""
    fields = spec.as_fields()
    if spec.kind == Export.Kind.SUMMARY:
        if spec.period_from:
            fields["period_from"] = spec.period_from.replace(day=1)
        if spec.period_to:
            fields["period_to"] = _last_day(spec.period_to)
    if spec.kind == Export.Kind.RAW:
        fields["unsuppressed"] = False
    else:
        fields["include_free_text"] = False
    return ExportSpec(**fields)


def _last_day(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def export_request(
    *, spec: ExportSpec, user: User | None = None, language: str | None = None
) -> Export:
    """Queue an export (user None: the schedule) and send it after commit.

    An identical export that this user already has queued or running is
    returned instead of a second one (a double click, an impatient reload).
    """
    if user is not None:
        export_check_may_request(user, spec)
        spec = spec_for(user, spec)
    spec = normalise_spec(spec)
    if spec.format not in Export.FORMATS_BY_KIND[spec.kind]:
        raise ValidationError(_("This format is not offered for this kind."))
    with transaction.atomic():
        same = Export.objects.active().filter(requested_by=user, **spec.as_fields())
        existing = same.select_for_update().first()
        if existing is not None:
            return existing
        export = export_create(
            spec=spec, user=user, language=language or settings.LANGUAGE_CODE
        )
    transaction.on_commit(lambda: enqueue(export.pk))
    return export


@transaction.atomic
def export_create(*, spec: ExportSpec, user: User | None, language: str) -> Export:
    """Store an export row as asked for (`user` None: the schedule or a
    command), audited; `export_request` also checks and queues it."""
    export = Export.objects.create(
        requested_by=user, language=language, **spec.as_fields()
    )
    audit.record(
        user,
        Action.EXPORT_REQUESTED,
        export,
        kind=export.kind,
        format=export.format,
        sector=export.sector,
        version=export.version_id,
        include_free_text=export.include_free_text,
        unsuppressed=export.unsuppressed,
        scheduled=user is None,
    )
    return export


def enqueue(export_id: int) -> None:
    """Send the export to a worker; a broker that is down is logged, not raised.

    The row stays queued and `requeue_stalled` sends it again later. Without a
    broker (the embedded default) the task runs here and now, retries included;
    its failures are stored on the row and never reach the caller.
    """
    from .tasks import run_export_task

    if run_export_task.app.conf.task_always_eager:
        run_export_task.apply(args=(export_id,), throw=False)
        return
    try:
        run_export_task.apply_async(
            args=(export_id,),
            queue=settings.EXPORT_QUEUE or None,  # type: ignore[arg-type]
        )
    except Exception:
        logger.exception("Could not queue export %s; it will be sent again", export_id)


def exports_requeue_stalled(now: datetime | None = None) -> list[int]:
    """The sweep: send again exports whose worker died (a stale heartbeat) or
    whose message was lost (queued for long). A duplicate message is harmless:
    it finds nothing to claim."""
    now = now or timezone.now()
    stalled = Export.objects.filter(
        Q(status=Export.Status.QUEUED, created_at__lt=now - STALLED_AFTER)
        | Q(status=Export.Status.RUNNING, heartbeat_at__lt=now - stale_after())
    ).values_list("pk", flat=True)
    ids = list(stalled)
    for export_id in ids:
        enqueue(export_id)
    return ids


def export_retry(export: Export) -> bool:
    """Queue a failed export again (staff, from the admin)."""
    updated = Export.objects.filter(pk=export.pk, status=Export.Status.FAILED).update(
        status=Export.Status.QUEUED, progress=0, error="", attempts=0
    )
    if updated:
        transaction.on_commit(lambda: enqueue(export.pk))
    return bool(updated)


# --- Running ------------------------------------------------------------------


def _claim(export_id: int) -> Export | None:
    """Take the row for this run, or None when there is nothing to do."""
    now = timezone.now()
    claimable = Q(status=Export.Status.QUEUED) | Q(
        status=Export.Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    claimed = Export.objects.filter(claimable, pk=export_id).update(
        status=Export.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        progress=0,
    )
    if not claimed:
        return None
    export = Export.objects.select_related("version__questionnaire").get(pk=export_id)
    if export.attempts > MAX_ATTEMPTS:
        _fenced(
            export,
            status=Export.Status.FAILED,
            error=_("Stopped after %(n)d attempts.") % {"n": MAX_ATTEMPTS},
            finished_at=now,
        )
        return None
    return export


def _fenced(export: Export, **fields: Any) -> bool:
    """Update the row only while this run's claim is the row's.

    The attempt number is the fencing token; the claim's start time goes with
    it because a retry from the admin counts the attempts from zero again.
    """
    return bool(
        Export.objects.filter(
            pk=export.pk,
            status=Export.Status.RUNNING,
            attempts=export.attempts,
            started_at=export.started_at,
        ).update(**fields)
    )


class Superseded(Exception):
    """This run's attempt is no longer the row's: another run took it over."""


class _Heartbeat:
    """The writers' progress callback: stores progress and the heartbeat when
    the whole percent changes, or when the last beat is a tenth of the stale
    threshold old; raises Superseded once the row is another run's."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.percent = 0
        self.interval = stale_after().total_seconds() / 10
        self.last = time.monotonic()

    def __call__(self, fraction: float) -> None:
        percent = max(0, min(99, int(fraction * 100)))
        if percent <= self.percent and time.monotonic() - self.last < self.interval:
            return
        self.percent = max(percent, self.percent)
        self.last = time.monotonic()
        if not _fenced(self.export, progress=self.percent, heartbeat_at=timezone.now()):
            raise Superseded


def export_run(export_id: int, *, final_attempt: bool = True) -> Export | None:
    """Build the file of one export; see the module docstring for the rules.

    Returns the export as stored afterwards, or None when there was nothing to
    claim (done, failed, or running elsewhere).
    """
    export = _claim(export_id)
    if export is None:
        logger.info("Export %s: nothing to claim", export_id)
        return None
    tmp = _tmp_path(export)
    try:
        with translation.override(export.language):
            rows = build_file(export, tmp, progress=_Heartbeat(export))
        _store(export, tmp, rows)
    except Superseded:
        _discard(tmp)
        logger.warning("Export %s was taken over; this run stopped", export.pk)
    except TRANSIENT_ERRORS as exc:
        _discard(tmp)
        if final_attempt or export.attempts >= MAX_ATTEMPTS:
            _fail(export, exc)
        else:
            _release(export, exc)
            raise
    except Exception as exc:  # noqa: BLE001 - any other error fails the export
        _discard(tmp)
        logger.exception("Export %s failed", export.pk)
        _fail(export, exc)
    return Export.objects.filter(pk=export.pk).first()


def _tmp_path(export: Export) -> Path:
    directory = Path(default_storage.path(TMP_DIR))
    directory.mkdir(parents=True, exist_ok=True)
    _discard_earlier_parts(directory, export)
    return directory / f"{export.pk}-{export.attempts}-{secrets.token_hex(4)}.part"


def _discard_earlier_parts(directory: Path, export: Export) -> None:
    """Remove the partial files of the attempts this run took over from.

    A killed worker leaves its file behind; a run that was taken over while
    still alive removes its own at its next heartbeat.
    """
    for path in directory.glob(f"{export.pk}-*.part"):
        attempt = path.name.split("-")[1]
        if attempt.isdigit() and int(attempt) < export.attempts:
            _discard(path)


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.warning("Could not remove %s", path)


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _store(export: Export, tmp: Path, rows: int | None) -> None:
    sha256, size = file_digest(tmp)
    filename = export.base_filename()
    # A fresh directory per run: a run that was taken over never touches the
    # file of the run that took over.
    name = f"exports/{export.pk}/{secrets.token_hex(8)}/{filename}"
    final = Path(default_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)
    now = timezone.now()
    stored = _fenced(
        export,
        status=Export.Status.DONE,
        progress=100,
        file=name,
        filename=filename,
        sha256=sha256,
        size=size,
        rows=rows,
        error="",
        finished_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    if not stored:
        logger.warning("Export %s was taken over; dropping this run's file", export.pk)
        _delete_stored(name)


def _release(export: Export, exc: Exception) -> None:
    message = _("Attempt %(n)d failed (%(error)s); trying again.") % {
        "n": export.attempts,
        "error": _describe(exc),
    }
    _fenced(
        export,
        status=Export.Status.QUEUED,
        progress=0,
        error=message,
    )


def _fail(export: Export, exc: Exception) -> None:
    _fenced(
        export,
        status=Export.Status.FAILED,
        error=_describe(exc),
        finished_at=timezone.now(),
    )


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:2000] if text else type(exc).__name__


# --- Retention ----------------------------------------------------------------


def _delete_stored(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete export file %s", name)
        return
    parent = Path(default_storage.path(name)).parent
    for directory in (parent, parent.parent):
        try:
            directory.rmdir()  # only when empty
        except OSError:
            break


def exports_delete_expired(now: Any = None) -> int:
    """Delete the files of exports past their retention date; keep the rows.

    The rows stay (status "expired", no file) with their download log, so the
    audit trail says what was made and who fetched it.
    """
    now = now or timezone.now()
    count = 0
    for export in Export.objects.expired(now):
        name = export.file.name
        updated = Export.objects.filter(pk=export.pk, status=Export.Status.DONE).update(
            status=Export.Status.EXPIRED, file=""
        )
        if updated and name:
            _delete_stored(name)
            count += 1
    _delete_stale_tmp(now)
    return count


def _delete_stale_tmp(now: datetime) -> None:
    """Remove partial files older than a day (a killed worker's leftovers)."""
    directory = Path(default_storage.path(TMP_DIR))
    if not directory.is_dir():
        return
    cutoff = (now - timedelta(days=1)).timestamp()
    for path in directory.glob("*.part"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def export_delete(export: Export) -> None:
    """Delete an export row and its file (the admin's delete)."""
    name = export.file.name
    export.delete()
    if name:
        transaction.on_commit(lambda: _delete_stored(name))


# --- Downloads ----------------------------------------------------------------


@transaction.atomic
def export_download_record(*, export: Export, user: User) -> Download:
    download = Download.objects.create(
        export=export, user=user, filename=export.filename, sha256=export.sha256
    )
    audit.record(
        user,
        Action.EXPORT_DOWNLOADED,
        download,
        export=export.pk,
        filename=download.filename,
        sha256=download.sha256,
    )
    return download


def export_file_open(export: Export) -> File[bytes]:
    """The stored file, opened for reading (may raise OSError)."""
    if not export.file.name:
        raise FileNotFoundError(f"Export {export.pk} has no file")
    return default_storage.open(export.file.name, "rb")
