"""The seed fact sheet's commentary ("Wat valt op?") as sector notes."""

import pytest
from django.core.management import call_command

from meldcode_survey.dashboard.models import SectorNote

pytestmark = pytest.mark.django_db


def test_the_seed_notes_are_added_once_and_never_over_staffs_text(seed_version):
    call_command("load_seed_notes", verbosity=0)
    note = SectorNote.objects.get(version=seed_version, sector="kinderopvang")
    assert note.text.startswith("Wat opvalt bij deze resultaten")
    assert note.text_en.startswith("What stands out")

    note.text = "Door medewerkers herschreven."
    note.save()
    call_command("load_seed_notes", verbosity=0)
    note.refresh_from_db()
    assert note.text == "Door medewerkers herschreven."
    assert SectorNote.objects.count() == 1


def test_the_seed_notes_carry_no_small_count(seed_version):
    """They reach analysts as written, without the note form's check."""
    from meldcode_survey.dashboard.queries.disclosure import small_counts

    call_command("load_seed_notes", verbosity=0)
    notes = SectorNote.objects.all()
    assert notes
    for note in notes:
        assert small_counts(note.text) == small_counts(note.text_en) == []
