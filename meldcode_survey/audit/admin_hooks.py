"""Audit hooks for the admin: an admin whose edits are audited records them
itself, through the admin's own log methods.

Put `AuditedAdminMixin` before the ModelAdmin class and say what to record in
`audit_added`, `audit_changed` and `audit_deleted`. The system check in
checks.py fails when an audited model's admin lacks the mixin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class AuditedAdminMixin(_AdminBase):
    """Calls the audit hooks from the admin's log methods.

    `log_addition` and `log_change` run after the object and its inlines are
    saved, `log_deletions` before the delete, all in the admin's transaction.
    For a change, `get_object` keeps the stored state (`audit_state`) of the
    object a POST is about to change, and `log_change` hands it over with the
    state after the save.
    """

    def audit_state(self, obj: Any) -> dict[str, Any]:
        """What a change is compared on, read from the database."""
        return {}

    def audit_added(self, request: HttpRequest, obj: Any) -> None:
        """Record an object added in the admin."""

    def audit_changed(
        self, request: HttpRequest, obj: Any, before: dict, after: dict
    ) -> None:
        """Record an object changed in the admin."""

    def audit_deleted(self, request: HttpRequest, obj: Any) -> None:
        """Record an object about to be deleted in the admin."""

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            obj._audit_before = self.audit_state(obj)
        return obj

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self.audit_added(request, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self.audit_changed(request, obj, obj._audit_before, self.audit_state(obj))
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self.audit_deleted(request, obj)
        return super().log_deletions(request, queryset)


def added_and_removed(before: Iterable[str], after: Iterable[str]) -> dict:
    """{"added": [...], "removed": [...]} between two sets of names; empty keys
    are left out, so no change gives {}."""
    before, after = set(before), set(after)
    change = {"added": sorted(after - before), "removed": sorted(before - after)}
    return {key: names for key, names in change.items() if names}
