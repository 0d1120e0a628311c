from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse

from meldcode_survey.accounts.access import allowed_sectors, needs_two_factor
from meldcode_survey.accounts.models import AnalystSectorAccess
from meldcode_survey.accounts.roles import ADMINISTRATOR, ANALYST, STAFF
from tests import factories
from tests.conftest import user_change_data

pytestmark = pytest.mark.django_db

role_migration = import_module("meldcode_survey.accounts.migrations.0002_role_groups")


def _permissions(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_migration_creates_the_roles_with_their_permissions():
    Group.objects.filter(name__in=[STAFF, ANALYST, ADMINISTRATOR]).delete()

    role_migration.create_roles(apps, schema_editor=None)

    assert _permissions(ANALYST) == {"dashboard.view_dashboard", "exports.view_summary"}
    staff = _permissions(STAFF)
    assert {"questionnaires.change_version", "review.view_coding"} <= staff
    assert "exports.view_summary" in staff
    assert not any(p.startswith(("auth.", "audit.")) for p in staff)
    administrator = _permissions(ADMINISTRATOR)
    assert {"auth.change_user", "auth.change_group", "audit.view_auditentry"} <= (
        administrator
    )
    assert "otp_totp.delete_totpdevice" in administrator
    assert not any(p.startswith(("review.", "responses.")) for p in administrator)


def test_running_the_migration_twice_changes_nothing():
    before = {role: _permissions(role) for role in (STAFF, ANALYST, ADMINISTRATOR)}

    role_migration.create_roles(apps, schema_editor=None)

    assert Group.objects.filter(name=STAFF).count() == 1
    assert {role: _permissions(role) for role in before} == before


def test_after_a_migrate_a_new_permission_of_a_later_app_reaches_its_role():
    """accounts comes before most apps in INSTALLED_APPS (for its createsuperuser),
    and migrate signals app by app in that order: the role update still sees the
    permissions of the apps after it."""
    Permission.objects.get(
        content_type__app_label="review", codename="view_coding"
    ).delete()
    Permission.objects.get(
        content_type__app_label="audit", codename="view_auditentry"
    ).delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert "review.view_coding" in _permissions(STAFF)
    assert "audit.view_auditentry" in _permissions(ADMINISTRATOR)


def test_nobody_can_change_the_audit_log_whatever_the_role():
    for role in (STAFF, ANALYST, ADMINISTRATOR):
        assert not {"audit.change_auditentry", "audit.delete_auditentry"} & (
            _permissions(role)
        )


def test_staff_and_unlimited_analysts_see_every_sector(staff_user, analyst_user):
    assert allowed_sectors(staff_user) is None
    assert allowed_sectors(analyst_user) is None


def test_a_limited_analyst_sees_only_their_sectors(analyst_user, outsider_user):
    AnalystSectorAccess.objects.create(user=analyst_user, sectors=["onderwijs"])

    assert allowed_sectors(analyst_user) == {"onderwijs"}
    assert allowed_sectors(outsider_user) == set()


def test_every_role_needs_a_second_factor_but_an_outsider_does_not(
    staff_user, analyst_user, administrator_user, outsider_user
):
    assert needs_two_factor(staff_user)
    assert needs_two_factor(analyst_user)
    assert needs_two_factor(administrator_user)
    assert needs_two_factor(factories.UserFactory(is_superuser=True))
    assert not needs_two_factor(outsider_user)


# --- User management in the admin ---------------------------------------------


def test_an_administrator_gives_an_analyst_sectors_in_the_admin(
    client, administrator_user, analyst_user, verified_login, seed_version
):
    """The sectors offered are those of the questionnaires' sector questions."""
    verified_login(client, administrator_user)
    url = reverse("admin:auth_user_change", args=[analyst_user.pk])
    data = user_change_data(client, analyst_user, sectors=["onderwijs", "jeugdhulp"])

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert set(analyst_user.sector_access.sectors) == {"onderwijs", "jeugdhulp"}


def test_an_administrator_cannot_touch_a_superuser_or_make_one(
    client, administrator_user, verified_login
):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    verified_login(client, administrator_user)

    change = reverse("admin:auth_user_change", args=[superuser.pk])
    assert client.post(change, {"username": "taken-over"}).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.get(password).status_code == 403

    own = client.get(reverse("admin:auth_user_change", args=[administrator_user.pk]))
    assert b'name="is_superuser"' not in own.content
