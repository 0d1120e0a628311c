"""Django's createsuperuser and changepassword, run through the accounts app's
subclasses: what they do to an account is in the audit log, the password never."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command, get_commands
from django.forms.models import model_to_dict

from meldcode_survey.audit.models import Action, AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a long and secret passphrase"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class TTY:
    """A standard input that is a terminal, so that createsuperuser asks."""

    def isatty(self) -> bool:
        return True


def _answers(monkeypatch, inputs: list[str], passwords: list[str]) -> None:
    """What the person at the terminal types: at each prompt, then at each
    password prompt (Django reads those with getpass)."""
    typed, secret = iter(inputs), iter(passwords)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(secret))


def _entries(action: str, user: User) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=action, object_id=str(user.pk))
    return list(entries.order_by("pk"))


def _create_superuser(username: str) -> None:
    """createsuperuser without input (the password from the environment)."""
    call_command(
        "createsuperuser",
        "--noinput",
        f"--username={username}",
        "--email=root@example.org",
        verbosity=0,
    )


def _assert_no_password(entry: AuditEntry, user: User) -> None:
    stored = json.dumps(model_to_dict(entry), default=str)
    assert PASSWORD not in stored
    user.refresh_from_db()
    assert user.password.split("$")[-1] not in stored  # nor its hash


def test_the_accounts_app_runs_both_commands():
    commands = get_commands()

    assert commands["createsuperuser"] == "meldcode_survey.accounts"
    assert commands["changepassword"] == "meldcode_survey.accounts"


# --- createsuperuser -----------------------------------------------------------


def test_a_superuser_made_without_input_is_recorded(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    _create_superuser("root")

    root = User.objects.get(username="root")
    [entry] = _entries(Action.USER_CREATED, root)
    assert entry.actor is None
    assert (entry.object_type, entry.object_repr) == ("auth.user", "root")
    assert entry.details == {
        "via": "createsuperuser",
        "is_staff": True,
        "is_superuser": True,
    }
    _assert_no_password(entry, root)


def test_the_username_from_the_environment_is_recorded(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "admin@example.org")

    call_command("createsuperuser", "--noinput", verbosity=0)

    assert _entries(Action.USER_CREATED, User.objects.get(username="admin"))


def test_a_username_stored_normalised_is_recorded(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    fullwidth = "\uff52\uff4f\uff4f\uff54"  # "root" in fullwidth letters

    _create_superuser(fullwidth)

    assert _entries(Action.USER_CREATED, User.objects.get(username="root"))


def test_the_superuser_typed_at_the_prompts_is_recorded(monkeypatch):
    """The first name typed is taken, so Django asks again: the entry is of the
    account made, not of the one that was there."""
    taken = factories.UserFactory(username="root")
    _answers(monkeypatch, ["root", "admin", "admin@example.org"], [PASSWORD, PASSWORD])

    call_command("createsuperuser", stdin=TTY(), verbosity=0)

    admin = User.objects.get(username="admin")
    [entry] = _entries(Action.USER_CREATED, admin)
    assert entry.details["via"] == "createsuperuser"
    _assert_no_password(entry, admin)
    assert not _entries(Action.USER_CREATED, taken)


def test_nothing_is_recorded_when_no_account_is_made(monkeypatch):
    """A taken username is refused; without a terminal to ask on, Django makes
    nothing and says so."""
    taken = factories.UserFactory(username="root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    with pytest.raises(CommandError):
        _create_superuser("root")
    call_command("createsuperuser", "--username=root", stdin=io.StringIO())

    assert not AuditEntry.objects.filter(action=Action.USER_CREATED).exists()
    taken.refresh_from_db()
    assert not taken.is_superuser


# --- changepassword ------------------------------------------------------------


def test_a_password_changed_on_the_command_line_is_recorded(monkeypatch, capsys):
    user = factories.UserFactory(is_staff=True)
    _answers(monkeypatch, [], [PASSWORD, PASSWORD])

    call_command("changepassword", user.username)

    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    [entry] = _entries(Action.USER_CHANGED, user)
    assert entry.actor is None
    assert entry.object_repr == user.username
    assert entry.details == {
        "changes": {"password": "changed"},
        "via": "changepassword",
    }
    _assert_no_password(entry, user)
    assert "Password changed successfully" in capsys.readouterr().out


def test_a_password_change_given_up_is_not_recorded(monkeypatch):
    user = factories.UserFactory(is_staff=True)
    _answers(monkeypatch, [], [PASSWORD, "something else"] * 3)

    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", user.username)

    assert not _entries(Action.USER_CHANGED, user)


def test_without_a_username_the_change_of_ones_own_account_is_recorded(monkeypatch):
    """Django's command then changes the account named as the system user."""
    user = factories.UserFactory(is_staff=True)
    monkeypatch.setattr("getpass.getuser", lambda: user.username)
    _answers(monkeypatch, [], [PASSWORD, PASSWORD])

    call_command("changepassword", stdout=io.StringIO())

    assert _entries(Action.USER_CHANGED, user)
