from typing import Any

from django.core.management.base import BaseCommand

from meldcode_survey.dashboard.services import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the dashboard's rollup tables from the raw responses and answers."

    def handle(self, *args: Any, **options: Any) -> None:
        result = rollups_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {result.response_rows} response and {result.answer_rows} "
                f"answer rollup rows in {result.seconds:.2f} s."
            )
        )
