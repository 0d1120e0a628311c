"""docker-compose.yml, the Dockerfile and .dockerignore, read for what a Docker
daemon would only tell at run time: health checks that can pass, migrations
before anything uses the database, restart policies, volumes that exist in the
image, and every variable compose needs in .env.example.
"""

import fnmatch
import json
import os
import re
import subprocess
import sys

import pytest

from meldcode_survey import entrypoint
from tests.deploy.compose import (
    DOCKERFILE,
    ONE_SHOT,
    ROOT,
    SERVICES,
    app_services,
    command,
    container_env,
    env_example,
    interpolate,
)


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        tuple(line.split(None, 1))
        for line in lines
        if line and not line.startswith("#")
    ]


def test_every_variable_compose_reads_is_set_in_env_example():
    texts = [(ROOT / "docker-compose.yml").read_text(encoding="utf-8")]
    texts.append((ROOT / "Caddyfile").read_text(encoding="utf-8"))
    needed = set()
    for text in texts:
        text = text.replace("$$", "")
        needed |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
        needed |= set(re.findall(r"\{\$([A-Z][A-Z0-9_]*)", text))
    set_in_example = env_example()

    assert needed, "compose reads no variables?"
    assert sorted(needed - set(set_in_example)) == []
    for name in needed:
        assert set_in_example[name], f"{name} is empty in .env.example"


def test_env_example_lists_every_setting_the_entrypoint_and_settings_read():
    names = set(env_example(commented=True))
    sources = [ROOT / "meldcode_survey" / "settings.py"]
    sources.append(ROOT / "meldcode_survey" / "entrypoint.py")
    read = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", text))
        read |= set(re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]*)\"", text))
        read |= set(re.findall(r"_flag\(\"([A-Z][A-Z0-9_]*)\"", text))
    not_for_operators = {"DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER"}

    assert sorted(read - names - not_for_operators) == []


def test_every_service_has_a_restart_policy():
    one_shot = {
        name
        for service in SERVICES.values()
        for name, dependency in service.get("depends_on", {}).items()
        if dependency.get("condition") == ONE_SHOT
    }
    for name, service in SERVICES.items():
        expected = {"on-failure"} if name in one_shot else {"unless-stopped", "always"}
        assert service.get("restart") in expected, name


def test_migrations_run_once_before_any_service_uses_the_database():
    migrating = [n for n, s in app_services().items() if command(s) == ["migrate"]]
    assert len(migrating) == 1, "one one-shot service runs `bin/entrypoint migrate`"
    [migrate] = migrating
    for name, service in app_services().items():
        if name == migrate:
            continue
        assert "migrate" not in " ".join(command(service)), name
        condition = service.get("depends_on", {}).get(migrate, {}).get("condition")
        assert condition == ONE_SHOT, f"{name} may start before migrations"
    dependencies = SERVICES[migrate]["depends_on"]
    assert dependencies["db"]["condition"] == "service_healthy"


def test_every_app_service_runs_a_role_of_the_entrypoint():
    instructions = _dockerfile_instructions()
    assert ("ENTRYPOINT", '["bin/entrypoint"]') in instructions
    assert ("CMD", '["web"]') in instructions
    assert ("WORKDIR", "/app") in instructions
    entrypoint = ROOT / "bin" / "entrypoint"
    assert os.access(entrypoint, os.X_OK)
    roles = {"migrate", "web", "worker", "beat"}
    for name, service in app_services().items():
        assert command(service)[0] in roles, name


_HEALTH_REQUEST = """
import json, sys
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
from meldcode_survey import entrypoint

host = entrypoint.health_host()
request = RequestFactory().get(entrypoint.HEALTH_PATH, HTTP_HOST=host)
try:
    request.get_host()
    host_allowed = True
except DisallowedHost:
    host_allowed = False
redirect = SecurityMiddleware(lambda request: None).process_request(request)
print(json.dumps({
    "host": host,
    "host_allowed": host_allowed,
    "redirected": redirect is not None,
    "port": entrypoint._port(),
    "bind": entrypoint._web(),
    "debug": settings.DEBUG,
}))
"""


