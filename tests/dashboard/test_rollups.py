import logging
import random
from contextlib import contextmanager

import pytest
from django.core.management import call_command

from meldcode_survey.celery import app as celery_app
from meldcode_survey.dashboard import services, tasks
from meldcode_survey.dashboard.models import ANSWERED_KEY, AnswerRollup, ResponseRollup
from meldcode_survey.dashboard.services import (
    ANSWER_INDEX_COLUMNS,
    rollups_add_response,
    rollups_count_missed,
    rollups_count_response,
    rollups_rebuild,
)
from meldcode_survey.questionnaires.models import Question
from meldcode_survey.responses.models import NOT_APPLICABLE_KEY, Answer, Response
from tests import factories
from tests.conftest import celery_in_process, complete_answers

pytestmark = pytest.mark.django_db

SECTORS = ["kinderopvang", "onderwijs", "jeugdhulp", "justitie"]


def random_answers(rng: random.Random) -> dict:
    applied = rng.random() < 0.6
    answers = complete_answers(
        sector=rng.choice(SECTORS),
        ervaring=rng.choice(["0_2", "2_5", "5_10", "10_plus"]),
        toegepast="yes" if applied else "no",
        **{
            f"D{i:02d}": rng.choice(["1", "2", "3", "4", "5", "nvt"])
            for i in range(1, 11)
        },
    )
    if applied:
        answers["casus_met_dilemma"] = rng.choice(["yes", "no"])
        answers["casus_uitkomst"] = rng.choice(["afgesloten", "hulp", "melding_vt"])
        if rng.random() < 0.3:
            answers.pop("casus_kindcheck")
    return answers


def rollups() -> dict:
    """Every non-zero rollup count (a response taken out leaves zero rows)."""
    responses = {
        (r.version_id, r.is_synthetic, r.sector, r.month): tuple(
            getattr(r, c) for c in ResponseRollup.COUNTS
        )
        for r in ResponseRollup.objects.all()
        if r.respondents
    }
    answers = {
        (
            a.version_id,
            a.is_synthetic,
            a.sector,
            a.month,
            a.question_id,
            a.key,
        ): a.answers
        for a in AnswerRollup.objects.all()
        if a.answers
    }
    return {"responses": responses, "answers": answers}


def test_incremental_rollups_equal_a_full_rebuild(seed_version, submit_now):
    rng = random.Random(5)
    for _ in range(40):
        submit_now(seed_version, random_answers(rng))
    incremental = rollups()

    rollups_rebuild()

    assert incremental == rollups()
    assert sum(row[0] for row in incremental["responses"].values()) == 40
    assert len(incremental["answers"]) > 50


def test_every_kind_of_answer_is_counted_alike_by_both_paths():
    # Multiple choice (a row per option, and the respondents who answered),
    # single choice, Likert points and n.v.t., and text (not counted).
    section = factories.SectionFactory()
    likert = factories.QuestionFactory(
        section=section,
        type=Question.Type.LIKERT,
        group=factories.LikertGroupFactory(section=section),
    )
    single = factories.QuestionFactory(
        section=section, type=Question.Type.SINGLE_CHOICE
    )
    multiple = factories.QuestionFactory(
        section=section, type=Question.Type.MULTIPLE_CHOICE
    )
    text = factories.QuestionFactory(section=section, type=Question.Type.SHORT_TEXT)
    options = {
        q: factories.ChoiceFactory.create_batch(3, question=q)
        for q in (single, multiple)
    }
    rng = random.Random(3)
    for _ in range(30):
        response = factories.ResponseFactory(
            version=section.version, sector=rng.choice(SECTORS)
        )
        nvt = rng.random() < 0.2
        Answer.objects.create(
            response=response,
            question=likert,
            scale_value=None if nvt else rng.randint(1, 5),
            not_applicable=nvt,
        )
        Answer.objects.create(
            response=response, question=single, choice=rng.choice(options[single])
        )
        for choice in rng.sample(options[multiple], rng.randint(0, 3)):
            Answer.objects.create(response=response, question=multiple, choice=choice)
        Answer.objects.create(response=response, question=text, text="Iets")
        rollups_add_response(response.pk)
    incremental = rollups()

    rollups_rebuild()

    assert incremental == rollups()
    keys = {(question, key) for *_grain, question, key in incremental["answers"]}
    assert (likert.pk, NOT_APPLICABLE_KEY) in keys
    assert (multiple.pk, ANSWERED_KEY) in keys
    assert not any(question == text.pk for question, _key in keys)


