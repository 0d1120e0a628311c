"""Role fixtures, the seed questionnaire and the rule for service-bound tests.

Tests marked `redis`, `celery_worker` or `browser` need a real service. Locally they
are skipped when it is missing; in CI (CI=true) a missing service fails the run.
"""

import json
import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from meldcode_survey.accounts.roles import ANALYST, STAFF
from meldcode_survey.questionnaires.definition import import_definition
from tests import factories

SEED_PATH = settings.BASE_DIR / "fixtures" / "brede-reflectie.json"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_reachable() -> bool:
    url = urlparse(os.environ.get("REDIS_URL", ""))
    if not url.hostname:
        return False
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _missing_service(item: pytest.Item) -> str | None:
    if item.get_closest_marker("redis") or item.get_closest_marker("celery_worker"):
        if not _redis_reachable():
            return "Redis is not reachable through REDIS_URL"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return f"Chromium not found at {CHROMIUM}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = _missing_service(item)
    if missing and os.environ.get("CI"):
        pytest.fail(f"{missing}: required in CI", pytrace=False)
    elif missing:
        pytest.skip(missing)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and other cached state never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_definition() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def seed_version(db, seed_definition):
    """The seed questionnaire, imported and published."""
    return import_definition(seed_definition, publish=True)


@pytest.fixture
def staff_user(db):
    return factories.UserFactory(role=STAFF, is_staff=True)


@pytest.fixture
def analyst_user(db):
    return factories.UserFactory(role=ANALYST)


@pytest.fixture
def outsider_user(db):
    return factories.UserFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client


def complete_answers(**overrides) -> dict:
    """A complete set of answers to the seed questionnaire (applied the meldcode,
    described a case with a dilemma); keyword arguments replace answers."""
    answers = {
        "sector": "kinderopvang",
        "beroep": "Pedagogisch medewerker",
        "ervaring": "5_10",
        "toegepast": "yes",
        **{f"D{i:02d}": str(i % 5 + 1) for i in range(1, 10)},
        "D10": "nvt",
        "casus_voorbeeld": "Een kind kwam vaak met vieze kleding op de groep.",
        "casus_met_dilemma": "yes",
        "casus_dilemma": "Hoe ernstig is een slechte verzorging?",
        "casus_stap": "4",
        "casus_kindcheck": "nee",
        "casus_opvolging": "Overlegd met de aandachtsfunctionaris.",
        "casus_uitkomst": "advies_vt",
    }
    answers.update(overrides)
    return {code: value for code, value in answers.items() if value is not None}


@pytest.fixture
def submit(db):
    """Submit answers to a version through the respondent's real write path."""
    from meldcode_survey.responses.services import (
        draft_save_answers,
        draft_start,
        response_submit,
    )

    def _submit(version, answers: dict | None = None):
        draft, _code = draft_start(version)
        draft_save_answers(draft, complete_answers() if answers is None else answers)
        return response_submit(draft=draft, submission_key=draft.key)

    return _submit
