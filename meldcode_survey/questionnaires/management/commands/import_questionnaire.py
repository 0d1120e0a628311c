import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from meldcode_survey.questionnaires.definition import DefinitionError, import_definition


class Command(BaseCommand):
    help = "Import a questionnaire definition (JSON) as a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="Publish the new version at once."
        )

    def handle(self, *args: Any, path: Path, publish: bool, **options: Any) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        try:
            version = import_definition(data, publish=publish)
        except DefinitionError as error:
            raise CommandError(
                f"Invalid definition, nothing imported. {error}"
            ) from error
        except ValidationError as error:
            problems = "\n".join(f"- {message}" for message in error.messages)
            raise CommandError(
                f"Not fit to publish, nothing imported:\n{problems}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version.questionnaire.slug} as version {version.number} "
                f"({version.get_status_display()})."
            )
        )
