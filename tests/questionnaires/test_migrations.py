"""Questionnaire texts move to the versions: every version gets the texts."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from meldcode_survey.questionnaires.models import Version

BEFORE = ("questionnaires", "0001_initial")
AFTER = ("questionnaires", "0003_version_texts")


@pytest.mark.django_db(transaction=True)
def test_existing_texts_are_copied_to_every_version():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        Questionnaire = old.get_model("questionnaires", "Questionnaire")
        OldVersion = old.get_model("questionnaires", "Version")
        questionnaire = Questionnaire.objects.create(
            slug="oud",
            title="Oude vragenlijst",
            title_en="Old survey",
            intro="Inleiding",
            intro_en="Introduction",
            privacy_text="Privacy",
            privacy_text_en="Privacy (en)",
        )
        for number, status in ((1, "closed"), (2, "published"), (3, "draft")):
            OldVersion.objects.create(
                questionnaire=questionnaire, number=number, status=status
            )
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
    finally:
        MigrationExecutor(connection).migrate(leaves)

    versions = Version.objects.filter(questionnaire__slug="oud")
    assert versions.count() == 3
    for version in versions:
        assert (version.title, version.title_en) == ("Oude vragenlijst", "Old survey")
        assert (version.intro, version.intro_en) == ("Inleiding", "Introduction")
        assert version.privacy_text_en == "Privacy (en)"
