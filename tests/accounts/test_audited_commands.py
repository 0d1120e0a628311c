"""Django's createsuperuser, run through the accounts app's subclass: what it
does to an account is in the audit log, the password never."""

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


def _assert_no_password(entry: AuditEntry, user: User) -> None:
    stored = json.dumps(model_to_dict(entry), default=str)
    assert PASSWORD not in stored
    user.refresh_from_db()
    assert user.password.split("$")[-1] not in stored  # nor its hash


def test_the_accounts_app_runs_createsuperuser():
    commands = get_commands()

    assert commands["createsuperuser"] == "meldcode_survey.accounts"


# --- createsuperuser -----------------------------------------------------------


def test_a_superuser_made_without_input_is_recorded(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command(
        "createsuperuser",
        "--noinput",
        "--username=root",
        "--email=root@example.org",
        verbosity=0,
    )

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
        call_command(
            "createsuperuser",
            "--noinput",
            "--username=root",
            "--email=root@example.org",
            verbosity=0,
        )
    call_command("createsuperuser", "--username=root", stdin=io.StringIO())

    assert not AuditEntry.objects.filter(action=Action.USER_CREATED).exists()
    taken.refresh_from_db()
    assert not taken.is_superuser
