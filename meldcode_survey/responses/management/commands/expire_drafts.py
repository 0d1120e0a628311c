from typing import Any

from django.core.management.base import BaseCommand

from meldcode_survey.responses.tasks import expire_drafts


class Command(BaseCommand):
    help = "Delete drafts that have passed their expiry date."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {expire_drafts()} expired draft(s).")
