"""Create synthetic responses in bulk (values: demo/synthetic.py; writing:
demo/loader.py). Refuses a database that holds real responses, unless
--allow-real-data: the bulk load drops and rebuilds the indexes and foreign keys
of the response tables, locking them meanwhile. The dashboard's rollups are
rebuilt afterwards."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    OutputWrapper,
)

from meldcode_survey.demo import loader
from meldcode_survey.demo.synthetic import SyntheticResponses
from meldcode_survey.questionnaires.models import Questionnaire, Version
from meldcode_survey.responses.models import Response


class Command(BaseCommand):
    help = (
        "Generate synthetic (demo/test) responses for a questionnaire, marked as "
        "synthetic; remove them with delete_synthetic_responses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--questionnaire", required=True, metavar="SLUG")
        parser.add_argument("--count", required=True, type=int, metavar="N")
        parser.add_argument("--seed", type=int, default=None, metavar="S")
        parser.add_argument(
            "--wave", type=int, default=None, help="Version number (default: live)."
        )
        parser.add_argument(
            "--days", type=int, default=60, help="Spread over the last N days."
        )
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Do nothing when the questionnaire already has responses, or when "
            "the database holds real ones and --allow-real-data is not given "
            "(make run).",
        )
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="Run even though the database holds real (non-synthetic) "
            "responses; the bulk load locks their tables meanwhile.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        version = _version(options["questionnaire"], options["wave"])
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if options["only_if_empty"] and _has_responses(version):
            self.stdout.write("The questionnaire already has responses; none added.")
            return
        if not options["allow_real_data"] and _holds_real_data():
            if options["only_if_empty"]:  # `make run`: start with what is there
                self.stdout.write("The database holds real responses; none added.")
                return
            raise CommandError(
                "This database holds real responses; synthetic data is for demo, "
                "test and benchmark databases. Pass --allow-real-data to add it "
                "anyway."
            )
        started = time.perf_counter()
        rows = SyntheticResponses(version, options["seed"], days=options["days"])
        progress = Progress(self.stdout, count)
        loader.write(version, rows.generate(count), count, progress)
        progress.finish()
        generated = time.perf_counter() - started
        call_command("refresh_aggregates", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count} synthetic responses for {version} in "
                f"{generated:.1f} s."
            )
        )


def _has_responses(version: Version) -> bool:
    return Response.objects.filter(
        version__questionnaire=version.questionnaire
    ).exists()


def _holds_real_data() -> bool:
    return Response.objects.filter(is_synthetic=False).exists()


def _version(slug: str, number: int | None) -> Version:
    try:
        questionnaire = Questionnaire.objects.get(slug=slug)
    except Questionnaire.DoesNotExist:
        raise CommandError(f"No questionnaire with slug '{slug}'.") from None
    versions = questionnaire.versions.exclude(status=Version.Status.DRAFT)
    if number is not None:
        version = versions.filter(number=number).first()
    else:
        version = questionnaire.published_version() or versions.first()
    if version is None:
        raise CommandError("Responses need a published (or closed) version.")
    return version


class Progress:
    """A text progress bar; on a terminal it redraws one line."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper, total: int) -> None:
        self.out, self.total, self.done = out, total, 0
        self.started = time.perf_counter()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.shown = -1

    def advance(self, n: int) -> None:
        self.done += n
        step = self.done * 10 // self.total
        if not self.tty and step == self.shown:
            return
        self.shown = step
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        seconds = time.perf_counter() - self.started
        line = f"[{bar}] {self.done:>10,}/{self.total:,} {seconds:6.1f} s"
        if self.tty:
            self.out.write("\r" + line, ending="")
            self.out.flush()
        else:
            self.out.write(line)

    def finish(self) -> None:
        if self.tty:
            self.out.write("")
