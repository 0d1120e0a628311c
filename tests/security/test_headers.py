"""Response headers: CSP without unsafe-inline, nosniff, framing, and no-store on
every page that can show narratives or personal data."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

SLUG = "brede-reflectie"


def _directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = [part.strip() for part in header.split(";") if part.strip()]
    return {part.split()[0]: part for part in parts}


def test_every_page_has_a_strict_content_security_policy(client, seed_version):
    response = client.get(reverse("responses:landing", args=[SLUG]))

    directives = _directives(response)
    assert directives["default-src"] == "default-src 'self'"
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_security_headers_on_public_and_staff_pages(staff_client, seed_version):
    anonymous = Client()
    for response in (
        anonymous.get("/"),
        anonymous.get(reverse("login")),
        staff_client.get("/review/"),
        staff_client.get("/admin/"),
    ):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert "Content-Security-Policy" in response


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_respondent_pages_are_never_stored(client, seed_version):
    landing = reverse("responses:landing", args=[SLUG])
    assert _no_store(client.get(landing))
    started = client.post(landing, follow=True)
    assert _no_store(started)
    page = client.get(reverse("responses:continue", args=[SLUG]), follow=True)
    assert page.status_code == 200
    assert _no_store(page)
    assert _no_store(client.get(reverse("responses:resume", args=[SLUG])))


def test_pages_seen_by_signed_in_users_are_never_stored(
    staff_client, analyst_user, verified_login, seed_version
):
    narrative = factories.CaseNarrativeFactory()
    for url in (
        "/",
        "/review/",
        reverse("review:narrative", args=[narrative.pk]),
        "/admin/",
        reverse("admin:exports_export_changelist"),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    analyst = verified_login(Client(), analyst_user)
    assert _no_store(analyst.get("/dashboard/"))


def test_anonymous_public_pages_may_be_cached_by_the_browser(client, seed_version):
    assert not _no_store(client.get("/"))


# --- No inline scripts or styles ---------------------------------------------

INLINE = [
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"<style[\s>]"), "<style> element"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>"), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def _offenders() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    root = Path(settings.BASE_DIR) / "templates"
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        kinds = [kind for pattern, kind in INLINE if pattern.search(text)]
        if kinds:
            found[str(path.relative_to(root))] = kinds
    return found


def test_templates_have_no_inline_scripts_styles_or_handlers():
    assert _offenders() == {}


# --- Production settings --------------------------------------------------------


def _production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PYTEST"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="meldcode.example.org",
        CSRF_TRUSTED_ORIGINS="https://meldcode.example.org",
        DJANGO_SETTINGS_MODULE="meldcode_survey.settings",
    )
    return env


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_production_refuses_a_weak_secret_key():
    env = {**_production_env(), "SECRET_KEY": "short"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_language_cookie_is_http_only_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]


def test_production_sends_the_language_cookie_over_https_only():
    code = (
        "from django.conf import settings; "
        "print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SAMESITE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.split() == ["True", "Lax"], result.stderr
