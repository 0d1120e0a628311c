"""Receivers that write the audit log for changes other apps make.

Users, roles and their permissions, questionnaire versions, narrative reads and
codings are recorded here, so that the apps doing the work need not know about
the audit log. The acting user is the request's (services.current_actor) unless
the changed row names one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from . import record
from .models import Action

# User fields whose change is recorded; the password only as "changed".
USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
)
SECRET_FIELDS = ("password",)


def _uid(name: str) -> str:
    return f"audit:{name}"


# --- Authentication -----------------------------------------------------------


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


# --- Users and roles ----------------------------------------------------------


def _user_before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    stored = (
        sender.objects.filter(pk=instance.pk)
        .values(*USER_FIELDS, *SECRET_FIELDS)
        .first()
    )
    instance._audit_before = stored


def _user_after(sender: Any, instance: Any, created: bool, raw: bool = False, **kw):
    if raw:
        return
    if created:
        flags = {f: getattr(instance, f) for f in ("is_staff", "is_superuser")}
        record(None, Action.USER_CREATED, instance, **flags)
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    changes: dict[str, Any] = {
        field: {"from": before[field], "to": getattr(instance, field)}
        for field in USER_FIELDS
        if before[field] != getattr(instance, field)
    }
    if before["password"] != instance.password:
        changes["password"] = "changed"
    if changes:
        record(None, Action.USER_CHANGED, instance, changes=changes)


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    record(None, Action.USER_DELETED, instance, username=instance.get_username())


def _names(model: Any, pks: Any, field: str) -> list[str]:
    if not pks:
        return []
    return sorted(model.objects.filter(pk__in=pks).values_list(field, flat=True))


def _group_names(groups: Any) -> list[str]:
    return sorted(group.name for group in groups)


def _user_groups_changed(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    model: Any,
    pk_set: Any,
    **kwargs: Any,
) -> None:
    if action == "pre_clear":
        if reverse:
            instance._audit_cleared = list(instance.user_set.all())
        else:
            instance._audit_cleared = _group_names(instance.groups.all())
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "removed"}
    if not reverse:
        if action == "post_clear":
            names = getattr(instance, "_audit_cleared", [])
        else:
            names = _names(Group, pk_set, "name")
        if names:
            record(None, Action.USER_ROLES_CHANGED, instance, **{verb[action]: names})
        return
    if action == "post_clear":
        users = getattr(instance, "_audit_cleared", [])
    else:
        users = list(model.objects.filter(pk__in=pk_set or []))
    for user in users:
        record(None, Action.USER_ROLES_CHANGED, user, **{verb[action]: [instance.name]})


def _permission_labels(pks: Any) -> list[str]:
    from django.contrib.auth.models import Permission

    rows = Permission.objects.filter(pk__in=pks or []).values_list(
        "content_type__app_label", "codename"
    )
    return sorted(f"{app}.{codename}" for app, codename in rows)


def _permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    if action != "post_clear" and not pk_set:
        return  # nothing was actually added or removed
    key = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}
    details = {key[action]: _permission_labels(pk_set) if pk_set else True}
    if isinstance(instance, Group):
        record(None, Action.ROLE_CHANGED, instance, permissions=details)
    else:
        record(None, Action.USER_CHANGED, instance, permissions=details)


def _group_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw):
    if created and not raw:
        record(None, Action.ROLE_CHANGED, instance, created=True)


def _group_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    record(None, Action.ROLE_CHANGED, instance, deleted=True)


# --- Questionnaires -----------------------------------------------------------


def _version_before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any):
    if raw or instance.pk is None:
        instance._audit_status = None
        return
    instance._audit_status = (
        sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    )


def _version_after(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any
) -> None:
    if raw:
        return
    details = {
        "questionnaire": instance.questionnaire.slug,
        "number": instance.number,
    }
    if created:
        record(None, Action.QUESTIONNAIRE_VERSION_CREATED, instance, **details)
    before = None if created else getattr(instance, "_audit_status", None)
    if instance.status == "published" and before != "published":
        record(None, Action.QUESTIONNAIRE_PUBLISHED, instance, **details)


# --- Narratives and coding (review app) ----------------------------------------


def _narrative_read(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        record(
            instance.user,
            Action.NARRATIVE_READ,
            instance.narrative,
            purpose=instance.purpose,
        )


def _coding_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    record(
        instance.coder,
        Action.CODING_CHANGED,
        instance,
        narrative=instance.narrative_id,
        created=created,
        has_dilemma=instance.has_dilemma,
    )


def _final_coding_saved(sender: Any, instance: Any, created: bool, **kw: Any):
    record(
        None,
        Action.FINAL_CODING_CHANGED,
        instance,
        narrative=instance.narrative_id,
        method=instance.method,
        has_dilemma=instance.has_dilemma,
    )


def _final_coding_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    record(
        None,
        Action.FINAL_CODING_CHANGED,
        instance,
        narrative=instance.narrative_id,
        withdrawn=True,
    )


def _redaction_saved(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    fields = kw.get("update_fields")
    record(
        None,
        Action.REDACTION_CHANGED,
        instance,
        narrative=instance.narrative_id,
        created=created,
        fields=sorted(fields) if fields else None,
    )


# --- Exports ------------------------------------------------------------------


def _export_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    record(
        instance.requested_by,
        Action.EXPORT_REQUESTED,
        instance,
        kind=instance.kind,
        format=instance.format,
        sector=instance.sector,
        version=instance.version_id,
        include_free_text=instance.include_free_text,
        unsuppressed=instance.unsuppressed,
        scheduled=instance.requested_by_id is None,
    )


def _export_downloaded(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    if created:
        record(
            instance.user,
            Action.EXPORT_DOWNLOADED,
            instance,
            export=instance.export_id,
            filename=instance.filename,
            sha256=instance.sha256,
        )


# --- Accounts -----------------------------------------------------------------


def _sector_access_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    deleted = "created" not in kwargs
    record(
        None,
        Action.USER_SECTORS_CHANGED,
        instance.user,
        sectors=[] if deleted else list(instance.sectors),
    )


def _otp_device_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    record(None, Action.OTP_RESET, instance.user, device=instance.name)


def _optional_model(label: str) -> Any:
    """The model, or None while its app does not provide it (yet)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def connect() -> None:
    User = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid=_uid("login"))
    user_logged_out.connect(_logged_out, dispatch_uid=_uid("logout"))
    user_login_failed.connect(_login_failed, dispatch_uid=_uid("login_failed"))
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid=_uid("locked_out"))

    pre_save.connect(_user_before, sender=User, dispatch_uid=_uid("user_pre"))
    post_save.connect(_user_after, sender=User, dispatch_uid=_uid("user_post"))
    post_delete.connect(_user_deleted, sender=User, dispatch_uid=_uid("user_del"))
    m2m_changed.connect(
        _user_groups_changed, sender=User.groups.through, dispatch_uid=_uid("groups")
    )
    m2m_changed.connect(
        _permissions_changed,
        sender=User.user_permissions.through,
        dispatch_uid=_uid("user_perms"),
    )
    m2m_changed.connect(
        _permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid=_uid("group_perms"),
    )
    post_save.connect(_group_saved, sender=Group, dispatch_uid=_uid("group_post"))
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid=_uid("group_del"))

    receivers: list[tuple[str, str, Callable[..., None]]] = [
        ("questionnaires.Version", "pre_save", _version_before),
        ("questionnaires.Version", "post_save", _version_after),
        ("review.NarrativeRead", "post_save", _narrative_read),
        ("review.Coding", "post_save", _coding_saved),
        ("review.FinalCoding", "post_save", _final_coding_saved),
        ("review.FinalCoding", "post_delete", _final_coding_deleted),
        ("review.Redaction", "post_save", _redaction_saved),
        ("exports.Export", "post_save", _export_saved),
        ("exports.Download", "post_save", _export_downloaded),
        ("accounts.AnalystSectorAccess", "post_save", _sector_access_changed),
        ("accounts.AnalystSectorAccess", "post_delete", _sector_access_changed),
        ("otp_totp.TOTPDevice", "post_delete", _otp_device_deleted),
    ]
    signals = {"pre_save": pre_save, "post_save": post_save, "post_delete": post_delete}
    for label, signal, receiver in receivers:
        model = _optional_model(label)
        if model is not None:
            signals[signal].connect(
                receiver, sender=model, dispatch_uid=_uid(f"{label}:{signal}")
            )
