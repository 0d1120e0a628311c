"""Exports as database rows, and the log of every download.

An Export is requested (by a person, or by the beat schedule with no person),
queued, run once by a Celery worker and kept for a retention period. Its file
lives in private storage (settings.MEDIA_ROOT, never served by a public URL)
and is handed out only by the permission-checked download view, which writes a
Download row each time.

Running an export twice does no harm: a worker claims the row with one
conditional UPDATE (queued, or running with a stale heartbeat -> running, the
attempt number going up), so a duplicate message or an overlapping schedule
finds nothing to claim (see services).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldcode_survey.accounts.access import FigureAccess
from meldcode_survey.questionnaires.models import Version
from meldcode_survey.questionnaires.sectors import ALL


class ExportQuerySet(models.QuerySet["Export"]):
    def active(self) -> ExportQuerySet:
        return self.filter(status__in=[Export.Status.QUEUED, Export.Status.RUNNING])

    def expired(self, now: datetime | None = None) -> ExportQuerySet:
        """Finished exports past their retention date that still hold a file."""
        return self.filter(
            status=Export.Status.DONE, expires_at__lte=now or timezone.now()
        )


class Export(models.Model):
    class Kind(models.TextChoices):
        SUMMARY = "summary", _("Sector summary")
        RAW = "raw", _("Raw data")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")
        PDF = "pdf", _("PDF fact sheet")
        SAV = "sav", _("SPSS (.sav)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    FORMATS_BY_KIND: dict[str, tuple[str, ...]] = {
        # XLSX first: it opens as columns in every Excel, Dutch ones included.
        Kind.SUMMARY: (Format.XLSX, Format.PDF, Format.CSV),
        Kind.RAW: (Format.CSV, Format.SAV),
    }

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("questionnaire version"),
    )
    sector = models.CharField(
        _("sector"),
        max_length=40,
        default=ALL,
        help_text=_("A sector code, or “all” for all sectors together."),
    )
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    include_synthetic = models.BooleanField(
        _("synthetic data"),
        default=False,
        help_text=_("Use the generated test or demo responses instead of real ones."),
    )
    include_free_text = models.BooleanField(
        _("free text"),
        default=False,
        help_text=_("Raw data only: include open answers and case narratives."),
    )
    unsuppressed = models.BooleanField(
        _("unsuppressed"),
        default=False,
        help_text=_("Summary for staff only: small counts are shown."),
    )
    with_all_sectors = models.BooleanField(
        _("figures of all sectors"),
        default=True,
        help_text=_(
            "The all-sectors totals and each sector's differences with all "
            "sectors; off in files for analysts limited to some sectors."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, default=settings.LANGUAGE_CODE
    )

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The fencing token: each claim adds one, and a run writes to the row only
    # while the number it claimed is still the row's.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Written by the running export at every progress step; a running export
    # whose heartbeat went stale has lost its worker and may be claimed again.
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"), null=True, blank=True, editable=False
    )

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty for exports made by the schedule."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, db_index=True
    )

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        # Given to analysts by accounts.roles; staff hold every exports permission.
        permissions = [
            ("view_summary", _("Can see and download sector summaries")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="export_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(kind="summary", format__in=["csv", "xlsx", "pdf"])
                | Q(kind="raw", format__in=["csv", "sav"]),
                name="export_format_fits_kind",
                violation_error_message=_("This format is not offered for this kind."),
            ),
            models.CheckConstraint(
                condition=Q(kind="raw") | Q(include_free_text=False),
                name="export_free_text_only_raw",
            ),
            models.CheckConstraint(
                condition=Q(kind="summary") | Q(unsuppressed=False),
                name="export_unsuppressed_only_summary",
            ),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True)
                | Q(period_to__isnull=True)
                | Q(period_to__gte=models.F("period_from")),
                name="export_period_in_order",
                violation_error_message=_("The end of the period precedes its start."),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""),
                name="export_done_has_checksum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    def figure_access(self) -> FigureAccess:
        """What of the figures this file may hold: the rule of the role it is
        made for (accounts.access.figure_access), as stored on the row."""
        return FigureAccess(
            sectors=None if self.with_all_sectors else frozenset({self.sector}),
            unsuppressed=self.unsuppressed,
        )

    @property
    def is_all_sectors(self) -> bool:
        return self.sector == ALL

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def is_scheduled(self) -> bool:
        return self.requested_by_id is None

    def base_filename(self) -> str:
        """A descriptive file name: what, which sector, which period, which data."""
        parts = [
            self.version.questionnaire.slug,
            f"v{self.version.number}",
            "samenvatting" if self.kind == self.Kind.SUMMARY else "ruwe-data",
            "alle-sectoren" if self.is_all_sectors else self.sector,
        ]
        if self.period_from or self.period_to:
            parts.append(f"{_iso(self.period_from)}_{_iso(self.period_to)}")
        if self.include_free_text:
            parts.append("met-vrije-tekst")
        if self.unsuppressed:
            parts.append("onderdrukking-uit")
        if not self.with_all_sectors:
            parts.append("zonder-alle-sectoren")
        if self.include_synthetic:
            parts.append("SYNTHETISCH")
        return f"{'-'.join(parts)}.{self.format}"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "open"


class Download(models.Model):
    """One download of an export file: who, which, when.

    Like the narrative read log, a download survives the deletion of the export
    row it names (no foreign-key constraint), so the audit trail stays.
    """

    export = models.ForeignKey(
        Export,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="downloads",
        verbose_name=_("export"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    downloaded_at = models.DateTimeField(
        _("downloaded at"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["-downloaded_at", "-pk"]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")

    def __str__(self) -> str:
        return f"{self.filename} by {self.user_id}"
