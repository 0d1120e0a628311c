"""Logging in: password with lockout, then the second factor (TOTP)."""

import re

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey.accounts.roles import ANALYST, STAFF
from meldcode_survey.audit.models import Action, AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new long passphrase"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _log_in(client, user, next_url="/review/", **extra):
    return client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD, "next": next_url},
        **extra,
    )


def test_a_password_alone_does_not_link_an_authenticator_app(client):
    """First login of an account without an app: whoever knows the password
    first must not claim the second factor. Only an invitation link does."""
    user = factories.UserFactory(role=STAFF, is_staff=True)

    response = _log_in(client, user)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:setup"))

    page = client.get(response["Location"])
    assert page.status_code == 403
    assert "accounts/setup_refused.html" in [t.name for t in page.templates]
    assert not TOTPDevice.objects.filter(user=user).exists()
    refused = client.post(reverse("accounts:setup"), {"token": "000000"})
    assert refused.status_code == 403
    assert client.get("/review/")["Location"].startswith(reverse("accounts:setup"))


def test_login_with_a_linked_app_asks_for_a_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = factories.UserFactory(role=STAFF, is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = _log_in(client, user)
    assert response["Location"].startswith(reverse("accounts:verify"))
    # Only the password: every other page sends the user back to the code.
    blocked = client.get("/review/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:verify"))
    assert client.get(reverse("accounts:setup")).status_code == 302

    wrong = client.post(response["Location"], {"token": "123456"})
    assert wrong.status_code == 400
    right = client.post(response["Location"], {"token": _code(device)})
    assert right["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


def test_wrong_codes_in_a_row_slow_down_further_attempts(client):
    user = factories.UserFactory(role=ANALYST)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _log_in(client, user)
    client.post(reverse("accounts:verify"), {"token": "123456"})

    refused = client.post(reverse("accounts:verify"), {"token": _code(device)})

    assert refused.status_code == 400
    assert "Te veel onjuiste codes" in str(refused.context["form"].errors)
    assert AuditEntry.objects.filter(action=Action.OTP_FAILED, actor=user).count() == 2


def test_a_code_is_accepted_only_once(client):
    user = factories.UserFactory(role=ANALYST)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = _code(device)
    _log_in(client, user)
    client.post(reverse("accounts:verify"), {"token": code})
    client.post(reverse("logout"))

    _log_in(client, user)
    again = client.post(reverse("accounts:verify"), {"token": code})

    assert again.status_code == 400


def test_the_next_page_after_the_code_must_be_on_this_site(client):
    user = factories.UserFactory(role=ANALYST)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _log_in(client, user)

    response = client.post(
        reverse("accounts:verify") + "?next=https://evil.example/",
        {"token": _code(device)},
    )

    assert response["Location"] == "/"


def test_an_account_without_a_role_is_not_asked_for_a_second_factor(client):
    user = factories.UserFactory()

    response = _log_in(client, user, next_url="/")

    assert response["Location"] == "/"
    assert client.get("/review/").status_code == 403


def test_the_admin_login_is_the_same_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"


def test_the_admin_requires_the_second_factor(client):
    user = factories.UserFactory(role=STAFF, is_staff=True)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_a_new_superuser_sets_up_two_factor_through_an_invitation(
    client, monkeypatch, capsys
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        email="root@example.org",
        verbosity=0,
    )
    response = client.post(
        reverse("login"), {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"].startswith(reverse("accounts:setup"))
    assert client.get(response["Location"]).status_code == 403
    client.post(reverse("logout"))

    call_command("invite", "root")
    link = re.search(r"https?://\S+", capsys.readouterr().out).group(0)
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )

    assert done["Location"] == reverse("accounts:setup")
    assert client.get(done["Location"]).status_code == 200


def test_reset_two_factor_removes_the_devices_and_is_audited(capsys):
    user = factories.UserFactory(role=STAFF, is_staff=True)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    call_command("reset_two_factor", user.username)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(
        action=Action.OTP_RESET, object_id=str(user.pk)
    ).exists()
    out = capsys.readouterr().out
    assert "Removed 1 device" in out
    # The way to a new app is a new invitation, not the password alone.
    assert "/account/invitation/" in out


# --- Lockout ------------------------------------------------------------------


def _fail(client, username: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": "wrong password"},
        REMOTE_ADDR=address,
    )


def test_ten_failures_lock_the_username_from_that_address(client):
    user = factories.UserFactory(role=ANALYST)
    for _ in range(9):
        assert _fail(client, user.username).status_code == 200

    locked = _fail(client, user.username)

    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert "30" in locked.content.decode()  # the cool-off, in minutes
    right = _log_in(client, user, REMOTE_ADDR="10.0.0.1")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT).exists()


def test_a_lockout_is_for_that_username_and_address_only(client):
    user = factories.UserFactory(role=ANALYST)
    other = factories.UserFactory(role=ANALYST)
    for _ in range(10):
        _fail(client, user.username)

    assert _log_in(client, other, REMOTE_ADDR="10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    assert _log_in(client, user, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_a_login_leaves_no_address_behind(client):
    user = factories.UserFactory(role=ANALYST)
    _fail(client, user.username)
    assert AccessAttempt.objects.filter(username=user.username).exists()

    assert _log_in(client, user, REMOTE_ADDR="10.0.0.1").status_code == 302
    client.post(reverse("logout"))

    # The failed attempt is forgotten on success, and no login trail with
    # addresses is kept: the audit log has one, without them.
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert not AccessLog.objects.exists()
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor=user).exists()


def test_the_lockout_page_explains_in_the_visitor_s_language(client, settings):
    user = factories.UserFactory()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(10):
        page = _fail(client, user.username)

    assert page.status_code == 429
    text = page.content.decode()
    assert '<html lang="en">' in text
    assert "Logging in is blocked for now" in text
    assert "Try again in 30 minutes." in text


def test_an_analyst_lands_on_the_dashboard_after_login(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = factories.UserFactory(role=ANALYST)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    done = client.post(response["Location"], {"token": _code(device)})

    assert done["Location"] == reverse("dashboard:index")
    page = client.get(done["Location"], follow=True).content.decode()
    # Every page links to the dashboard, its sectors and the downloads.
    for url in (reverse("dashboard:index"), reverse("exports:index")):
        assert f'href="{url}"' in page


def test_someone_without_the_dashboard_lands_at_home_after_login(client):
    user = factories.UserFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response["Location"] == "/"
