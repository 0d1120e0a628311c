"""Publishing checks the version, asks for confirmation and says what is wrong."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from meldcode_survey.questionnaires.definition import import_definition
from meldcode_survey.questionnaires.models import (
    Choice,
    LikertGroup,
    Question,
    Questionnaire,
    Scale,
    Section,
    Version,
)
from meldcode_survey.questionnaires.services import (
    publish_problems,
    version_copy,
    version_publish,
)

pytestmark = pytest.mark.django_db


def _draft_delete(seed_version):
    draft = version_copy(seed_version)
    return draft


def test_draft_questionnaire_can_be_deleted_in_the_admin(staff_client, seed_definition):
    seed_definition["slug"] = "per-ongeluk"
    version = import_definition(seed_definition)
    url = reverse(
        "admin:questionnaires_questionnaire_delete", args=[version.questionnaire_id]
    )
    page = staff_client.get(url)
    print(page.content.decode()[-3000:])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Questionnaire.objects.filter(slug="per-ongeluk").exists()
