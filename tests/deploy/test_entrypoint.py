"""bin/entrypoint's roles, in-process: what each runs, the wait for the database
and its migrations, the seed questionnaire, the health check's host."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder

from meldcode_survey import entrypoint
from meldcode_survey.questionnaires.models import Questionnaire


class Executed(Exception):
    """Raised instead of replacing the test process."""


@pytest.fixture
def executed(monkeypatch):
    """The command line the entrypoint would exec, and the waits before it."""
    calls: dict = {"waits": []}

    def execvp(file, argv):
        calls["argv"] = argv
        raise Executed

    monkeypatch.setattr(os, "execvp", execvp)
    monkeypatch.setattr(entrypoint, "_setup_django", lambda: None)
    monkeypatch.setattr(
        entrypoint,
        "wait_for_database",
        lambda **options: calls["waits"].append(options),
    )
    return calls


def _run(*argv: str) -> None:
    with pytest.raises(Executed):
        entrypoint.main(list(argv))


def test_web_waits_for_migrations_then_runs_gunicorn_on_port(executed, monkeypatch):
    monkeypatch.setenv("PORT", "8141")
    monkeypatch.setenv("WEB_CONCURRENCY", "2")

    _run("web")

    assert executed["waits"] == [{"migrated": True, "timeout": 120.0}]
    assert executed["argv"][:3] == [sys.executable, "-m", "gunicorn"]
    argv = executed["argv"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8141"
    assert argv[argv.index("--workers") + 1] == "2"


@pytest.mark.parametrize("role", ["worker", "beat"])
def test_celery_roles_wait_for_migrations_and_pass_their_arguments(executed, role):
    _run(role, "-Q", "exports")

    assert executed["waits"] == [{"migrated": True, "timeout": 120.0}]
    assert executed["argv"][1:6] == ["-m", "celery", "-A", "meldcode_survey", role]
    assert executed["argv"][-2:] == ["-Q", "exports"]


def test_any_other_command_runs_as_given(executed):
    _run("python", "manage.py", "createsuperuser")

    assert executed["argv"] == ["python", "manage.py", "createsuperuser"]
    assert executed["waits"] == []


@pytest.mark.django_db
def test_a_database_with_every_migration_applied_is_ready():
    assert entrypoint.database_problem(migrated=False) is None
    assert entrypoint.database_problem(migrated=True) is None


@pytest.mark.django_db
def test_a_database_with_a_migration_missing_is_not_ready_for_the_servers():
    applied = MigrationRecorder.Migration.objects.filter(app="audit")
    applied.order_by("-name").first().delete()

    assert entrypoint.database_problem(migrated=False) is None
    problem = entrypoint.database_problem(migrated=True)
    assert problem is not None
    assert "not applied yet" in problem


def test_waiting_ends_with_the_last_problem_after_the_timeout(monkeypatch):
    problems = iter(["OperationalError: connection refused"] * 3)
    monkeypatch.setattr(entrypoint, "database_problem", lambda **_: next(problems))
    monkeypatch.setattr(entrypoint.time, "sleep", lambda seconds: None)

    with pytest.raises(SystemExit, match="connection refused"):
        entrypoint.wait_for_database(migrated=True, timeout=0)


def test_waiting_returns_once_the_database_answers(monkeypatch):
    problems = iter(["OperationalError: starting up", None])
    monkeypatch.setattr(entrypoint, "database_problem", lambda **_: next(problems))
    slept = []
    monkeypatch.setattr(entrypoint.time, "sleep", slept.append)

    entrypoint.wait_for_database(migrated=False, timeout=60, interval=1)

    assert slept == [1]


@pytest.mark.django_db
@pytest.mark.parametrize(("flag", "expected"), [("", 1), ("true", 1), ("false", 0)])
def test_migrate_loads_the_seed_questionnaire_once_unless_turned_off(
    monkeypatch, flag, expected
):
    monkeypatch.setattr(entrypoint, "_setup_django", lambda: None)
    monkeypatch.setattr(entrypoint, "wait_for_database", lambda **options: None)
    monkeypatch.setenv("LOAD_SEED_QUESTIONNAIRE", flag)

    entrypoint.migrate()
    entrypoint.migrate()

    assert Questionnaire.objects.filter(slug="brede-reflectie").count() == expected


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        (["meldcode.example.org", "www.example.org"], "meldcode.example.org"),
        ([".example.org"], "example.org"),
        (["*", "meldcode.example.org"], "meldcode.example.org"),
        (["*"], "localhost"),
    ],
)
def test_the_health_check_asks_with_a_host_django_allows(settings, allowed, host):
    settings.ALLOWED_HOSTS = allowed
    assert entrypoint.health_host() == host


def test_the_health_check_fails_when_nothing_listens(monkeypatch):
    monkeypatch.setenv("PORT", "1")
    assert entrypoint.healthcheck() == 1


def test_collectstatic_writes_the_manifest_even_with_debug_on(tmp_path):
    """In a subprocess, as the settings load only once; on a single file, as the
    whole project takes 20 s (the CI run below collects everything)."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "only.css").write_text("body { color: black; }")
    (tmp_path / "one_file_settings.py").write_text(
        "from meldcode_survey.settings import *\n"
        f"STATICFILES_DIRS = [{str(tmp_path)!r}]\n"
        "INSTALLED_APPS = ['django.contrib.staticfiles']\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "SECRET_KEY"))
    }
    env.update(
        DEBUG="true",
        STATIC_ROOT=str(tmp_path / "collected"),
        DJANGO_SETTINGS_MODULE="one_file_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
    )

    result = subprocess.run(
        [sys.executable, "-m", "meldcode_survey.entrypoint", "collectstatic"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "collected" / "staticfiles.json").exists()
    assert list((tmp_path / "collected" / "css").glob("only.*.css"))
