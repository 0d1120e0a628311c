"""The audit log. Entries are written once and never changed or deleted through
the application: `save()` refuses to update a stored entry, and `delete()` and
queryset `update()`/`delete()` refuse outright."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class Action(models.TextChoices):
    LOGIN = "auth.login", _("Logged in")
    LOGIN_FAILED = "auth.login_failed", _("Login failed")
    LOGOUT = "auth.logout", _("Logged out")
    LOCKED_OUT = "auth.locked_out", _("Locked out after failed logins")
    SESSION_EXPIRED = "auth.session_expired", _("Logged out after inactivity")
    OTP_ENROLLED = "otp.enrolled", _("Two-factor authentication set up")
    OTP_VERIFIED = "otp.verified", _("Two-factor code accepted")
    OTP_FAILED = "otp.failed", _("Two-factor code refused")
    OTP_RESET = "otp.reset", _("Two-factor authentication reset")
    USER_CREATED = "user.created", _("User created")
    USER_CHANGED = "user.changed", _("User changed")
    USER_DELETED = "user.deleted", _("User deleted")
    USER_ROLES_CHANGED = "user.roles_changed", _("User's roles changed")
    USER_SECTORS_CHANGED = "user.sectors_changed", _("Analyst's sectors changed")
    ROLE_CHANGED = "role.changed", _("Role changed")
    NARRATIVE_READ = "narrative.read", _("Narrative read")
    CODING_CHANGED = "coding.changed", _("Coding saved")
    FINAL_CODING_CHANGED = "coding.final_changed", _("Final coding changed")
    REDACTION_CHANGED = "redaction.changed", _("Redaction changed")
    SCREENING_FLAG_DISMISSED = (
        "redaction.flag_dismissed",
        _("Screening flag dismissed"),
    )
    EXPORT_REQUESTED = "export.requested", _("Export requested")
    EXPORT_DOWNLOADED = "export.downloaded", _("Export downloaded")
    QUESTIONNAIRE_PUBLISHED = "questionnaire.published", _("Questionnaire published")
    QUESTIONNAIRE_VERSION_CREATED = (
        "questionnaire.version_created",
        _("Questionnaire version created"),
    )
    NARRATIVES_PURGED = "retention.narratives_purged", _("Narrative texts purged")
    DRAFTS_EXPIRED = "retention.drafts_expired", _("Expired drafts deleted")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(
        _("when"), default=timezone.now, db_index=True, editable=False
    )
    # No database constraint and no cascade: deleting a user keeps their entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(
        _("action"), max_length=60, choices=Action.choices, db_index=True
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(
        _("details"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        who = self.actor_username or "-"
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {who} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")
