import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldcode_survey.questionnaires.definition import export_definition
from meldcode_survey.questionnaires.models import Version


class Command(BaseCommand):
    help = "Write a questionnaire version's definition as JSON to standard output."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        # Our --version (a questionnaire version) replaces Django's --version.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--version",
            dest="number",
            type=int,
            help="Version number (default: the published one, else the newest).",
        )

    def handle(self, *args: Any, slug: str, number: int | None, **opts: Any) -> None:
        versions = Version.objects.filter(questionnaire__slug=slug)
        if number is not None:
            version = versions.filter(number=number).first()
        else:
            version = (
                versions.filter(status=Version.Status.PUBLISHED).first()
                or versions.order_by("-number").first()
            )
        if version is None:
            raise CommandError(f"No questionnaire '{slug}' with that version.")
        definition = export_definition(version)
        self.stdout.write(json.dumps(definition, ensure_ascii=False, indent=2))
