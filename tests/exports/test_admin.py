"""Exports and the download log in the admin: read only, with two actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meldcode_survey.exports.models import Download, Export

pytestmark = pytest.mark.django_db


def test_staff_read_exports_and_the_download_log(
    staff_client, seed_version, staff_user
):
    export = Export.objects.create(version=seed_version, kind="raw", format="sav")
    Download.objects.create(export=export, user=staff_user, filename="f", sha256="0")
    for url in (
        reverse("admin:exports_export_changelist"),
        reverse("admin:exports_export_change", args=[export.pk]),
        reverse("admin:exports_download_changelist"),
    ):
        assert staff_client.get(url).status_code == 200
    assert staff_client.get(reverse("admin:exports_export_add")).status_code == 403
    assert staff_client.get(reverse("admin:exports_download_add")).status_code == 403


def test_staff_queue_a_failed_export_again_from_the_admin(
    staff_client, seed_version, django_capture_on_commit_callbacks
):
    failed = Export.objects.create(
        version=seed_version, kind="raw", format="csv", status="failed", error="x"
    )
    done = Export.objects.create(
        version=seed_version, kind="raw", format="csv", status="done", sha256="a"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            reverse("admin:exports_export_changelist"),
            {"action": "queue_again", "_selected_action": [failed.pk, done.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.error) == (Export.Status.QUEUED, "")
    assert done.status == Export.Status.DONE
    assert len(callbacks) == 1
