"""Each audited action, done the way the application does it: the service or the
admin page that does the thing records it (no model signals)."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey.accounts.models import AnalystSectorAccess
from meldcode_survey.accounts.roles import ANALYST, STAFF, roles_update
from meldcode_survey.audit import checks
from meldcode_survey.audit.models import Action, AuditEntry
from meldcode_survey.review import services as review
from tests import factories
from tests.conftest import user_change_data

pytestmark = pytest.mark.django_db

User = get_user_model()


def _entries(action: str, obj=None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=action).order_by("pk")
    if obj is not None:
        entries = entries.filter(object_id=str(obj.pk))
    return list(entries)


@pytest.fixture
def superuser_client(client, verified_login):
    root = factories.UserFactory(is_superuser=True, is_staff=True, username="root")
    return verified_login(client, root), root


# --- Users, roles and authenticator apps in the admin ------------------------


def test_a_user_added_in_the_admin_is_recorded(superuser_client):
    client, root = superuser_client

    client.post(reverse("admin:auth_user_add"), {"username": "nieuw"})

    user = User.objects.get(username="nieuw")
    entry = _entries(Action.USER_CREATED, user)[-1]
    assert entry.actor == root
    assert entry.details == {"is_staff": False, "is_superuser": False}


def test_a_users_fields_roles_permissions_and_sectors_changed_in_the_admin_are_recorded(
    superuser_client, seed_version
):
    client, root = superuser_client
    user = factories.UserFactory(username="collega")
    staff, _ = Group.objects.get_or_create(name=STAFF)
    permission = Permission.objects.get(codename="view_auditentry")
    data = user_change_data(client, user)
    data.update(
        {
            "is_staff": "on",
            "groups": [staff.pk],
            "user_permissions": [permission.pk],
            "sector_access-TOTAL_FORMS": "1",
            "sector_access-0-sectors": ["onderwijs"],
            "sector_access-0-user": user.pk,
        }
    )

    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)

    assert response.status_code == 302, response.context["errors"]
    changed = _entries(Action.USER_CHANGED, user)[-1]
    assert changed.actor == root
    assert changed.details == {
        "changes": {"is_staff": {"from": False, "to": True}},
        "permissions": {"added": ["audit.view_auditentry"]},
    }
    roles = _entries(Action.USER_ROLES_CHANGED, user)[-1]
    assert roles.details == {"added": [STAFF]}
    sectors = _entries(Action.USER_SECTORS_CHANGED, user)[-1]
    assert sectors.details == {"sectors": ["onderwijs"]}


def test_removing_a_role_and_the_sector_limit_in_the_admin_is_recorded(
    superuser_client, seed_version
):
    client, _root = superuser_client
    user = factories.UserFactory(role=ANALYST)
    access = AnalystSectorAccess.objects.create(user=user, sectors=["onderwijs"])
    data = user_change_data(client, user)
    data.update(
        {
            "groups": [],
            "sector_access-TOTAL_FORMS": "1",
            "sector_access-INITIAL_FORMS": "1",
            "sector_access-0-id": access.pk,
            "sector_access-0-user": user.pk,
            "sector_access-0-sectors": ["onderwijs"],
            "sector_access-0-DELETE": "on",
        }
    )

    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)

    assert response.status_code == 302, response.context["errors"]
    assert _entries(Action.USER_ROLES_CHANGED, user)[-1].details == {
        "removed": [ANALYST]
    }
    assert _entries(Action.USER_SECTORS_CHANGED, user)[-1].details == {"sectors": []}
    assert not _entries(Action.USER_CHANGED, user)


def test_saving_a_user_unchanged_in_the_admin_records_nothing(superuser_client):
    client, _root = superuser_client
    user = factories.UserFactory(role=STAFF)
    before = AuditEntry.objects.count()

    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        user_change_data(client, user),
    )

    assert response.status_code == 302, response.context["errors"]
    assert AuditEntry.objects.count() == before


def test_a_password_set_in_the_admin_is_recorded_as_changed(superuser_client):
    client, root = superuser_client
    user = factories.UserFactory()
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    new = "a fresh and long passphrase"

    response = client.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )

    assert response.status_code == 302
    entry = _entries(Action.USER_CHANGED, user)[-1]
    assert (entry.actor, entry.details) == (root, {"changes": {"password": "changed"}})


def test_changing_ones_own_password_on_the_admin_page_is_recorded(superuser_client):
    client, root = superuser_client
    new = "another fresh passphrase"

    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": new,
            "new_password2": new,
        },
    )

    assert response.status_code == 302
    entry = _entries(Action.USER_CHANGED, root)[-1]
    assert (entry.actor, entry.details) == (root, {"changes": {"password": "changed"}})


def test_users_deleted_in_the_admin_are_recorded(superuser_client):
    client, root = superuser_client
    one, two, three = (factories.UserFactory() for _ in range(3))

    client.post(reverse("admin:auth_user_delete", args=[one.pk]), {"post": "yes"})
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk]},
    )
    client.post(
        reverse("admin:auth_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [two.pk, three.pk],
            "post": "yes",
        },
    )

    assert not User.objects.filter(pk__in=[one.pk, two.pk, three.pk]).exists()
    deleted = _entries(Action.USER_DELETED)
    assert {e.details["username"] for e in deleted} == {
        one.username,
        two.username,
        three.username,
    }
    assert all(e.actor == root for e in deleted)


def test_roles_added_changed_and_deleted_in_the_admin_are_recorded(superuser_client):
    client, root = superuser_client
    view = Permission.objects.get(codename="view_auditentry")
    other = Permission.objects.get(codename="view_export")

    client.post(
        reverse("admin:auth_group_add"), {"name": "lezer", "permissions": [view.pk]}
    )
    role = Group.objects.get(name="lezer")
    client.post(
        reverse("admin:auth_group_change", args=[role.pk]),
        {"name": "lezers", "permissions": [other.pk]},
    )
    client.post(reverse("admin:auth_group_delete", args=[role.pk]), {"post": "yes"})

    assert [e.details for e in _entries(Action.ROLE_CHANGED, role)] == [
        {"created": True, "permissions": {"added": ["audit.view_auditentry"]}},
        {
            "name": {"from": "lezer", "to": "lezers"},
            "permissions": {
                "added": ["exports.view_export"],
                "removed": ["audit.view_auditentry"],
            },
        },
        {"deleted": True},
    ]
    assert all(e.actor == root for e in _entries(Action.ROLE_CHANGED, role))


def test_an_authenticator_app_removed_in_the_admin_is_recorded(superuser_client):
    client, root = superuser_client
    user = factories.UserFactory(role=STAFF)
    device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)

    response = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    entry = _entries(Action.OTP_RESET, user)[-1]
    assert (entry.actor, entry.details) == (root, {"device": "telefoon"})


def _device_form(client, url: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    return {k: v for k, v in values.items() if v is not None and v is not False}


def test_an_authenticator_app_added_or_moved_in_the_admin_is_recorded(
    superuser_client,
):
    client, root = superuser_client
    user, other = factories.UserFactory(role=STAFF), factories.UserFactory(role=STAFF)
    add = reverse("admin:otp_totp_totpdevice_add")
    data = {**_device_form(client, add), "user": user.pk, "name": "telefoon"}

    assert client.post(add, {**data, "confirmed": "on"}).status_code == 302

    device = TOTPDevice.objects.get(user=user)
    [added] = _entries(Action.OTP_ENROLLED, user)
    assert (added.actor, added.details) == (
        root,
        {"device": "telefoon", "confirmed": True, "via": "admin"},
    )
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    data = {**_device_form(client, change), "user": other.pk, "confirmed": "on"}

    assert client.post(change, data).status_code == 302

    [moved] = _entries(Action.OTP_ENROLLED, other)
    assert moved.details["changed"] == ["user"]
    assert device.key not in json.dumps(moved.details)


# --- Users and roles outside the admin ----------------------------------------


def test_choosing_a_password_through_an_invitation_is_recorded(client):
    from meldcode_survey.accounts.invitations import invitation_path

    user = factories.UserFactory(role=STAFF, password=None)
    user.set_unusable_password()
    user.save()
    page = client.get(invitation_path(user), follow=True)
    new = "a long and new passphrase"

    client.post(
        page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )

    entry = _entries(Action.USER_CHANGED, user)[-1]
    assert (entry.actor, entry.details) == (user, {"changes": {"password": "changed"}})


def test_an_invitation_made_by_the_command_is_recorded(capsys):
    """The invitation a superuser made with createsuperuser needs next."""
    user = factories.UserFactory()

    call_command("invite", user.username)

    entry = _entries(Action.USER_CHANGED, user)[-1]
    assert entry.details == {"invitation_sent": True, "emailed": False}


def test_demo_accounts_are_recorded_with_their_role(capsys):
    call_command("create_demo_accounts")

    staff = User.objects.get(username="demo-staff")
    assert _entries(Action.USER_CREATED, staff)
    assert _entries(Action.USER_ROLES_CHANGED, staff)[-1].details == {"added": [STAFF]}


def test_roles_update_records_a_new_role_and_the_permissions_it_gets():
    Group.objects.filter(name=STAFF).delete()

    roles_update()

    staff = Group.objects.get(name=STAFF)
    created, permissions = _entries(Action.ROLE_CHANGED, staff)
    assert created.details == {"created": True}
    assert "review.view_coding" in permissions.details["permissions"]["added"]
    roles_update()
    assert len(_entries(Action.ROLE_CHANGED, staff)) == 2  # nothing new: no entry


# --- Questionnaire versions ----------------------------------------------------


def test_a_version_added_in_the_admin_is_recorded(staff_client, staff_user):
    questionnaire = factories.QuestionnaireFactory()

    response = staff_client.post(
        reverse("admin:questionnaires_version_add"),
        {
            "questionnaire": questionnaire.pk,
            "number": 1,
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
            "scales-TOTAL_FORMS": "0",
            "scales-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    version = questionnaire.versions.get()
    entry = _entries(Action.QUESTIONNAIRE_VERSION_CREATED, version)[-1]
    assert entry.actor == staff_user
    assert entry.details == {"questionnaire": questionnaire.slug, "number": 1}


# --- Final codings and redactions ------------------------------------------------


def test_final_codings_set_and_withdrawn_are_recorded(seed_version, staff_user):
    codebook = seed_version.questionnaire.codebook
    codebook.double_coding_percent = 0
    codebook.save()
    narrative = factories.CaseNarrativeFactory(response__version=seed_version)
    second = factories.UserFactory(role=STAFF)

    review.coding_save(
        narrative=narrative, coder=staff_user, codes=[], has_dilemma=True
    )
    review.coding_save(
        narrative=narrative,
        coder=staff_user,
        codes=[],
        has_dilemma=True,
        wants_second_coding=True,
    )

    finals = _entries(Action.FINAL_CODING_CHANGED)
    assert [e.details for e in finals] == [
        {"narrative": narrative.pk, "method": "single", "has_dilemma": True},
        {"narrative": narrative.pk, "withdrawn": True},
    ]
    assert finals[0].object_id == finals[1].object_id != ""
    assert [e.actor for e in finals] == [staff_user, staff_user]  # whose coding
    review.coding_save(narrative=narrative, coder=second, codes=[], has_dilemma=True)
    agreed = _entries(Action.FINAL_CODING_CHANGED)[-1]
    assert (agreed.details["method"], agreed.actor) == ("agreed", second)


def test_redaction_writes_approvals_and_examples_are_recorded(
    seed_version, staff_user, django_capture_on_commit_callbacks
):
    narrative = factories.CaseNarrativeFactory(response__version=seed_version)
    approver = factories.UserFactory(role=STAFF, is_superuser=True)
    texts = {"description": "Een situatie zonder namen."}

    with django_capture_on_commit_callbacks(execute=False):
        redaction = review.redaction_save(
            narrative=narrative, writer=staff_user, texts=texts
        )
        review.redaction_save(
            narrative=narrative, writer=staff_user, texts={"description": "Anders."}
        )
    redaction.refresh_from_db()
    redaction.flags = {}
    redaction.screened_at = timezone.now()
    redaction.save()
    review.redaction_approve(redaction=redaction, approver=approver)
    review.redaction_set_example(redaction=redaction, is_example=True, user=approver)

    entries = _entries(Action.REDACTION_CHANGED, redaction)
    assert [e.actor for e in entries] == [staff_user, staff_user, approver, approver]
    details = [e.details for e in entries]
    assert details == [
        {"narrative": narrative.pk, "created": True, "fields": None},
        {"narrative": narrative.pk, "created": False, "fields": None},
        {
            "narrative": narrative.pk,
            "created": False,
            "fields": ["approved_at", "approved_by"],
        },
        {"narrative": narrative.pk, "created": False, "fields": ["is_example"]},
    ]


# --- The system check -------------------------------------------------------------


def test_the_check_fails_when_an_audited_admin_does_not_write_the_log(monkeypatch):
    assert checks.audited_admins() == []
    registered = admin.site.get_model_admin(Group)
    monkeypatch.setitem(
        admin.site._registry, Group, admin.ModelAdmin(Group, admin.site)
    )

    errors = checks.audited_admins()

    assert [e.id for e in errors] == ["audit.E002"]
    assert "auth.Group" in errors[0].msg
    assert isinstance(registered, checks.AuditedAdminMixin)


def test_the_check_fails_when_an_audited_model_is_missing(monkeypatch):
    monkeypatch.setattr(
        checks, "AUDITED_IN_ADMIN", (*checks.AUDITED_IN_ADMIN, "review.Renamed")
    )

    assert [e.id for e in checks.audited_admins()] == ["audit.E001"]
