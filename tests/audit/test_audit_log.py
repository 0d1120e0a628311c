import pytest
from django.urls import reverse

from meldcode_survey import audit
from meldcode_survey.audit.models import Action, AuditEntry, AuditLogIsAppendOnly
from meldcode_survey.questionnaires.services import version_copy, version_publish
from tests import factories

pytestmark = pytest.mark.django_db


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_record_stores_who_what_which_object_and_details(staff_user):
    narrative = factories.CaseNarrativeFactory()

    entry = audit.record(staff_user, Action.NARRATIVE_READ, narrative, purpose="code")

    entry.refresh_from_db()
    assert entry.actor == staff_user
    assert entry.actor_username == staff_user.username
    assert entry.object_type == "responses.casenarrative"
    assert entry.object_id == str(narrative.pk)
    assert entry.details == {"purpose": "code"}
    assert entry.created_at is not None


def test_a_stored_entry_cannot_be_changed_or_deleted(staff_user):
    entry = audit.record(staff_user, Action.LOGIN)

    entry.action = Action.LOGOUT
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action=Action.LOGOUT)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.action == Action.LOGIN


def test_entries_outlive_the_user_who_made_them(staff_user):
    audit.record(staff_user, Action.LOGIN)
    username = staff_user.username

    staff_user.delete()

    entry = AuditEntry.objects.filter(action=Action.LOGIN).get()
    assert entry.actor_username == username


def test_a_login_that_only_updates_last_login_is_not_a_user_change(client):
    user = factories.UserFactory()
    before = len(_entries(Action.USER_CHANGED))

    client.force_login(user)

    assert len(_entries(Action.USER_CHANGED)) == before
    assert _entries(Action.LOGIN)[-1].actor == user


def test_publishing_and_new_versions_are_recorded(seed_version):
    published = _entries(Action.QUESTIONNAIRE_PUBLISHED)
    assert published[-1].object_id == str(seed_version.pk)

    draft = version_copy(seed_version)
    created = _entries(Action.QUESTIONNAIRE_VERSION_CREATED)[-1]
    assert created.object_id == str(draft.pk)
    assert created.details["number"] == draft.number

    version_publish(draft)
    assert _entries(Action.QUESTIONNAIRE_PUBLISHED)[-1].object_id == str(draft.pk)


def test_reading_a_narrative_in_the_review_pages_is_recorded(staff_client, staff_user):
    narrative = factories.CaseNarrativeFactory()

    response = staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert response.status_code == 200
    entry = _entries(Action.NARRATIVE_READ)[-1]
    assert entry.actor == staff_user
    assert entry.object_id == str(narrative.pk)


def test_coding_changes_are_recorded(staff_user):
    from meldcode_survey.review.services import coding_save

    narrative = factories.CaseNarrativeFactory()

    coding = coding_save(
        narrative=narrative, coder=staff_user, codes=[], has_dilemma=True
    )
    coding_save(narrative=narrative, coder=staff_user, codes=[], has_dilemma=False)

    entries = [
        e for e in _entries(Action.CODING_CHANGED) if e.object_id == str(coding.pk)
    ]
    assert [e.details["has_dilemma"] for e in entries] == [True, False]
    assert all(e.actor == staff_user for e in entries)
    assert entries[0].details["narrative"] == narrative.pk


def test_export_requests_and_downloads_are_recorded(
    staff_user, seed_version, django_capture_on_commit_callbacks
):
    from meldcode_survey.exports.models import Export
    from meldcode_survey.exports.services import (
        ExportSpec,
        export_download_record,
        export_request,
    )

    spec = ExportSpec(
        kind=Export.Kind.SUMMARY, version=seed_version, format=Export.Format.CSV
    )
    with django_capture_on_commit_callbacks(execute=False):
        export = export_request(spec=spec, user=staff_user)
    export_download_record(export=export, user=staff_user)

    requested = _entries(Action.EXPORT_REQUESTED)[-1]
    assert (requested.actor, requested.object_id) == (staff_user, str(export.pk))
    assert requested.details["scheduled"] is False
    downloaded = _entries(Action.EXPORT_DOWNLOADED)[-1]
    assert (downloaded.actor, downloaded.details["export"]) == (staff_user, export.pk)


def test_login_failures_are_recorded_with_the_username_tried(client):
    factories.UserFactory(username="someone")

    client.post(reverse("login"), {"username": "someone", "password": "wrong"})

    assert _entries(Action.LOGIN_FAILED)[-1].details == {"username": "someone"}


# --- The admin ----------------------------------------------------------------


def _changelist() -> str:
    return reverse("admin:audit_auditentry_changelist")


def test_administrators_can_filter_the_log_in_the_admin(
    client, administrator_user, verified_login
):
    audit.record(administrator_user, Action.LOGIN)
    audit.record(None, Action.LOGIN_FAILED, username="x")
    verified_login(client, administrator_user)

    page = client.get(_changelist(), {"action__exact": Action.LOGIN_FAILED})

    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert shown and all(e.action == Action.LOGIN_FAILED for e in shown)


def test_nobody_can_add_change_or_delete_entries_in_the_admin(
    client, administrator_user, verified_login
):
    administrator_user.is_superuser = True
    administrator_user.save()
    entry = audit.record(administrator_user, Action.LOGIN)
    verified_login(client, administrator_user)
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])

    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(change).status_code == 200  # read-only view
    assert b'name="action"' not in client.get(change).content
    assert client.post(change, {"action": "auth.logout"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == Action.LOGIN


def test_staff_and_analysts_cannot_read_the_audit_log(staff_client):
    assert staff_client.get(_changelist()).status_code == 403
