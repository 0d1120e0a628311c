"""Build an export synchronously, with the same code the Celery task runs.

    python manage.py build_export --kind summary --sector kinderopvang \
        --format pdf --output factsheet.pdf [--questionnaire SLUG] [--version N]

The export is recorded as a row (requested by nobody, like the schedule's) and
the file is copied to --output as well.
"""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from meldcode_survey.exports.models import Export
from meldcode_survey.exports.services import (
    ExportSpec,
    export_create,
    export_run,
    normalise_spec,
)
from meldcode_survey.questionnaires.models import Questionnaire, Version
from meldcode_survey.questionnaires.sectors import ALL


class Command(BaseCommand):
    help = "Build a sector summary or raw data export now, without a worker."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        # --version N is the questionnaire version; it replaces Django's flag.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=Export.Kind.values, required=True)
        parser.add_argument(
            "--sector", default=ALL, help=f"A sector code, or '{ALL}' (default)."
        )
        parser.add_argument("--format", choices=Export.Format.values, required=True)
        parser.add_argument("--output", required=True, help="Where to write the file.")
        parser.add_argument("--questionnaire", help="Slug; default: the only one.")
        parser.add_argument(
            "--version", dest="version_number", type=int, help="Default: published."
        )
        parser.add_argument("--from", dest="period_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="period_to", type=date.fromisoformat)
        parser.add_argument("--synthetic", action="store_true")
        parser.add_argument("--free-text", action="store_true")
        parser.add_argument("--unsuppressed", action="store_true")
        parser.add_argument("--language", default="nl")

    def handle(self, *args: Any, **options: Any) -> None:
        version = _version(options["questionnaire"], options["version_number"])
        kind, fmt = options["kind"], options["format"]
        if fmt not in Export.FORMATS_BY_KIND[kind]:
            raise CommandError(f"--format {fmt} is not offered for --kind {kind}.")
        spec = normalise_spec(
            ExportSpec(
                kind=kind,
                version=version,
                format=fmt,
                sector=options["sector"],
                period_from=options["period_from"],
                period_to=options["period_to"],
                include_synthetic=options["synthetic"],
                include_free_text=options["free_text"],
                unsuppressed=options["unsuppressed"],
            )
        )
        created = export_create(spec=spec, user=None, language=options["language"])
        with translation.override(options["language"]):
            export = export_run(created.pk)
        if export is None or export.status != Export.Status.DONE:
            error = export.error if export else "not run"
            raise CommandError(f"Export failed: {error}")
        with export.file.open("rb") as source, open(options["output"], "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        self.stdout.write(
            f"{options['output']}: {export.size} bytes, sha256 {export.sha256}"
            + (f", {export.rows} rows" if export.rows is not None else "")
        )


def _version(slug: str | None, number: int | None) -> Version:
    questionnaires = Questionnaire.objects.all()
    if slug:
        questionnaires = questionnaires.filter(slug=slug)
    found = list(questionnaires[:2])
    if len(found) != 1:
        raise CommandError(
            "Name the questionnaire with --questionnaire SLUG."
            if found
            else "No such questionnaire."
        )
    versions = found[0].versions.all()
    if number is not None:
        version = versions.filter(number=number).first()
    else:
        version = versions.filter(status=Version.Status.PUBLISHED).first()
    if version is None:
        raise CommandError("No such version (or no published version).")
    return version
