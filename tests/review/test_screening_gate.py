"""Approval and example status wait for a clean thorough screening.

The end-to-end path (marked `deduce`) goes through the respondent's submit and
the staff pages with the real screening; the other tests store screening
results directly, so that the rules are also tested without deduce.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.audit.models import Action, AuditEntry
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review import services
from meldcode_survey.review.models import FlagDismissal, Redaction
from meldcode_survey.review.queries import approved_examples
from meldcode_survey.review.services import (
    redaction_approve,
    redaction_flag_dismiss,
    redaction_save,
    redaction_screen,
    redaction_set_example,
)
from tests import factories
from tests.conftest import celery_in_process, complete_answers

BSN_TEXT = "Het BSN van het kind is 111222333."
BSN_FLAG = {"kind": "bsn", "start": 24, "end": 33, "fragment": "111222333"}
CLEAN = {
    "description": "Het kind kwam vaak hongerig binnen.",
    "dilemma": "",
    "follow_up": "",
}


@pytest.fixture(autouse=True)
def eager_celery():
    """Screening tasks run in-process here, also in CI where REDIS_URL is set."""
    with celery_in_process():
        yield


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _flagged(narrative, writer, flags=None):
    """A redaction of BSN_TEXT that the screening found the BSN in."""
    redaction = redaction_save(
        narrative=narrative,
        writer=writer,
        texts={"description": BSN_TEXT, "dilemma": "", "follow_up": ""},
    )
    Redaction.objects.filter(pk=redaction.pk).update(
        flags={"description": [BSN_FLAG]} if flags is None else flags,
        screened_at=timezone.now(),
    )
    redaction.refresh_from_db()
    return redaction


# --- End to end, with deduce -----------------------------------------------------


@pytest.fixture
def bsn_narrative(seed_version, submit_now):
    """A narrative submitted through the respondent's path, screened after commit."""
    response = submit_now(seed_version, complete_answers(casus_voorbeeld=BSN_TEXT))
    return CaseNarrative.objects.get(response=response)


def _save_prefilled_form(client, narrative):
    """Post the redaction form exactly as the page fills it in (unchanged)."""
    url = reverse("review:redaction", args=[narrative.pk])
    initial = client.get(url).context["form"].initial
    return client.post(url, {f: initial.get(f, "") for f in CLEAN})


