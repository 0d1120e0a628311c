"""The container's steps, run as the image runs them: `bin/entrypoint collectstatic`,
`migrate` and `web` under production settings, with the environment compose gives
the web container (.env being .env.example), on a PostgreSQL database of its own.

The site is asked as Caddy asks it (X-Forwarded-Proto: https, the public host
name): every page serves with 200 and its static files through WhiteNoise, the
compose health check passes, and `check --deploy` is clean.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

import psycopg2
import pytest

from tests.deploy.compose import ROOT, SERVICES, container_env

pytestmark = pytest.mark.deploy

SLUG = "brede-reflectie"
# A range of its own keeps parallel runs on one machine apart.
PORTS = range(8140, 8150)
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail(f"no free port in {PORTS}")


class _Database:
    """A PostgreSQL database next to the test database, dropped afterwards."""

    def __init__(self) -> None:
        url = urlparse(os.environ["DATABASE_URL"])
        self.server = {
            "host": url.hostname,
            "port": url.port or 5432,
            "user": url.username or "postgres",
            "password": url.password or "",
        }
        self.name = f"{url.path.lstrip('/')}_deploy"

    def _execute(self, sql: str) -> None:
        connection = psycopg2.connect(dbname="postgres", **self.server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def environment(self) -> dict[str, str]:
        """As compose passes it: separate variables, no URL."""
        return {
            "POSTGRES_HOST": self.server["host"],
            "POSTGRES_PORT": str(self.server["port"]),
            "POSTGRES_DB": self.name,
            "POSTGRES_USER": self.server["user"],
            "POSTGRES_PASSWORD": self.server["password"],
        }


def _environment(tmp: Path, database: _Database, port: int) -> dict[str, str]:
    """The web container's environment, with this machine's services."""
    inherited = {"PATH", "HOME", "LANG", "TMPDIR"}
    env = {key: value for key, value in os.environ.items() if key in inherited}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    env.update(container_env(SERVICES["web"]))
    env.update(database.environment())
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        REDIS_URL=os.environ["REDIS_URL"],
        STATIC_ROOT=str(tmp / "static"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    assert env["DEBUG"] == "false"
    return env


def _run(argv: list[str], env: dict[str, str], **extra: str) -> str:
    result = subprocess.run(
        argv,
        cwd=ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return output


def _health_check() -> list[str]:
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    return test[1:]


class Site:
    def __init__(self, env: dict[str, str], process: subprocess.Popen) -> None:
        self.env = env
        self.port = int(env["PORT"])
        self.host = env["ALLOWED_HOSTS"]
        self.process = process

    def health_check(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            _health_check(), cwd=ROOT, env=self.env, capture_output=True, timeout=30
        )

    def browser(self) -> "Browser":
        return Browser(self)


class Browser:
    """A client as the proxy passes it on: https, the public host, cookies kept."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | None = None, *, https: bool = True
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {"Host": self.site.host, "Accept-Encoding": "gzip"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.site.host}"
        connection = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for morsel in SimpleCookie(header).values():
                self.cookies[morsel.key] = morsel.value
        return response.status, response.headers, content

    def get(self, path: str, **options) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path, **options)


def _wait_until_healthy(site: Site, log: Path) -> None:
    deadline = time.monotonic() + 60
    while site.health_check().returncode != 0:
        if site.process.poll() is not None:
            pytest.fail(f"web stopped:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"web never became healthy:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy")
    database = _Database()
    database.create()
    env = _environment(tmp, database, _free_port())
    log = tmp / "web.log"
    try:
        # DEBUG=true on purpose: the role collects as production serves.
        _run(["bin/entrypoint", "collectstatic"], env, DEBUG="true")
        _run(["bin/entrypoint", "migrate"], env)
        with log.open("w") as output:
            process = subprocess.Popen(
                ["bin/entrypoint", "web"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        site = Site(env, process)
        try:
            _wait_until_healthy(site, log)
            yield site
        finally:
            _stop(process)
    finally:
        database.drop()


def _static_files(page: bytes) -> list[str]:
    return STATIC.findall(page.decode())


def _assert_static_served(browser: Browser, page: bytes) -> None:
    paths = _static_files(page)
    assert paths, "the page links no static files"
    for path in paths:
        status, headers, content = browser.get(path)
        assert status == 200, path
        assert content, path
        # A hashed name from the manifest, cached for good by WhiteNoise.
        assert "immutable" in headers["Cache-Control"], path
        if path.endswith(".css"):
            assert headers["Content-Encoding"] == "gzip", path


def test_the_compose_health_check_passes(site):
    result = site.health_check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "path",
    ["/", "/toegankelijkheid/", "/login/", f"/q/{SLUG}/", f"/q/{SLUG}/hervatten/"],
)
def test_public_pages_serve_with_their_static_files(site, path):
    browser = site.browser()

    status, headers, content = browser.get(path)

    assert status == 200, content[:2000]
    assert "Strict-Transport-Security" in headers
    _assert_static_served(browser, content)


def test_a_respondent_starts_the_seed_questionnaire_and_reaches_a_page(site):
    browser = site.browser()
    status, _, landing = browser.get(f"/q/{SLUG}/")
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', landing)[1]
    assert "__Host-csrftoken" in browser.cookies

    status, headers, _ = browser.request(
        "POST", f"/q/{SLUG}/", {"csrfmiddlewaretoken": token.decode()}
    )
    assert status == 302
    assert headers["Location"] == f"/q/{SLUG}/pagina/profiel/"
    assert "__Host-sessionid" in browser.cookies
    status, _, saved = browser.get(headers["Location"])
    assert status == 200
    status, headers, _ = browser.get(f"/q/{SLUG}/verder/")
    assert status == 302
    status, _, page = browser.get(headers["Location"])

    assert status == 200
    assert b'name="csrfmiddlewaretoken"' in page
    _assert_static_served(browser, page)


def test_the_health_page_reports_database_and_broker(site):
    status, _, content = site.browser().get("/healthz")

    assert status == 200
    assert b'"database": "ok"' in content
    assert b'"broker": "ok"' in content


def test_plain_http_is_sent_to_https_but_the_health_check_is_not(site):
    browser = site.browser()

    status, headers, _ = browser.get("/login/", https=False)
    health, _, _ = browser.get("/healthz", https=False)

    assert status == 301
    assert headers["Location"] == f"https://{site.host}/login/"
    assert health == 200


def test_the_deployment_check_is_clean(site):
    output = _run(
        [
            "bin/entrypoint",
            "python",
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        site.env,
    )
    assert "System check identified no issues (0 silenced)." in output