def _health_request_in(service: dict) -> dict:
    """How the health check's request fares under the container's settings."""
    env = {key: value for key, value in os.environ.items() if key == "PATH"}
    env.update(
        container_env(service), DJANGO_SETTINGS_MODULE="meldcode_survey.settings"
    )
    # The placeholder key is refused on purpose; a real .env has a strong one.
    env["SECRET_KEY"] = "x" * 20 + "strong-enough-for-the-settings-check-only"
    result = subprocess.run(
        [sys.executable, "-c", _HEALTH_REQUEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_web_health_check_can_pass_under_production_settings():
    web = SERVICES["web"]
    assert web["healthcheck"]["test"] == ["CMD", "bin/entrypoint", "healthcheck"]

    request = _health_request_in(web)

    assert request["debug"] is False
    assert request["host_allowed"], f"Host {request['host']} refused (400)"
    assert not request["redirected"], "the health check is redirected to https"
    bind = request["bind"][request["bind"].index("--bind") + 1]
    assert bind == f"0.0.0.0:{request['port']}"
    assert web["expose"] == [str(request["port"])]


def test_the_proxy_sends_traffic_to_web_once_web_is_healthy():
    proxy = SERVICES["proxy"]
    caddyfile = (ROOT / "Caddyfile").read_text(encoding="utf-8")
    port = container_env(SERVICES["web"])["PORT"]

    assert re.search(rf"^\s*reverse_proxy web:{port}$", caddyfile, re.MULTILINE)
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "443:443" in proxy["ports"]
    assert "ports" not in SERVICES["web"], "web is reachable only through the proxy"
    assert re.fullmatch(r"caddy:\d+\.\d+\.\d+", proxy["image"]), "pin the version"


def test_the_proxy_host_is_the_host_django_allows():
    env = container_env(SERVICES["web"])
    site = interpolate(SERVICES["proxy"]["environment"]["SITE_ADDRESS"], env)
    assert env["ALLOWED_HOSTS"] == site
    assert env["CSRF_TRUSTED_ORIGINS"] == f"https://{site}"


def test_the_database_password_is_not_put_into_a_url():
    for name, service in app_services().items():
        env = service.get("environment", {})
        assert "DATABASE_URL" not in env, name
        assert env["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set in .env}"
    assert "DATABASE_URL" not in env_example(), "it would win over POSTGRES_*"


def _created_for_app_user(path: str) -> bool:
    """Whether a RUN before `USER app` makes `path` and gives it to app."""
    made = owned = False
    for instruction, argument in _dockerfile_instructions():
        if instruction == "USER":
            break
        if instruction == "RUN" and re.search(rf"mkdir -p [^&;]*{path}\b", argument):
            made = True
        if instruction == "RUN" and re.search(
            rf"chown (-R )?app:app {path}\b", argument
        ):
            owned = True
    return made and owned


def test_every_volume_of_the_app_exists_in_the_image_owned_by_the_app_user():
    assert ("USER", "app") in _dockerfile_instructions()
    for name, service in app_services().items():
        for volume in service.get("volumes", []):
            target = volume.split(":")[1]
            assert _created_for_app_user(target), f"{name}: {target}"
        media = service["environment"]["PRIVATE_MEDIA_ROOT"]
        assert f"private-files:{media}" in service["volumes"], name


def test_the_image_collects_static_files_with_their_manifest():
    runs = [
        arg for instruction, arg in _dockerfile_instructions() if instruction == "RUN"
    ]
    assert "bin/entrypoint collectstatic" in runs
    assert not [run for run in runs if "DEBUG=true" in run or "DEBUG=1" in run]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its
    parent directories decides; `!` re-includes."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        globs = [pattern, pattern.removeprefix("**/")]
        if any(fnmatch.fnmatchcase(c, g) for c in candidates for g in globs):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        ".venv/bin/python",
        "db.sqlite3",
        "var/private/exports/2026/responses.csv",
        ".git/config",
        "staticfiles/staticfiles.json",
        "meldcode_survey/__pycache__/settings.cpython-311.pyc",
    ],
)
def test_dockerignore_keeps_local_files_out_of_the_image(path):
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and line[0] != "#"]
    assert _ignored(path, patterns)


def test_dockerignore_keeps_what_the_image_needs():
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and line[0] != "#"]
    for path in [
        "manage.py",
        "bin/entrypoint",
        "meldcode_survey/settings.py",
        "fixtures/brede-reflectie.json",
        "locale/nl/LC_MESSAGES/django.mo",
        "static/css/site.css",
        ".env.example",
    ]:
        assert not _ignored(path, patterns), path


def test_the_worker_health_check_pings_this_worker_by_its_node_name():
    """Celery names a worker celery@<host name> unless told otherwise; a ping to
    every worker would pass as long as any one of them answers."""
    worker = SERVICES["worker"]
    check = " ".join(worker["healthcheck"]["test"][1:])
    served = entrypoint._worker() + command(worker)[1:]

    assert "-A meldcode_survey inspect ping" in check
    assert "--destination celery@$$HOSTNAME" in check
    assert not {"-n", "--hostname"} & set(served)
