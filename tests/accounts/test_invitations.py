"""New accounts get a one-time, expiring invitation link to choose a password
and link an authenticator app; nobody else can link one with the password."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey.accounts.invitations import (
    InvitationTokenGenerator,
    invitation_path,
)
from meldcode_survey.accounts.roles import ADMINISTRATOR, ANALYST, STAFF
from meldcode_survey.audit.models import Action, AuditEntry
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and new passphrase"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _accept(client, link: str):
    """Follow the link and choose a password; the response of the form's post."""
    page = client.get(link, follow=True)
    if not page.context["validlink"]:
        return page
    return client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def _invited(role: str = STAFF):
    user = factories.UserFactory(role=role, is_staff=role == STAFF, password=None)
    user.set_unusable_password()
    user.save()
    return user


def test_an_invitation_sets_the_password_and_then_links_the_app(client):
    user = _invited()

    chosen = _accept(client, invitation_path(user))

    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("accounts:setup")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    done = client.post(reverse("accounts:setup"), {"token": _code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/review/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.OTP_ENROLLED, actor=user).exists()


def test_an_invitation_link_works_once(client):
    user = _invited()
    link = invitation_path(user)
    _accept(client, link)

    page = _accept(Client(), link)  # a second browser, someone else

    assert page.status_code == 200
    assert page.context["validlink"] is False
    assert "al gebruikt of is verlopen" in page.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_invitation_link_expires(client, settings, monkeypatch):
    user = _invited()
    link = invitation_path(user)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)

    page = _accept(client, link)

    assert page.context["validlink"] is False
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_password_reset_token_is_no_invitation(client):
    from django.contrib.auth.tokens import default_token_generator

    user = _invited()
    uid = invitation_path(user).split("/")[-3]
    link = reverse(
        "accounts:invitation", args=[uid, default_token_generator.make_token(user)]
    )

    assert _accept(client, link).context["validlink"] is False


def test_knowing_the_password_of_an_unenrolled_account_does_not_enrol_it(client):
    """The account was invited and chose its password, but did not link an app
    yet: someone who learns that password cannot link theirs."""
    user = _invited()
    _accept(Client(), invitation_path(user))  # and the browser is closed

    response = client.post(
        reverse("login"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert response["Location"].startswith(reverse("accounts:setup"))
    assert client.get(reverse("accounts:setup")).status_code == 403
    assert (
        client.post(reverse("accounts:setup"), {"token": "123456"}).status_code == 403
    )
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- The administrator's side ---------------------------------------------------


@pytest.fixture
def administrator_client(client):
    admin = factories.UserFactory(role=ADMINISTRATOR, is_staff=True)
    return login_verified(client, admin)


def test_an_administrator_makes_an_account_without_a_password(administrator_client):
    response = administrator_client.post(
        reverse("admin:auth_user_add"),
        {"username": "nieuwe.collega", "email": "collega@example.org"},
        follow=True,
    )

    assert response.status_code == 200
    user = get_user_model().objects.get(username="nieuwe.collega")
    assert not user.has_usable_password()
    shown = " ".join(str(m) for m in response.context["messages"])
    link = re.search(r"http://testserver(/account/invitation/\S+/)", shown).group(1)
    assert len(mail.outbox) == 1
    assert link in mail.outbox[0].body
    assert mail.outbox[0].to == ["collega@example.org"]


def test_the_admin_action_sends_a_new_invitation(administrator_client):
    user = _invited(ANALYST)
    user.email = "analist@example.org"
    user.save()

    response = administrator_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_invitation", "_selected_action": [user.pk]},
        follow=True,
    )

    shown = " ".join(str(m) for m in response.context["messages"])
    link = re.search(r"http://testserver(/account/invitation/\S+/)", shown).group(1)
    assert _accept(Client(), link)["Location"] == reverse("accounts:setup")


def test_an_administrator_cannot_invite_a_superuser(administrator_client):
    root = get_user_model().objects.create_superuser("root", "root@example.org")

    response = administrator_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_invitation", "_selected_action": [root.pk]},
        follow=True,
    )

    assert "invitation" not in " ".join(str(m) for m in response.context["messages"])
    assert mail.outbox == []


def test_demo_accounts_come_with_invitation_links(client, capsys):
    call_command("create_demo_accounts")
    links = re.findall(r"http://\S+(/account/invitation/\S+/)", capsys.readouterr().out)

    assert len(links) == 2
    assert _accept(client, links[0])["Location"] == reverse("accounts:setup")
    for user in get_user_model().objects.filter(username__startswith="demo-"):
        assert user.groups.exists()


def test_without_a_mail_server_no_invitation_is_said_to_be_sent(settings):
    """Production without EMAIL_URL sends nothing (a printed link would end up in
    the logs), and says so, so the administrator passes the link on."""
    from django.core import mail

    from meldcode_survey.accounts.invitations import DUMMY_BACKEND, send_invitation
    from tests.factories import UserFactory

    settings.EMAIL_BACKEND = DUMMY_BACKEND
    user = UserFactory(email="nieuw@example.org")
    assert send_invitation(user, "https://example.org/invitation/x/") is False
    assert mail.outbox == []


# --- Every path that invites audits it -----------------------------------------


def _invitations_audited(user) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=Action.USER_CHANGED,
            object_id=str(user.pk),
            details__invitation_sent=True,
        )
    )


def test_the_admin_add_form_audits_the_invitation(administrator_client):
    administrator_client.post(
        reverse("admin:auth_user_add"),
        {"username": "nieuwe.collega", "email": "collega@example.org"},
    )

    user = get_user_model().objects.get(username="nieuwe.collega")
    (entry,) = _invitations_audited(user)
    assert entry.actor is not None and entry.actor != user  # the administrator
    assert entry.details["emailed"] is True


def test_the_admin_action_audits_the_invitation(administrator_client):
    user = _invited(ANALYST)

    administrator_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_invitation", "_selected_action": [user.pk]},
    )

    (entry,) = _invitations_audited(user)
    assert entry.details["emailed"] is False  # no address


@pytest.mark.parametrize("command", ["invite", "reset_two_factor"])
def test_the_commands_audit_the_invitation(command, capsys):
    user = _invited()
    user.email = "collega@example.org"
    user.save()

    call_command(command, user.username)

    (entry,) = _invitations_audited(user)
    assert entry.actor is None  # a management command
    assert entry.details["emailed"] is True
    assert len(mail.outbox) == 1
    assert "/account/invitation/" in capsys.readouterr().out


def test_the_demo_accounts_audit_their_invitations(capsys):
    call_command("create_demo_accounts")

    for user in get_user_model().objects.filter(username__startswith="demo-"):
        assert len(_invitations_audited(user)) == 1


@pytest.mark.parametrize("command", ["invite", "reset_two_factor"])
def test_a_command_for_an_unknown_user_says_so(command):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command(command, "nobody")
