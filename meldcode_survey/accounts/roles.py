"""The roles of the platform as Django groups, and their permissions.

Staff define questionnaires, read and code narratives and see every export;
analysts see aggregates and sector summaries only; administrators manage users
and read the audit log.

The groups are created by the data migration accounts 0002; `roles_update`
runs after every migrate (accounts.apps) so that permissions added later by
other apps reach their role too, each change audited.
"""

from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Q, QuerySet

from meldcode_survey import audit
from meldcode_survey.audit.models import Action

if TYPE_CHECKING:
    from django.contrib.auth.models import Permission

STAFF = "staff"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"
ROLES = (STAFF, ANALYST, ADMINISTRATOR)

# app label -> all its model permissions go to the role.
ROLE_APPS = {
    STAFF: [
        "questionnaires",
        "responses",
        "review",
        "dashboard",
        "exports",
        "django_celery_beat",
    ],
    ANALYST: [],
    ADMINISTRATOR: ["auth", "accounts"],
}
# Single extra permissions ("app_label.codename") per role.
ROLE_PERMISSIONS = {
    STAFF: [],
    ANALYST: ["dashboard.view_dashboard", "exports.view_summary"],
    ADMINISTRATOR: [
        "audit.view_auditentry",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    ],
}


def role_permission_filter(role: str) -> Q:
    """The permissions of `role`, as a filter on Permission."""
    wanted = Q(content_type__app_label__in=ROLE_APPS[role])
    for dotted in ROLE_PERMISSIONS[role]:
        app_label, codename = dotted.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return wanted


def ensure_role_groups(
    apps: Any = global_apps,
) -> dict[str, tuple[Any, bool, list[str]]]:
    """Create the role groups and give them their permissions (idempotent).

    Only adds: a permission listed above that an administrator took away from a
    role in the admin comes back at the next migrate; others are left alone.
    Returns, per role, its group, whether it was created and the labels of the
    permissions added (for `roles_update`'s audit entries).
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    changes = {}
    for role in ROLES:
        group, created = Group.objects.get_or_create(name=role)
        added: list[str] = []
        if ROLE_APPS[role] or ROLE_PERMISSIONS[role]:
            missing = Permission.objects.filter(role_permission_filter(role)).exclude(
                group=group
            )
            added = permission_labels(missing)
            group.permissions.add(*missing)
        changes[role] = (group, created, added)
    return changes


def permission_labels(permissions: QuerySet["Permission"]) -> list[str]:
    """ "app_label.codename" of each permission, sorted: how the audit log names
    them."""
    rows = permissions.values_list("content_type__app_label", "codename")
    return sorted(f"{app}.{codename}" for app, codename in rows)


@transaction.atomic
def roles_update() -> None:
    """`ensure_role_groups` with the installed models; each change audited."""
    for group, created, added in ensure_role_groups().values():
        if created:
            audit.record(None, Action.ROLE_CHANGED, group, created=True)
        if added:
            audit.record(None, Action.ROLE_CHANGED, group, permissions={"added": added})
