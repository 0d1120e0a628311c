"""Admin helpers shared by several apps."""

from typing import Any

from django.db import models
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """For logs and records nobody may add, change or delete through the admin
    (audit entries, narrative reads, downloads). Put it before ModelAdmin."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        return False
