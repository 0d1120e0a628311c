"""Writing the audit log."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from meldcode_survey.accounts.access import AnyUser

from .models import AuditEntry

# The user behind the current request, for entries recorded without one (a
# service that is not handed the user; see middleware.AuditActorMiddleware).
current_actor: ContextVar[AnyUser | None] = ContextVar(
    "audit_current_actor", default=None
)


def object_label(obj: object) -> tuple[str, str, str]:
    """(object type, object id, short description) of a model instance."""
    if obj is None:
        return "", "", ""
    if isinstance(obj, models.Model):
        meta = obj._meta
        return meta.label_lower, str(obj.pk or ""), str(obj)[:200]
    return type(obj).__name__.lower(), "", str(obj)[:200]


def record_entry(
    user: AnyUser | None,
    action: str,
    obj: object = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    if user is None:
        user = current_actor.get()
    actor = user if isinstance(user, User) else None  # never AnonymousUser
    object_type, object_id, object_repr = object_label(obj)
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        details=details or {},
    )
