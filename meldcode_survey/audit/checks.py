"""A system check: every audited model exists, and its admin writes the log.

Admin edits are audited by the admins themselves (admin_hooks.py), so an admin
registered without the mixin, or a renamed model, would silently stop being
audited; this check makes `manage.py check` (and every command) fail instead.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.core import checks

from .admin_hooks import AuditedAdminMixin

# Models whose admin pages add, change or delete what the audit log records.
AUDITED_IN_ADMIN = (
    "auth.User",
    "auth.Group",
    "otp_totp.TOTPDevice",
    "questionnaires.Version",
)


@checks.register()
def audited_admins(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for label in AUDITED_IN_ADMIN:
        try:
            model = apps.get_model(label)
        except LookupError:
            errors.append(
                checks.Error(
                    f"The audited model {label} does not exist.",
                    hint="Rename it in audit.checks.AUDITED_IN_ADMIN too.",
                    id="audit.E001",
                )
            )
            continue
        if not admin.site.is_registered(model):
            continue
        if not isinstance(admin.site.get_model_admin(model), AuditedAdminMixin):
            errors.append(
                checks.Error(
                    f"The admin of {label} does not write the audit log.",
                    hint="Give it audit.admin_hooks.AuditedAdminMixin.",
                    id="audit.E002",
                )
            )
    return errors
