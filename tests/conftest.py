"""Role fixtures, the seed questionnaire and the rule for service-bound tests.

Tests marked `redis`, `celery_worker`, `browser`, `deduce` or `deploy` need a real
service (deduce: the thorough screening's lookup structures, built by `make`).
Locally they are skipped when it is missing; in CI (CI=true) a missing service
fails the run.
"""

import json
import os
import shutil
import socket
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
from django.conf import settings

from meldcode_survey.accounts.roles import ANALYST, STAFF
from meldcode_survey.questionnaires.definition import import_definition
from meldcode_survey.responses import deidentify
from tests import factories


def _ptable_file(directory, name: str, noise) -> str:
    """A ptable in the ONS format (pcv,ckey,pvalue) for the counts 1 to 9."""
    path = directory / name
    rows = ["pcv,ckey,pvalue"] + [
        f"{count},{key},{noise(count)}" for count in range(1, 10) for key in range(256)
    ]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


@pytest.fixture(scope="session")
def floor_ptable(tmp_path_factory):
    """The rule without its noise: a count of 1 to 9 is published as 10, every
    other count exactly. Tests of other features read their figures through it;
    tests marked `perturbed` use the installation's generated ptable, with its
    noise."""
    directory = tmp_path_factory.mktemp("ptable")
    return _ptable_file(directory, "ptable_floor.csv", lambda count: 10 - count)


@pytest.fixture(scope="session")
def threshold_only_ptable(tmp_path_factory):
    """The old rule, for the attacker test to break: exact figures, with a
    count of 1 to 9 taken to 0 (what was shown as "< 10")."""
    directory = tmp_path_factory.mktemp("ptable")
    return _ptable_file(directory, "ptable_threshold_only.csv", lambda count: -count)


@pytest.fixture(autouse=True)
def _ptable(request, settings, floor_ptable):
    if not request.node.get_closest_marker("perturbed"):
        settings.DISCLOSURE_PTABLE = floor_ptable


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
    if item.get_closest_marker("deduce") and not deidentify.is_built():
        return "deduce's lookup structures are not built (manage.py build_screening)"
    if item.get_closest_marker("deploy"):
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            return "PostgreSQL is not configured through DATABASE_URL"
        if not _redis_reachable():
            return "Redis is not reachable through REDIS_URL"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = _missing_service(item)
    if missing and os.environ.get("CI"):
        pytest.fail(f"{missing}: required in CI", pytrace=False)
    elif missing:
        pytest.skip(missing)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users need no slow password hashing (0.6 s per user otherwise)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    login_verified(client, staff_user)
    return client


@pytest.fixture
def analyst_client(client, analyst_user):
    login_verified(client, analyst_user)
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


@contextmanager
def celery_in_process():
    """Run Celery tasks in-process, also in CI where REDIS_URL points at a broker."""
    from meldcode_survey.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@pytest.fixture
def submit_now(submit, django_capture_on_commit_callbacks):
    """Submit through the real path and run the after-commit work (the rollup
    count) in-process."""

    def _submit(version, answers=None):
        with celery_in_process(), django_capture_on_commit_callbacks(execute=True):
            return submit(version, answers)

    return _submit


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


def user_change_data(client, user, sectors: list[str] | None = None) -> dict:
    """The admin's change form of `user` as shown, ready to post back; with
    `sectors`, an analyst's sector access set to them."""
    from django.urls import reverse

    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    skipped = ("password", "last_login", "date_joined", "user_permissions", "groups")
    data = {
        key: value
        for key, value in form.initial.items()
        if key not in skipped and value is not None
    }
    data["groups"] = [g.pk for g in user.groups.all()]
    data["user_permissions"] = [p.pk for p in user.user_permissions.all()]
    data["date_joined_0"] = user.date_joined.strftime("%Y-%m-%d")
    data["date_joined_1"] = user.date_joined.strftime("%H:%M:%S")
    data.update(
        {
            "sector_access-TOTAL_FORMS": "0" if sectors is None else "1",
            "sector_access-INITIAL_FORMS": "0",
            "sector_access-MIN_NUM_FORMS": "0",
            "sector_access-MAX_NUM_FORMS": "1",
        }
    )
    if sectors is not None:
        data["sector_access-0-sectors"] = sectors
        data["sector_access-0-user"] = user.pk
    return data


def login_verified(client, user):
    """Log `user` in on the test client with the second factor passed, as after a
    real login with password and TOTP code (accounts' TwoFactorRequiredMiddleware
    sends everyone with a role to the code page otherwise)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def verified_login(db):
    """`verified_login(client, user)`: force_login plus a passed second factor."""
    return login_verified


@pytest.fixture
def administrator_user(db):
    from meldcode_survey.accounts.roles import ADMINISTRATOR

    return factories.UserFactory(role=ADMINISTRATOR, is_staff=True)


# Playwright with Debian's Chromium: one browser for the whole run, shared by
# every browser test (tests/e2e, tests/review, tests/security). Two Playwright
# sync sessions cannot be alive in one thread, so these fixtures must be the
# only definitions of `browser` and `new_page`.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # that tests make around it are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (like separate devices)."""
    contexts = []

    def _new_page(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()
