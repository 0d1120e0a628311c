"""The downloads page and the download view: who sees and fetches what.

Decided and documented in exports/permissions.py: staff see everything;
analysts see suppressed sector summaries made by the schedule or by
themselves (never raw data, unsuppressed summaries or another analyst's
requests); an export one may not see answers 404, so its existence is not
revealed; anonymous users go to the login page, other users get 403.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.accounts.models import AnalystSectorAccess
from meldcode_survey.accounts.roles import ANALYST
from meldcode_survey.exports.models import Download, Export
from meldcode_survey.exports.services import exports_delete_expired
from tests import factories

from .conftest import BIG_SECTOR, SMALL_SECTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(seed_version):
    """A finished export with a small file, without running a writer."""

    def _done(**fields) -> Export:
        fields = {"kind": "summary", "format": "csv", **fields}
        export = Export.objects.create(version=seed_version, **fields)
        content = f"export {export.pk}\r\n".encode()
        name = default_storage.save(
            f"exports/{export.pk}/x/file.csv", ContentFile(content)
        )
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.DONE,
            file=name,
            filename=export.base_filename(),
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            finished_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=30),
        )
        export.refresh_from_db()
        return export

    return _done


def _url(export: Export) -> str:
    return reverse("exports:download", args=[export.pk])


def test_anonymous_visitors_are_sent_to_the_login_page(client, done):
    export = done()
    for url in (reverse("exports:index"), _url(export)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Download.objects.exists()


def test_users_without_a_role_are_refused(client, outsider_user, done):
    export = done()
    client.force_login(outsider_user)
    assert client.get(reverse("exports:index")).status_code == 403
    assert client.get(_url(export)).status_code == 403
    assert client.post(reverse("exports:request"), {}).status_code == 403
    assert not Download.objects.exists()


def test_an_analyst_sees_scheduled_and_own_summaries_only(
    analyst_client, analyst_user, done
):
    other_analyst = factories.UserFactory(role=ANALYST)
    visible = [done(), done(requested_by=analyst_user, format="pdf")]
    hidden = [
        done(kind="raw"),
        done(kind="raw", format="sav", include_free_text=True),
        done(unsuppressed=True),
        done(requested_by=other_analyst),
    ]
    response = analyst_client.get(reverse("exports:index"))
    assert response.status_code == 200
    shown = {e.pk for e in response.context["exports"]}
    assert shown == {e.pk for e in visible}
    for export in visible:
        assert analyst_client.get(_url(export)).status_code == 200
    for export in hidden:
        assert analyst_client.get(_url(export)).status_code == 404
    assert Download.objects.filter(user=analyst_user).count() == len(visible)


def test_staff_see_and_download_every_export(staff_client, done, analyst_user):
    exports = [
        done(kind="raw", include_free_text=True),
        done(requested_by=analyst_user),
    ]
    response = staff_client.get(reverse("exports:index"))
    assert {e.pk for e in response.context["exports"]} == {e.pk for e in exports}
    for export in exports:
        assert staff_client.get(_url(export)).status_code == 200


def test_a_download_is_an_uncached_attachment_and_is_recorded(
    analyst_client, analyst_user, done
):
    export = done()
    response = analyst_client.get(_url(export))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert export.filename in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == export.sha256
    download = Download.objects.get()
    assert (download.user, download.export_id) == (analyst_user, export.pk)
    assert download.sha256 == export.sha256
    assert download.filename == export.filename


def test_files_are_not_served_under_a_public_url(staff_client, done):
    export = done()
    for url in (f"/{export.file.name}", f"/media/{export.file.name}"):
        assert staff_client.get(url).status_code == 404


def test_unfinished_and_expired_exports_cannot_be_downloaded(
    staff_client, done, seed_version
):
    queued = Export.objects.create(version=seed_version, kind="summary", format="pdf")
    assert staff_client.get(_url(queued)).status_code == 404
    expired = done()
    Export.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert exports_delete_expired() == 1
    assert staff_client.get(_url(expired)).status_code == 410
    assert not Download.objects.exists()


def test_the_page_refreshes_only_while_an_export_runs(staff_client, done, seed_version):
    done()
    assert (
        b'http-equiv="refresh"'
        not in staff_client.get(reverse("exports:index")).content
    )
    running = Export.objects.create(
        version=seed_version, kind="raw", format="csv", status="running", progress=40
    )
    content = staff_client.get(reverse("exports:index")).content.decode()
    assert 'http-equiv="refresh"' in content
    assert f'id="progress-{running.pk}"' in content
    assert 'value="40"' in content


def test_a_failed_export_shows_its_error(staff_client, seed_version):
    Export.objects.create(
        version=seed_version,
        kind="raw",
        format="sav",
        status="failed",
        error="OSError: No space left on device",
    )
    assert (
        b"No space left on device" in staff_client.get(reverse("exports:index")).content
    )


def test_an_analyst_requests_a_summary_now(
    analyst_client, analyst_user, seed_version, django_capture_on_commit_callbacks
):
    data = {
        "kind": "summary",
        "version": seed_version.pk,
        "sector": BIG_SECTOR,
        "format": "csv",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = analyst_client.post(reverse("exports:request"), data)
    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.requested_by, export.kind, export.sector) == (
        analyst_user,
        "summary",
        BIG_SECTOR,
    )
    assert export.status == Export.Status.QUEUED
    assert len(callbacks) == 1  # sent to the worker after commit


@pytest.mark.parametrize("extra", [{"kind": "raw", "format": "csv"}, {"format": "sav"}])
def test_an_analyst_cannot_request_raw_data(analyst_client, seed_version, extra):
    data = {"kind": "summary", "version": seed_version.pk, "format": "csv", **extra}
    assert analyst_client.post(reverse("exports:request"), data).status_code == 400
    assert not Export.objects.exists()


def test_staff_only_options_are_ignored_for_an_analyst(analyst_client, seed_version):
    data = {
        "kind": "summary",
        "version": seed_version.pk,
        "format": "csv",
        "unsuppressed": "on",
        "include_free_text": "on",
        "include_synthetic": "on",
    }
    assert analyst_client.post(reverse("exports:request"), data).status_code == 302
    export = Export.objects.get()
    assert export.kind == "summary"
    assert not (export.unsuppressed or export.include_free_text)
    assert not export.include_synthetic


def test_staff_request_raw_data_with_free_text(staff_client, seed_version):
    data = {
        "kind": "raw",
        "version": seed_version.pk,
        "format": "sav",
        "include_free_text": "on",
        "sector": "",
    }
    assert staff_client.post(reverse("exports:request"), data).status_code == 302
    export = Export.objects.get()
    assert (export.kind, export.format, export.include_free_text) == (
        "raw",
        "sav",
        True,
    )


def test_a_format_that_does_not_fit_the_kind_is_refused(staff_client, seed_version):
    data = {"kind": "raw", "version": seed_version.pk, "format": "pdf"}
    assert staff_client.post(reverse("exports:request"), data).status_code == 400
    assert not Export.objects.exists()


def test_an_analyst_limited_to_sectors_sees_and_requests_only_those(
    analyst_client, analyst_user, done, seed_version
):
    AnalystSectorAccess.objects.create(user=analyst_user, sectors=[BIG_SECTOR])
    mine = done(sector=BIG_SECTOR, with_all_sectors=False)
    with_all = done(sector=BIG_SECTOR)
    other, everything = done(sector=SMALL_SECTOR, with_all_sectors=False), done()
    response = analyst_client.get(reverse("exports:index"))
    assert {e.pk for e in response.context["exports"]} == {mine.pk}
    for refused in (with_all, other, everything):
        assert analyst_client.get(_url(refused)).status_code == 404
    data = {"kind": "summary", "version": seed_version.pk, "format": "csv"}
    for sector in (SMALL_SECTOR, ""):
        response = analyst_client.post(
            reverse("exports:request"), {**data, "sector": sector}
        )
        assert response.status_code == 400
    assert Export.objects.filter(requested_by__isnull=False).count() == 0
    # Their own sector's file is made without the figures of all sectors.
    analyst_client.post(reverse("exports:request"), {**data, "sector": BIG_SECTOR})
    requested = Export.objects.get(requested_by=analyst_user)
    assert (requested.sector, requested.with_all_sectors) == (BIG_SECTOR, False)


def test_analysts_see_no_error_details_of_a_failed_export(
    analyst_client, analyst_user, seed_version
):
    from meldcode_survey.exports.models import Export

    Export.objects.create(
        kind=Export.Kind.SUMMARY,
        version=seed_version,
        format=Export.Format.CSV,
        status=Export.Status.FAILED,
        error="OperationalError: /srv/meldcode/private/exports/1 SELECT secret",
        requested_by=analyst_user,
    )
    content = analyst_client.get("/downloads/").content.decode()
    assert "SELECT secret" not in content
    assert "kon niet worden gemaakt" in content


def _sector_file(sector: str, fmt: str, version) -> str:
    url = reverse("exports:sector_file", args=[sector, fmt])
    return f"{url}?version={version.pk}"


def test_a_sector_pages_file_link_downloads_the_newest_file(
    analyst_client, done, seed_version
):
    done(sector=BIG_SECTOR, format="pdf")
    newest = done(sector=BIG_SECTOR, format="pdf")
    done(sector=BIG_SECTOR, format="pdf", unsuppressed=True)  # staff only
    response = analyst_client.get(_sector_file(BIG_SECTOR, "pdf", seed_version))
    assert response.status_code == 302
    assert response["Location"] == _url(newest)


def test_without_a_file_the_link_opens_the_filled_in_request_form(
    analyst_client, seed_version
):
    response = analyst_client.get(
        _sector_file(BIG_SECTOR, "xlsx", seed_version), follow=True
    )
    form = response.context["form"]
    assert response.redirect_chain[0][0].startswith(reverse("exports:index"))
    assert form["sector"].value() == BIG_SECTOR
    assert form["format"].value() == "xlsx"
    assert str(form["version"].value()) == str(seed_version.pk)
    assert not Export.objects.exists()  # a GET starts no export


def test_the_file_link_keeps_to_the_analysts_sectors(
    analyst_client, analyst_user, done, seed_version
):
    from meldcode_survey.accounts.models import AnalystSectorAccess

    AnalystSectorAccess.objects.create(user=analyst_user, sectors=[BIG_SECTOR])
    done(sector=SMALL_SECTOR, format="csv")
    assert (
        analyst_client.get(_sector_file(SMALL_SECTOR, "csv", seed_version)).status_code
        == 404
    )
    assert (
        analyst_client.get(_sector_file("all", "csv", seed_version)).status_code == 404
    )
    assert (
        analyst_client.get(_sector_file(BIG_SECTOR, "sav", seed_version)).status_code
        == 404
    )


def test_xlsx_comes_first_in_the_format_list(analyst_client):
    form = analyst_client.get(reverse("exports:index")).context["form"]
    assert [value for value, _label in form.fields["format"].choices][0] == "xlsx"
