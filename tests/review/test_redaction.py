import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review.models import Redaction
from meldcode_survey.review.queries import approved_examples
from meldcode_survey.review.services import (
    redaction_approve,
    redaction_save,
    redaction_set_example,
)
from tests import factories


def _saved(**kwargs):
    """save_redaction, then a clean thorough screening (these tests are about
    the other rules; tests/review/test_screening_gate.py is about screening)."""
    return factories.screened_clean(redaction_save(**kwargs))


REDACTED = {
    "description": "Een kind kwam vaak hongerig binnen.",
    "dilemma": "Is dit ernstig genoeg?",
    "follow_up": "Gesprek met ouders.",
}


@pytest.fixture
def flagged(make_narrative):
    text = "Jan de Vries (3) kwam vaak hongerig binnen."
    return make_narrative(
        description=text,
        screening_flags={
            "description": [
                {"kind": "name", "start": 0, "end": 12, "fragment": "Jan de Vries"}
            ]
        },
    )


def _snapshot(narrative):
    stored = CaseNarrative.objects.get(pk=narrative.pk)
    return {
        field: getattr(stored, field)
        for field in (
            "description",
            "dilemma",
            "follow_up",
            "has_dilemma",
            "screening_flags",
        )
    }


def test_redaction_leaves_the_original_intact(flagged, staff_user, second_coder):
    before = _snapshot(flagged)

    redaction = _saved(narrative=flagged, writer=staff_user, texts=REDACTED)
    redaction_approve(redaction=redaction, approver=second_coder)
    redaction_set_example(redaction=redaction, is_example=True, user=second_coder)

    assert _snapshot(flagged) == before
    assert Redaction.objects.get().description == REDACTED["description"]


def test_writer_cannot_approve_their_own_redaction(narrative, staff_user):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)

    with pytest.raises(ValidationError):
        redaction_approve(redaction=redaction, approver=staff_user)
    assert not Redaction.objects.get().is_approved


def test_database_refuses_self_approval(narrative, staff_user):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Redaction.objects.filter(pk=redaction.pk).update(
            approved_by=staff_user, approved_at=timezone.now()
        )


def test_approving_needs_the_approve_permission(narrative, staff_user):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)

    with pytest.raises(PermissionDenied):
        redaction_approve(redaction=redaction, approver=factories.UserFactory())


def test_unapproved_redaction_cannot_be_an_example(narrative, staff_user):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)

    with pytest.raises(ValidationError):
        redaction_set_example(redaction=redaction, is_example=True, user=staff_user)
    # Below the service too: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Redaction.objects.filter(pk=redaction.pk).update(is_example=True)
    assert not Redaction.objects.get().is_example


def test_model_validation_refuses_an_unapproved_example(narrative, staff_user):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)
    redaction.is_example = True

    with pytest.raises(ValidationError):
        redaction.full_clean()


def test_unredacted_narrative_is_never_an_example(narrative, seed_version, staff_user):
    # No redaction exists, so there is nothing to mark: the original never shows.
    assert approved_examples(version_ids=[seed_version.pk]) == []
    assert not Redaction.objects.filter(narrative=narrative).exists()


def test_an_example_without_redacted_description_is_refused(
    narrative, staff_user, second_coder
):
    texts = {**REDACTED, "description": ""}
    redaction = _saved(narrative=narrative, writer=staff_user, texts=texts)
    redaction_approve(redaction=redaction, approver=second_coder)

    with pytest.raises(ValidationError):
        redaction_set_example(redaction=redaction, is_example=True, user=second_coder)


def test_changing_an_approved_example_withdraws_approval_and_example(
    narrative, staff_user, second_coder
):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)
    redaction_approve(redaction=redaction, approver=second_coder)
    redaction_set_example(redaction=redaction, is_example=True, user=second_coder)

    redaction_save(
        narrative=narrative,
        writer=second_coder,
        texts={**REDACTED, "follow_up": "Melding gedaan."},
    )

    redaction.refresh_from_db()
    assert redaction.written_by == second_coder
    assert not redaction.is_approved
    assert not redaction.is_example
    assert not redaction.is_screened  # the new texts are screened anew
    # Now the first writer may approve the second writer's version.
    factories.screened_clean(redaction)
    redaction_approve(redaction=redaction, approver=staff_user)


def test_saving_unchanged_texts_keeps_the_approval(narrative, staff_user, second_coder):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)
    redaction_approve(redaction=redaction, approver=second_coder)

    redaction_save(narrative=narrative, writer=second_coder, texts=dict(REDACTED))

    redaction.refresh_from_db()
    assert redaction.is_approved
    assert redaction.written_by == staff_user


# --- The pages ----------------------------------------------------------------


def test_redaction_page_starts_from_the_original_and_saves(
    client, flagged, staff_user, second_coder, login_as
):
    login_as(staff_user)
    url = reverse("review:redaction", args=[flagged.pk])

    page = client.get(url)

    assert page.context["form"].initial["description"] == flagged.description
    assert '<mark class="screening-flag" data-kind="name">Jan de Vries</mark>' in (
        page.content.decode()
    )
    response = client.post(url, REDACTED)
    assert response.status_code == 302
    assert Redaction.objects.get().written_by == staff_user
    assert _snapshot(flagged)["description"].startswith("Jan de Vries")


def test_four_eyes_and_example_through_the_pages(
    client, narrative, staff_user, second_coder, seed_version, login_as
):
    _saved(narrative=narrative, writer=staff_user, texts=REDACTED)
    approve_url = reverse("review:redaction_approve", args=[narrative.pk])
    example_url = reverse("review:redaction_example", args=[narrative.pk])

    login_as(staff_user)
    assert (
        client.get(reverse("review:redaction", args=[narrative.pk])).context[
            "can_approve"
        ]
        is False
    )
    client.post(approve_url)
    client.post(example_url, {"is_example": "1"})
    assert not Redaction.objects.get().is_approved
    assert not Redaction.objects.get().is_example

    login_as(second_coder)
    client.post(approve_url)
    client.post(example_url, {"is_example": "1"})

    redaction = Redaction.objects.get()
    assert redaction.approved_by == second_coder
    assert redaction.is_example
    [example] = approved_examples(version_ids=[seed_version.pk])
    assert example.description == REDACTED["description"]
    assert example.description != narrative.description


def test_example_can_be_withdrawn(
    client, narrative, staff_user, second_coder, login_as
):
    redaction = _saved(narrative=narrative, writer=staff_user, texts=REDACTED)
    redaction_approve(redaction=redaction, approver=second_coder)
    redaction_set_example(redaction=redaction, is_example=True, user=second_coder)
    login_as(staff_user)

    client.post(
        reverse("review:redaction_example", args=[narrative.pk]), {"is_example": "0"}
    )

    assert not Redaction.objects.get().is_example


def test_redaction_page_warns_about_details_the_screening_still_finds(
    client, login_as, narrative, staff_user
):
    redaction_save(
        narrative=narrative,
        writer=staff_user,
        texts={**REDACTED, "follow_up": "Moeder gebeld op 06-12345678."},
    )
    login_as(staff_user)

    page = client.get(reverse("review:redaction", args=[narrative.pk]))

    # Before the thorough screening has run, the quick one's findings show.
    [flag] = page.context["still_identifying"]
    assert flag.fragment == "06-12345678"
