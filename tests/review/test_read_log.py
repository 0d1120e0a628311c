import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meldcode_survey.accounts.roles import ADMINISTRATOR
from meldcode_survey.review.models import NarrativeRead
from meldcode_survey.review.services import coding_save
from tests import factories


def _reads():
    return list(NarrativeRead.objects.values_list("user_id", "narrative_id", "purpose"))


@pytest.mark.parametrize(
    ("url_name", "purpose"),
    [
        ("review:narrative", NarrativeRead.Purpose.CODE),
        ("review:redaction", NarrativeRead.Purpose.REDACT),
    ],
)
def test_every_page_showing_the_text_records_a_read(
    staff_client, staff_user, narrative, url_name, purpose
):
    page = staff_client.get(reverse(url_name, args=[narrative.pk]))

    assert narrative.description in page.content.decode()
    assert _reads() == [(staff_user.pk, narrative.pk, purpose)]
    read = NarrativeRead.objects.get()
    assert read.read_at is not None


def test_resolve_page_records_a_read(
    client, narrative, codes, staff_user, third_staff, login_as
):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )
    login_as(third_staff)

    client.get(reverse("review:resolve", args=[narrative.pk]))

    assert _reads() == [(third_staff.pk, narrative.pk, "resolve")]


def test_each_view_is_a_new_read(staff_client, narrative):
    url = reverse("review:narrative", args=[narrative.pk])
    staff_client.get(url)
    staff_client.get(url)

    assert NarrativeRead.objects.count() == 2


def test_list_shows_no_text_and_records_no_read(staff_client, narrative):
    page = staff_client.get(reverse("review:index"))

    assert page.status_code == 200
    assert narrative.description not in page.content.decode()
    assert not NarrativeRead.objects.exists()


def test_a_purged_narrative_shows_no_text_and_records_no_read(
    staff_client, make_narrative
):
    narrative = make_narrative(texts_purged_on=datetime.date(2026, 1, 1))

    page = staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert page.status_code == 200
    assert page.context["purged"] is True
    assert narrative.description not in page.content.decode()
    assert not NarrativeRead.objects.exists()


def test_reads_pages_are_never_cached(staff_client, narrative):
    page = staff_client.get(reverse("review:narrative", args=[narrative.pk]))

    assert "no-store" in page["Cache-Control"]


def test_the_read_log_cannot_be_changed(staff_client, narrative):
    staff_client.get(reverse("review:narrative", args=[narrative.pk]))
    read = NarrativeRead.objects.get()
    read.purpose = NarrativeRead.Purpose.REDACT

    with pytest.raises(ValidationError):
        read.save()


def test_reads_survive_the_deletion_of_the_narrative(staff_client, narrative):
    staff_client.get(reverse("review:narrative", args=[narrative.pk]))
    pk = narrative.pk

    narrative.response.delete()

    assert NarrativeRead.objects.get().narrative_id == pk


# --- Visible to administrators in the admin, read-only -------------------------


@pytest.fixture
def superuser(db):
    return factories.UserFactory(is_staff=True, is_superuser=True)


def test_superuser_sees_the_read_log_in_the_admin(
    client, superuser, staff_client, staff_user, narrative, login_as
):
    staff_client.get(reverse("review:narrative", args=[narrative.pk]))
    login_as(superuser)

    page = client.get(reverse("admin:review_narrativeread_changelist"))

    assert page.status_code == 200
    assert staff_user.username in page.content.decode()
    # Searching by case number works and never breaks on other input.
    found = client.get(
        reverse("admin:review_narrativeread_changelist"), {"q": str(narrative.pk)}
    )
    assert found.status_code == 200
    assert (
        client.get(
            reverse("admin:review_narrativeread_changelist"), {"q": "abc"}
        ).status_code
        == 200
    )


def test_administrator_group_sees_the_read_log(client, narrative, login_as):
    admin = factories.UserFactory(role=ADMINISTRATOR, is_staff=True)
    login_as(admin)

    page = client.get(reverse("admin:review_narrativeread_changelist"))

    assert page.status_code == 200


def test_staff_do_not_see_the_read_log(staff_client):
    page = staff_client.get(reverse("admin:review_narrativeread_changelist"))

    assert page.status_code == 403


def test_nobody_adds_changes_or_deletes_reads_in_the_admin(
    client, superuser, staff_client, narrative, login_as
):
    staff_client.get(reverse("review:narrative", args=[narrative.pk]))
    read = NarrativeRead.objects.get()
    login_as(superuser)

    add = client.get(reverse("admin:review_narrativeread_add"))
    change = client.post(
        reverse("admin:review_narrativeread_change", args=[read.pk]),
        {"purpose": "redact"},
    )
    delete = client.post(
        reverse("admin:review_narrativeread_delete", args=[read.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert NarrativeRead.objects.get().purpose == "code"
