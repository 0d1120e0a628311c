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
