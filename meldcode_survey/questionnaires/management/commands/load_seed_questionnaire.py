import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from meldcode_survey.questionnaires.definition import import_definition
from meldcode_survey.questionnaires.models import Questionnaire

SEED = settings.BASE_DIR / "fixtures" / "brede-reflectie.json"


class Command(BaseCommand):
    help = "Import and publish the seed questionnaire unless it is already there."

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(SEED.read_text(encoding="utf-8"))
        if Questionnaire.objects.filter(slug=data["slug"]).exists():
            self.stdout.write(f"Seed questionnaire '{data['slug']}' already present.")
            return
        version = import_definition(data, publish=True)
        self.stdout.write(
            self.style.SUCCESS(f"Published {data['slug']} version {version.number}.")
        )
