"""The roles of the platform as Django groups, and their permissions.

Staff define questionnaires, read and code narratives and see every export;
analysts see aggregates and sector summaries only; administrators manage users.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

STAFF = "staff"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"

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
    ADMINISTRATOR: ["auth"],
}
# Single extra permissions ("app_label.codename") per role.
ROLE_PERMISSIONS = {
    STAFF: [],
    ANALYST: ["dashboard.view_dashboard", "exports.view_summary"],
    ADMINISTRATOR: [],
}


def ensure_role_groups() -> None:
    """Create the role groups and give them their permissions (idempotent)."""
    for role in ROLE_APPS:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Q(content_type__app_label__in=ROLE_APPS[role])
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        if ROLE_APPS[role] or ROLE_PERMISSIONS[role]:
            group.permissions.add(*Permission.objects.filter(wanted))
