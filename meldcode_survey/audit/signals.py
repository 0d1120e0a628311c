"""Receivers for the authentication events of Django and django-axes.

Logging in, logging out, a failed login and a lockout happen inside Django's
and axes' own code, where no service of ours runs, so they are the only events
the audit log learns of through signals. Everything else is recorded by the
service or admin that does it (`audit.record`, admin_hooks.py).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.models import User
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.http import HttpRequest

from . import record
from .models import Action


def _logged_in(
    sender: type[User], request: HttpRequest, user: User, **kwargs: Any
) -> None:
    record(user, Action.LOGIN)


def _logged_out(
    sender: type[User] | None,
    request: HttpRequest,
    user: User | None,
    **kwargs: Any,
) -> None:
    if user is not None and user.is_authenticated:
        record(user, Action.LOGOUT)


def _login_failed(
    sender: str,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kw: Any,
) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(None, Action.LOGIN_FAILED, username=username)


def _locked_out(
    sender: object, request: HttpRequest, username: str | None, **kwargs: Any
) -> None:
    record(None, Action.LOCKED_OUT, username=str(username or "")[:150])


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit:login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit:logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit:login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit:locked_out")
