"""The site's CSRF failure view lives in the project; a respondent's page is
shown again by the responses app (tests/responses/test_pages.py)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from meldcode_survey import views

pytestmark = pytest.mark.django_db


def test_the_setting_names_the_project_view():
    assert settings.CSRF_FAILURE_VIEW == "meldcode_survey.views.csrf_failure"
    assert callable(views.csrf_failure)


def test_a_staff_form_without_its_token_asks_to_reload():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x"})

    assert response.status_code == 403
    assert "herlaad de pagina" in response.content.decode()
    assert response.templates[0].name == "403_csrf.html"
