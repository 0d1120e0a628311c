"""The answer migrations of the dashboard's speed work, over existing answers."""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from meldcode_survey.questionnaires.models import Question
from meldcode_survey.responses.models import NOT_APPLICABLE_KEY, Answer

BEFORE = ("responses", "0002_answer_response_grain")


def _migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_answers_get_their_rollup_key_and_keep_their_uniqueness(
    seed_version,
):
    likert = Question.objects.get(version=seed_version, code="D01")
    unscored = Question.objects.get(version=seed_version, code="D02")
    sector = Question.objects.get(version=seed_version, code="sector")
    text = Question.objects.get(version=seed_version, code="beroep")
    choice = sector.choices.first()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        response = old.get_model("responses", "Response").objects.create(
            version_id=seed_version.pk,
            submission_key=uuid.uuid4(),
            submitted_on=date(2026, 3, 17),
            sector=choice.code,
        )
        grain = {"sector": choice.code, "submitted_month": date(2026, 3, 1)}
        OldAnswer = old.get_model("responses", "Answer")
        for fields in (
            {"question_id": likert.pk, "scale_value": 4},
            {"question_id": unscored.pk, "not_applicable": True},
            {"question_id": sector.pk, "choice_id": choice.pk},
            {"question_id": text.pk, "text": "Leerkracht"},
        ):
            OldAnswer.objects.create(response=response, **grain, **fields)
    finally:
        _migrate(leaves)

    keys = dict(Answer.objects.values_list("question_id", "rollup_key"))
    assert keys == {
        likert.pk: 4,
        unscored.pk: NOT_APPLICABLE_KEY,
        sector.pk: choice.pk,
        text.pk: None,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response_id=response.pk, question=likert, scale_value=2)


# --- One retention task (0008) ------------------------------------------------


def _retention_migration():
    import importlib

    return importlib.import_module(
        "meldcode_survey.responses.migrations.0008_one_retention_task"
    )


@pytest.mark.django_db
def test_the_three_retention_tasks_become_one_that_keeps_staff_s_choices():
    from django.apps import apps
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    migration = _retention_migration()
    migration.split_task(apps, None)  # the three rows of before the migration
    drafts = PeriodicTask.objects.get(task="retention.expire_drafts")
    drafts.crontab = CrontabSchedule.objects.create(minute="5", hour="2")
    drafts.enabled = False
    drafts.save()
    PeriodicTask.objects.filter(task="retention.purge_narrative_texts").update(
        kwargs='{"days": 400}'
    )

    migration.merge_tasks(apps, None)

    [task] = PeriodicTask.objects.filter(task__startswith="retention.")
    assert task.task == "retention.run"
    assert task.kwargs == '{"narrative_days": 400}'
    assert (task.crontab.minute, task.crontab.hour) == ("5", "2")
    assert task.enabled  # the other two were still enabled
    assert not PeriodicTask.objects.filter(task="exports.delete_expired").exists()

    migration.split_task(apps, None)

    purge = PeriodicTask.objects.get(task="retention.purge_narrative_texts")
    assert purge.kwargs == '{"days": 400}'
    assert PeriodicTask.objects.filter(task="exports.delete_expired").exists()
    assert not PeriodicTask.objects.filter(task="retention.run").exists()