@pytest.mark.deduce
def test_unchanged_redaction_of_a_bsn_is_refused_until_redacted(
    client,
    login_as,
    bsn_narrative,
    staff_user,
    second_coder,
    seed_version,
    django_capture_on_commit_callbacks,
):
    assert bsn_narrative.thorough_screened_at is not None
    login_as(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        _save_prefilled_form(client, bsn_narrative)
    redaction = Redaction.objects.get(narrative=bsn_narrative)
    assert redaction.description == BSN_TEXT
    assert redaction.is_screened
    assert [f.fragment for _field, f in redaction.open_flags()] == ["111222333"]

    login_as(second_coder)
    page = client.get(reverse("review:redaction", args=[bsn_narrative.pk]))
    assert [f.fragment for f in page.context["still_identifying"]] == ["111222333"]
    approve = client.post(reverse("review:redaction_approve", args=[bsn_narrative.pk]))
    assert "nog herleidbare gegevens" in _messages(approve)
    example = client.post(
        reverse("review:redaction_example", args=[bsn_narrative.pk]),
        {"is_example": "1"},
    )
    redaction.refresh_from_db()
    assert not redaction.is_approved and not redaction.is_example
    assert "goedgekeurde" in _messages(example)
    assert approved_examples(version_ids=[seed_version.pk]) == []

    # A real redaction, written by the first staff member, is screened anew.
    login_as(staff_user)
    url = reverse("review:redaction", args=[bsn_narrative.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**CLEAN, "description": "Het BSN van het kind is bekend."})
    redaction.refresh_from_db()
    assert redaction.is_screened and redaction.open_flags() == []

    login_as(second_coder)
    client.post(reverse("review:redaction_approve", args=[bsn_narrative.pk]))
    client.post(
        reverse("review:redaction_example", args=[bsn_narrative.pk]),
        {"is_example": "1"},
    )
    redaction.refresh_from_db()
    assert redaction.is_approved and redaction.is_example
    [shown] = approved_examples(version_ids=[seed_version.pk])
    assert "111222333" not in shown.description


@pytest.mark.deduce
def test_unchanged_redaction_passes_after_an_explicit_dismissal(
    client,
    login_as,
    bsn_narrative,
    staff_user,
    second_coder,
    django_capture_on_commit_callbacks,
):
    login_as(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        _save_prefilled_form(client, bsn_narrative)
    dismiss_url = reverse("review:redaction_dismiss", args=[bsn_narrative.pk])
    flag = {"field": "description", "kind": "bsn", "fragment": "111222333"}

    login_as(second_coder)
    refused = client.post(dismiss_url, {**flag, "reason": "   "})
    assert "Geef een reden" in _messages(refused)
    assert not FlagDismissal.objects.exists()

    client.post(dismiss_url, {**flag, "reason": "Fictief nummer uit een voorbeeld."})
    client.post(reverse("review:redaction_approve", args=[bsn_narrative.pk]))
    client.post(
        reverse("review:redaction_example", args=[bsn_narrative.pk]),
        {"is_example": "1"},
    )

    redaction = Redaction.objects.get(narrative=bsn_narrative)
    assert redaction.is_approved and redaction.is_example
    entry = AuditEntry.objects.get(action=Action.SCREENING_FLAG_DISMISSED)
    assert entry.actor == second_coder
    assert entry.details["reason"] == "Fictief nummer uit een voorbeeld."
    assert "111222333" not in str(entry.details)


# --- The rules, without deduce ---------------------------------------------------


def test_approval_waits_for_the_screening(narrative, staff_user, second_coder):
    redaction = redaction_save(narrative=narrative, writer=staff_user, texts=CLEAN)
    assert not redaction.is_screened

    with pytest.raises(ValidationError) as refused:
        redaction_approve(redaction=redaction, approver=second_coder)
    assert refused.value.code == "not_screened"
    factories.screened_clean(redaction)
    redaction_approve(redaction=redaction, approver=second_coder)


def test_open_flag_refuses_approval_and_example(narrative, staff_user, second_coder):
    redaction = _flagged(narrative, staff_user)

    with pytest.raises(ValidationError) as refused:
        redaction_approve(redaction=redaction, approver=second_coder)
    assert refused.value.code == "still_identifying"
    # Even an approval from before the screening cannot become an example.
    Redaction.objects.filter(pk=redaction.pk).update(
        approved_by=second_coder, approved_at=timezone.now()
    )
    with pytest.raises(ValidationError):
        redaction_set_example(redaction=redaction, is_example=True, user=second_coder)
    assert not Redaction.objects.get(pk=redaction.pk).is_example


def test_dismissed_flag_no_longer_blocks(narrative, staff_user, second_coder):
    redaction = _flagged(narrative, staff_user)

    redaction_flag_dismiss(
        redaction=redaction,
        user=second_coder,
        field="description",
        kind="bsn",
        fragment="111222333",
        reason="Fictief",
    )

    assert redaction.open_flags() == []
    redaction_approve(redaction=redaction, approver=second_coder)
    redaction_set_example(redaction=redaction, is_example=True, user=second_coder)


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_dismissal_needs_a_reason(narrative, staff_user, reason):
    redaction = _flagged(narrative, staff_user)

    with pytest.raises(ValidationError) as refused:
        redaction_flag_dismiss(
            redaction=redaction,
            user=staff_user,
            field="description",
            kind="bsn",
            fragment="111222333",
            reason=reason,
        )
    assert refused.value.code == "no_reason"
    assert not FlagDismissal.objects.exists()


def test_only_an_open_flag_can_be_dismissed(narrative, staff_user):
    redaction = _flagged(narrative, staff_user)

    with pytest.raises(ValidationError) as refused:
        redaction_flag_dismiss(
            redaction=redaction,
            user=staff_user,
            field="description",
            kind="bsn",
            fragment="999999999",
            reason="Onzin",
        )
    assert refused.value.code == "no_such_flag"


def test_changing_the_text_resets_the_screening(narrative, staff_user):
    redaction = _flagged(narrative, staff_user)

    redaction_save(narrative=narrative, writer=staff_user, texts=CLEAN)

    redaction.refresh_from_db()
    assert not redaction.is_screened and redaction.flags == {}


def test_screening_an_approved_redaction_that_flags_withdraws_it(
    narrative, staff_user, second_coder, monkeypatch, django_capture_on_commit_callbacks
):
    """Also from the cached pages: the figures stamps are renewed after commit."""
    from meldcode_survey.dashboard.models import FiguresStamp
    from meldcode_survey.dashboard.services import figures_changed
    from meldcode_survey.responses.screening import Flag

    redaction = factories.screened_clean(
        redaction_save(narrative=narrative, writer=staff_user, texts=CLEAN)
    )
    redaction_approve(redaction=redaction, approver=second_coder)
    redaction_set_example(redaction=redaction, is_example=True, user=second_coder)
    monkeypatch.setattr(
        services, "thorough_screen", lambda text: [Flag("name", 0, 3, text[:3])]
    )

    version_id = narrative.response.version_id
    figures_changed(version_id)
    before = FiguresStamp.objects.get(version_id=version_id).token

    with django_capture_on_commit_callbacks(execute=True):
        assert redaction_screen(redaction.pk) is True

    redaction.refresh_from_db()
    assert not redaction.is_approved and not redaction.is_example
    assert redaction.open_flags()
    assert FiguresStamp.objects.get(version_id=version_id).token != before


def test_examples_wait_for_the_screening(
    narrative, staff_user, second_coder, seed_version
):
    redaction = factories.screened_clean(
        redaction_save(narrative=narrative, writer=staff_user, texts=CLEAN)
    )
    redaction_approve(redaction=redaction, approver=second_coder)
    redaction_set_example(redaction=redaction, is_example=True, user=second_coder)
    assert len(approved_examples(version_ids=[seed_version.pk])) == 1

    # An example approved before the screening existed is not shown until screened.
    Redaction.objects.filter(pk=redaction.pk).update(screened_at=None)
    assert approved_examples(version_ids=[seed_version.pk]) == []


def test_dismiss_page_shows_a_translated_message_for_a_missing_reason(
    client, login_as, narrative, staff_user
):
    _flagged(narrative, staff_user)
    login_as(staff_user)

    response = client.post(
        reverse("review:redaction_dismiss", args=[narrative.pk]),
        {"field": "description", "kind": "bsn", "fragment": "111222333"},
        HTTP_ACCEPT_LANGUAGE="nl",
        follow=True,
    )

    assert "Geef een reden" in response.content.decode()
    assert not FlagDismissal.objects.exists()


def test_sweep_screens_what_was_missed(narrative, staff_user, monkeypatch):
    from meldcode_survey.responses import services as response_services
    from meldcode_survey.review.tasks import screening_sweep_task

    redaction = redaction_save(narrative=narrative, writer=staff_user, texts=CLEAN)
    monkeypatch.setattr(services, "thorough_screen", lambda text: [])
    monkeypatch.setattr(response_services, "thorough_screen", lambda text: [])

    assert screening_sweep_task.apply().get() == 2

    redaction.refresh_from_db()
    narrative.refresh_from_db()
    assert redaction.is_screened and narrative.thorough_screened_at is not None
