"""What stands out per sector, from the published fact sheet (fixtures/).

    python manage.py load_seed_notes

Writes the seed's sector notes ("Wat valt op?") for the published version of
the seed questionnaire, where staff have not written one yet.
"""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meldcode_survey.dashboard.models import SectorNote
from meldcode_survey.dashboard.services import figures_changed
from meldcode_survey.questionnaires.models import Questionnaire

SEED = settings.BASE_DIR / "fixtures" / "sector-notes.json"


class Command(BaseCommand):
    help = "Add the seed fact sheet's sector notes where none is written yet."

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(SEED.read_text(encoding="utf-8"))
        questionnaire = Questionnaire.objects.filter(slug=data["questionnaire"]).first()
        version = questionnaire.published_version() if questionnaire else None
        if version is None:
            raise CommandError("Load the seed questionnaire first.")
        added = 0
        for sector, texts in data["notes"].items():
            _note, created = SectorNote.objects.get_or_create(
                version=version, sector=sector, defaults=texts
            )
            added += created
        if added:
            figures_changed(version.pk)
        self.stdout.write(f"{added} sector note(s) added to version {version.number}.")
