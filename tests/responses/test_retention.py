from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from meldcode_survey.audit.models import Action, AuditEntry
from meldcode_survey.responses import retention
from meldcode_survey.responses.models import Draft
from meldcode_survey.retention import retention_task
from tests import factories

pytestmark = pytest.mark.django_db


def _narrative(days_ago: int):
    submitted = timezone.localdate() - timedelta(days=days_ago)
    flags = {"description": [{"kind": "name", "start": 0, "end": 3, "fragment": "Jan"}]}
    return factories.CaseNarrativeFactory(
        response__submitted_on=submitted,
        screening_flags=flags,
        thorough_flags=flags,
    )


def test_old_narrative_texts_are_blanked_and_the_rest_is_kept():
    old, recent = _narrative(400), _narrative(10)

    purged = retention.narrative_texts_purge(days=365)

    assert purged == 1
    old.refresh_from_db()
    assert (old.description, old.dilemma, old.follow_up) == ("", "", "")
    assert old.screening_flags == {}
    assert old.thorough_flags == {}  # they quote the texts too
    assert old.texts_purged_on == timezone.localdate()
    assert old.has_dilemma is True
    assert old.response.sector == "kinderopvang"
    recent.refresh_from_db()
    assert recent.description and recent.texts_purged_on is None


def test_each_purge_is_written_to_the_audit_log():
    old = _narrative(40)

    retention.narrative_texts_purge(days=30)

    entry = AuditEntry.objects.get(action=Action.NARRATIVES_PURGED)
    assert entry.details["narratives"] == [old.pk]
    assert entry.details["retention_days"] == 30
    assert entry.actor is None


def test_a_second_run_finds_nothing_to_purge():
    _narrative(40)
    retention.narrative_texts_purge(days=30)

    assert retention.narrative_texts_purge(days=30) == 0
    assert AuditEntry.objects.filter(action=Action.NARRATIVES_PURGED).count() == 1


def test_without_a_retention_period_nothing_is_purged(settings):
    settings.NARRATIVE_RETENTION_DAYS = None
    old = _narrative(5000)

    ran = retention_task.apply(kwargs={"narrative_days": None}).get()
    assert ran["narratives"] == 0

    old.refresh_from_db()
    assert old.description


def test_the_setting_is_the_default_period(settings):
    settings.NARRATIVE_RETENTION_DAYS = 100
    _narrative(101)
    _narrative(99)

    assert retention_task.apply().get()["narratives"] == 1


def test_expired_drafts_are_deleted_and_counted_in_the_log(seed_version):
    from meldcode_survey.responses.services import draft_start

    expired, _code = draft_start(seed_version)
    live, _code = draft_start(seed_version)
    Draft.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert retention_task.apply().get()["drafts"] == 1

    assert list(Draft.objects.values_list("pk", flat=True)) == [live.pk]
    entry = AuditEntry.objects.get(action=Action.DRAFTS_EXPIRED)
    assert entry.details == {"count": 1}


def test_one_periodic_task_runs_every_retention_rule_and_staff_can_change_it():
    tasks = dict(PeriodicTask.objects.values_list("task", "kwargs"))

    assert tasks["retention.run"] == '{"narrative_days": null}'
    retired = {"retention.expire_drafts", "retention.purge_narrative_texts"}
    assert not retired & set(tasks)
    assert "exports.delete_expired" not in tasks


def test_the_retention_task_passes_its_days_to_the_narrative_rule():
    _narrative(40)

    assert retention_task.apply(kwargs={"narrative_days": 30}).get() == {
        "drafts": 0,
        "narratives": 1,
        "export_files": 0,
    }


def test_a_failing_rule_keeps_no_other_rule_from_running(monkeypatch):
    """Narrative texts are purged on time even when deleting drafts fails."""
    from meldcode_survey import retention

    def broken() -> int:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(retention, "drafts_delete_expired", broken)
    narrative = _narrative(40)

    with pytest.raises(retention.RetentionFailed):
        retention_task.apply(kwargs={"narrative_days": 30}, throw=True)

    narrative.refresh_from_db()
    assert narrative.texts_purged_on is not None
