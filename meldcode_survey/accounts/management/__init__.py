"""Helpers shared by the accounts app's management commands."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.management.base import CommandError


def user_named(username: str) -> User:
    """The user with this username, or the command's error naming it."""
    try:
        return User.objects.get_by_natural_key(username)
    except User.DoesNotExist as missing:
        raise CommandError(f"No user named {username!r}.") from missing
