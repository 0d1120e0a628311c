"""The container's steps, one role per command; the Dockerfile, compose and CI run
them through `bin/entrypoint ROLE`.

    collectstatic   at build time: static files and their manifest, as production
                    serves them (DEBUG=false whatever the environment says)
    migrate         once per release: wait for the database, migrate, create the
                    cache table, load the seed questionnaire (LOAD_SEED_QUESTIONNAIRE)
    web             wait until the database is migrated, then gunicorn on PORT
    worker, beat    the same wait, then the Celery worker or beat; further
                    arguments go to Celery (`bin/entrypoint worker -Q exports`)
    healthcheck     exit 0 when the web process on PORT answers /healthz with 200

Anything else is run as given (`bin/entrypoint python manage.py createsuperuser`).
web, worker and beat wait for migrations themselves too, so a process started
before `migrate` has finished waits instead of failing on a missing table.
"""

from __future__ import annotations

import http.client
import os
import secrets
import sys
import time
from collections.abc import Sequence
from typing import NoReturn

HEALTH_PATH = "/healthz"
DEFAULT_PORT = 8000


def main(argv: Sequence[str]) -> int:
    role, *rest = list(argv) or ["web"]
    if role == "collectstatic":
        return collectstatic()
    if role == "healthcheck":
        return healthcheck()
    if role == "migrate":
        return migrate()
    if role in SERVERS:
        _setup_django()
        wait_for_database(migrated=True, timeout=_wait_seconds())
        _exec([sys.executable, "-m", *SERVERS[role](), *rest])
    _exec([role, *rest])


def _web() -> list[str]:
    bind = f"0.0.0.0:{_port()}"
    workers = os.environ.get("WEB_CONCURRENCY", "3")
    # No control socket (gunicornc): unused here, and its path is one per user.
    options = ["--bind", bind, "--workers", workers, "--no-control-socket"]
    return ["gunicorn", "meldcode_survey.wsgi", *options]


def _worker() -> list[str]:
    return ["celery", "-A", "meldcode_survey", "worker", "--loglevel=INFO"]


def _beat() -> list[str]:
    return ["celery", "-A", "meldcode_survey", "beat", "--loglevel=INFO"]


SERVERS = {"web": _web, "worker": _worker, "beat": _beat}


def collectstatic() -> int:
    """Collect with the manifest that production's storage reads: `{% static %}`
    fails on every page without it. The build needs no real secret key."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    _setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=1)
    return 0


def migrate() -> int:
    _setup_django()
    from django.core.management import call_command

    wait_for_database(migrated=False, timeout=_wait_seconds())
    call_command("migrate", interactive=False)
    call_command("createcachetable")
    if _flag("LOAD_SEED_QUESTIONNAIRE", default=True):
        call_command("load_seed_questionnaire")
    return 0


def wait_for_database(*, migrated: bool, timeout: float, interval: float = 1) -> None:
    """Return once the database answers (and, if `migrated`, has every migration
    applied); exit with the last problem after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (problem := database_problem(migrated=migrated)) is not None:
        if time.monotonic() >= deadline:
            raise SystemExit(f"Database not ready after {timeout:.0f} s: {problem}")
        print(f"Waiting for the database: {problem}", file=sys.stderr, flush=True)
        time.sleep(interval)
    from django.db import connections

    connections.close_all()


def database_problem(*, migrated: bool) -> str | None:
    """Why the database is not ready yet, or None."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
        if migrated:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return f"{len(plan)} migration(s) not applied yet"
    except DatabaseError as error:
        connection.close()
        return f"{type(error).__name__}: {str(error).strip()}"
    return None


def healthcheck() -> int:
    """Ask the web process for /healthz as a client of the site would: with an
    allowed host name (a bare 127.0.0.1 is refused with 400 in production)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldcode_survey.settings")
    connection = http.client.HTTPConnection("127.0.0.1", _port(), timeout=5)
    try:
        connection.request("GET", HEALTH_PATH, headers={"Host": health_host()})
        status = connection.getresponse().status
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"unhealthy: {HEALTH_PATH} answered {status}", file=sys.stderr)
        return 1
    return 0


def health_host() -> str:
    """A host name that ALLOWED_HOSTS accepts, for requests from inside."""
    from django.conf import settings

    names = [pattern for pattern in settings.ALLOWED_HOSTS if pattern != "*"]
    return names[0].removeprefix(".") if names else "localhost"


def _port() -> int:
    return int(os.environ.get("PORT", DEFAULT_PORT))


def _wait_seconds() -> float:
    return float(os.environ.get("DATABASE_WAIT_SECONDS", 120))


def _flag(name: str, *, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldcode_survey.settings")
    django.setup()


def _exec(command: list[str]) -> NoReturn:
    """Replace this process, so that signals reach the server itself."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
