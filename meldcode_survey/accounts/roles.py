"""The roles of the platform as Django groups, and their permissions.

Staff define questionnaires, read and code narratives and see every export;
analysts see aggregates and sector summaries only; administrators manage users
and read the audit log.

The groups are created by the data migration accounts 0002; `ensure_role_groups`
runs again after every migrate so that permissions added later by other apps
reach their role too.
"""

from typing import Any

from django.apps import apps as global_apps
from django.db.models import Q

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


def ensure_role_groups(apps: Any = global_apps) -> None:
    """Create the role groups and give them their permissions (idempotent).

    Only adds: a permission listed above that an administrator took away from a
    role in the admin comes back at the next migrate; others are left alone.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if ROLE_APPS[role] or ROLE_PERMISSIONS[role]:
            permissions = Permission.objects.filter(role_permission_filter(role))
            group.permissions.add(*permissions)
