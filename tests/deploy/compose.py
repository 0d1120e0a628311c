"""docker-compose.yml and .env.example as a container would see them."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
ONE_SHOT = "service_completed_successfully"


def env_example(*, commented: bool = False) -> dict[str, str]:
    """The variables .env.example sets; with `commented`, also those it shows
    commented out (`# NAME=value`)."""
    values: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if commented:
            line = re.sub(r"^#\s*", "", line)
        if match := re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line):
            values.setdefault(match[1], match[2])
    return values


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:?message} and ${VAR:-default}, and $$ for $."""

    def substitute(match: re.Match) -> str:
        name, operator, rest = match[1], match[2] or "", match[3] or ""
        found = variables.get(name, "")
        if operator == ":-" and not found:
            return rest
        if operator == ":?" and not found:
            raise AssertionError(f"{name} is required: {rest}")
        return found

    expanded = re.sub(r"\$\{([A-Z][A-Z0-9_]*)(:[?-])?([^}]*)\}", substitute, value)
    return expanded.replace("$$", "$")


def app_services() -> dict[str, dict]:
    """The services that run the project's image."""
    return {name: s for name, s in SERVICES.items() if "build" in s}


def container_env(service: dict) -> dict[str, str]:
    """The environment a container of `service` starts with, .env being a copy of
    .env.example: env_file first, `environment` over it."""
    variables = env_example()
    env = dict(variables) if service.get("env_file") else {}
    for name, value in service.get("environment", {}).items():
        env[name] = interpolate(str(value), variables)
    return env


def command(service: dict) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else list(command)
