import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_reports_database_and_missing_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "not configured" in response.json()["broker"]


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_is_down_without_failing(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["broker"].startswith("down")


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_a_live_broker(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert client.get("/healthz").json()["broker"] == "ok"


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import meldcode_survey.settings"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is missing or insecure" in result.stderr


def test_production_refuses_a_short_secret():
    result = _import_settings(DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0


def test_production_starts_with_a_strong_secret():
    result = _import_settings(DEBUG="false", SECRET_KEY="x7!" * 20 + "abcdefgh")
    assert result.returncode == 0, result.stderr
