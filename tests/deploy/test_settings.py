"""Production settings read from the environment as compose passes it."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

PASSWORD = "p@ss:/w#rd%20?&="


def _settings_in(**variables: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "POSTGRES_"))
    }
    env.update(variables, DJANGO_SETTINGS_MODULE="meldcode_survey.settings")
    script = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps(s.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_separate_postgres_variables_take_any_password_as_it_is():
    database = _settings_in(
        POSTGRES_HOST="db",
        POSTGRES_DB="meldcode",
        POSTGRES_USER="meldcode",
        POSTGRES_PASSWORD=PASSWORD,
    )

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"]) == ("db", 5432)
    assert (database["NAME"], database["USER"]) == ("meldcode", "meldcode")
    assert database["PASSWORD"] == PASSWORD


def test_a_database_url_wins_and_is_percent_decoded():
    database = _settings_in(
        DATABASE_URL="postgres://meldcode:p%40ss%3A%2Fw@db.example.org:6543/survey",
        POSTGRES_HOST="db",
    )

    assert database["HOST"] == "db.example.org"
    assert database["PASSWORD"] == "p@ss:/w"
    assert database["NAME"] == "survey"


def test_without_either_the_embedded_sqlite_file_is_used():
    database = _settings_in()
    assert database["ENGINE"] == "django.db.backends.sqlite3"


def test_production_refuses_the_placeholder_secret_key_of_env_example():
    example = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    placeholder = next(
        line.split("=", 1)[1]
        for line in example.splitlines()
        if line.startswith("SECRET_KEY=")
    )
    env = {key: v for key, v in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DEBUG="false", SECRET_KEY=placeholder, ALLOWED_HOSTS="example.org")

    refused = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    env["SECRET_KEY"] = secrets.token_urlsafe(64)
    accepted = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
