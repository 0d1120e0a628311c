"""Create the role groups (staff, analyst, administrator) with their permissions.

Permissions are normally made by post_migrate, after every migration has run, so
this migration makes those of the apps it depends on itself. The definitions
are copied here as they were; accounts.roles.ensure_role_groups (run after each
migrate) gives the roles permissions that apps add later.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

ROLE_APPS = {
    "staff": [
        "questionnaires",
        "responses",
        "review",
        "dashboard",
        "exports",
        "django_celery_beat",
    ],
    "analyst": [],
    "administrator": ["auth", "accounts"],
}
ROLE_PERMISSIONS = {
    "staff": [],
    "analyst": ["dashboard.view_dashboard", "exports.view_summary"],
    "administrator": [
        "audit.view_auditentry",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    ],
}


def _labels() -> set[str]:
    labels = {"auth"}
    for role in ROLE_APPS:
        labels.update(ROLE_APPS[role])
        labels.update(dotted.split(".")[0] for dotted in ROLE_PERMISSIONS[role])
    return labels


def create_roles(apps, schema_editor) -> None:
    using = schema_editor.connection.alias if schema_editor else "default"
    for label in sorted(_labels()):
        try:
            app_config = global_apps.get_app_config(label)
        except LookupError:
            continue
        create_permissions(app_config, verbosity=0, apps=apps, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, app_labels in ROLE_APPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = Q(content_type__app_label__in=app_labels)
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        if app_labels or ROLE_PERMISSIONS[role]:
            group.permissions.add(*Permission.objects.using(using).filter(wanted))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("questionnaires", "0001_initial"),
        ("responses", "0001_initial"),
        ("review", "0001_initial"),
        ("dashboard", "0001_initial"),
        ("exports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("audit", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
