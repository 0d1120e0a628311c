"""Build deduce's lookup structures for the thorough screening, once per
installation (`make`, the Dockerfile and CI call it); never on a request."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from meldcode_survey.responses import deidentify


class Command(BaseCommand):
    help = "Build the lookup structures of the thorough screening (deduce)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Rebuild even if they exist."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        where = deidentify.cache_dir()
        if deidentify.is_built() and not force:
            self.stdout.write(f"deduce lookup structures present in {where}")
            return
        seconds = deidentify.build()
        self.stdout.write(f"deduce lookup structures built in {seconds:.0f} s: {where}")
