from typing import Any

from django.core.management.base import BaseCommand

from meldcode_survey.responses.retention import drafts_delete_expired


class Command(BaseCommand):
    help = "Delete drafts that have passed their expiry date (audited)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {drafts_delete_expired()} expired draft(s).")