def test_the_rollups_count_each_submitted_response(seed_version, submit_now):
    submit_now(seed_version)
    row = ResponseRollup.objects.get()
    assert (row.sector, row.respondents, row.applied, row.cases) == (
        "kinderopvang",
        1,
        1,
        1,
    )
    assert row.cases_with_dilemma == 1
    d01 = AnswerRollup.objects.get(question__code="D01")
    assert (d01.key, d01.answers) == (2, 1)


def test_a_failing_rollup_update_never_fails_the_submit(
    seed_version, submit_now, monkeypatch, caplog
):
    def broken(response_id):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "rollups_add_response", broken)
    with caplog.at_level(logging.ERROR):
        response = submit_now(seed_version)

    assert Response.objects.filter(pk=response.pk).exists()
    assert not ResponseRollup.objects.exists()
    assert "the sweep will" in caplog.text
    assert not Response.objects.get(pk=response.pk).counted_in_rollups
    call_command("refresh_aggregates", stdout=open("/dev/null", "w"))
    assert ResponseRollup.objects.get().respondents == 1
    assert Response.objects.get(pk=response.pk).counted_in_rollups


@pytest.mark.django_db
def test_a_nightly_rebuild_is_scheduled_for_a_new_installation():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="dashboard.refresh_aggregates")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("4", "0")


def test_the_rebuild_groups_answers_in_the_order_of_their_index():
    # The full rebuild is fast only while its GROUP BY follows the index.
    index = next(
        i for i in Answer._meta.indexes if i.name == "answer_grain_for_rollups"
    )
    columns = [Answer._meta.get_field(name).attname for name in index.fields]
    # ... and holds the record key it sums, so the scan stays index-only.
    assert columns == [*ANSWER_INDEX_COLUMNS, "record_key"]


@contextmanager
def celery_with_broker():
    """Tasks are sent to a broker, as in production (not run in-process)."""
    conf = tasks.count_response_task.app.conf
    before = conf.task_always_eager
    conf.task_always_eager = False
    try:
        yield
    finally:
        conf.task_always_eager = before


def test_a_submit_is_counted_after_its_commit_not_inside_it(
    seed_version, submit, django_capture_on_commit_callbacks
):
    with celery_in_process():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = submit(seed_version)
        # The submit's own transaction leaves the rollups alone.
        assert not ResponseRollup.objects.exists()
        assert not Response.objects.get(pk=response.pk).counted_in_rollups
        assert callbacks  # the count (and the thorough screening) after commit
        for callback in callbacks:
            callback()

    assert ResponseRollup.objects.get().respondents == 1
    assert Response.objects.get(pk=response.pk).counted_in_rollups


def test_a_submit_sends_its_count_to_the_broker_without_waiting(
    seed_version, submit, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        celery_app,
        "send_task",
        lambda name, args, **options: sent.append((name, args, options)),
    )
    with celery_with_broker(), django_capture_on_commit_callbacks(execute=True):
        response = submit(seed_version)

    counts = [
        (a, o["retry"]) for n, a, o in sent if n == tasks.count_response_task.name
    ]
    assert counts == [([response.pk], False)]
    assert not ResponseRollup.objects.exists()


def test_the_sweep_counts_a_submit_whose_task_was_lost(
    seed_version, submit, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with caplog.at_level(logging.ERROR), celery_with_broker():
        with django_capture_on_commit_callbacks(execute=True):
            lost = submit(seed_version)
            other = submit(seed_version, complete_answers(sector="onderwijs"))
    assert Response.objects.count() == 2
    assert "the sweep will" in caplog.text
    assert not ResponseRollup.objects.exists()

    assert tasks.count_missed_responses_task.apply().get() == 2
    swept = rollups()
    rollups_rebuild()
    assert rollups() == swept
    assert sum(row[0] for row in swept["responses"].values()) == 2
    # A late task (the broker came back) or a second sweep counts nothing again.
    assert rollups_count_response(lost.pk) is False
    assert rollups_count_missed() == 0
    assert rollups() == swept
    assert other.pk != lost.pk


def test_a_response_counted_by_a_rebuild_is_not_counted_again_by_its_task(
    seed_version, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = submit(seed_version)
    rollups_rebuild()
    rebuilt = rollups()

    with celery_in_process():
        callbacks[0]()

    assert rollups() == rebuilt
    assert rollups_count_response(response.pk) is False
    assert sum(row[0] for row in rebuilt["responses"].values()) == 1


@pytest.mark.django_db
def test_a_sweep_every_minute_is_scheduled_for_a_new_installation():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="dashboard.count_missed_responses")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
