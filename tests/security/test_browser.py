"""In a real browser: a new account's invitation (password, then authenticator
code), the strict CSP breaking nothing, and the idle-timeout warning."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from meldcode_survey.accounts.invitations import invitation_path
from meldcode_survey.accounts.roles import STAFF
from tests import factories
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
ENGLISH = {"name": "django_language", "value": "en"}


def _code_for(secret: str) -> str:
    key = b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def _csp_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def _log_in(page, base: str, user, check_accessibility: bool = False) -> None:
    """A new account's first login: the invitation link, a password of one's own,
    then linking the authenticator app with a code from it."""
    page.context.add_cookies([{**ENGLISH, "url": base}])
    page.goto(f"{base}{invitation_path(user)}")
    if check_accessibility:
        assert_accessible(page)
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.locator("#id_new_password2").press("Enter")
    page.wait_for_url("**/account/two-factor/setup/**")
    if check_accessibility:
        assert_accessible(page)
    secret = page.locator("code").inner_text()
    page.locator("#id_token").fill(_code_for(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url(lambda url: "/two-factor/" not in url)
    page.goto(f"{base}/review/")
    page.wait_for_url("**/review/")


def test_staff_log_in_with_an_authenticator_code_and_pages_obey_the_csp(
    live_server,
    seed_version,
    new_page,
):
    user = factories.UserFactory(role=STAFF, is_staff=True)
    page = new_page()
    violations = _csp_violations(page)

    _log_in(page, live_server.url, user, check_accessibility=True)
    assert page.get_by_role("heading", level=1).count() >= 1
    for path in (
        "/admin/",
        "/admin/questionnaires/questionnaire/",
        "/admin/django_celery_beat/periodictask/add/",
        "/downloads/",
    ):
        page.goto(f"{live_server.url}{path}")
    anonymous = new_page(locale="nl-NL")
    anonymous_violations = _csp_violations(anonymous)
    anonymous.goto(f"{live_server.url}/q/brede-reflectie/")
    anonymous.get_by_role("button", name="Start de vragenlijst").click()

    assert violations == []
    assert anonymous_violations == []


def test_the_idle_warning_lets_the_user_stay_and_then_logs_out(
    live_server,
    seed_version,
    new_page,
    settings,
):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_IDLE_WARNING = 5
    user = factories.UserFactory(role=STAFF, is_staff=True)
    page = new_page()
    _log_in(page, live_server.url, user)
    warning = page.locator("#session-timeout")

    expect(warning).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Stay logged in").click()
    expect(warning).to_be_hidden()

    page.wait_for_url("**/login/?next=%2Freview%2F", timeout=20_000)
    page.goto(f"{live_server.url}/review/")
    assert "/login/" in page.url
