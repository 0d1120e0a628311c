"""Work sent from the respondent's path never waits on a broker that is down."""

import logging

import pytest
from redis.connection import Connection

from meldcode_survey.dashboard.tasks import count_response_task
from meldcode_survey.lib import tasks
from meldcode_survey.responses.tasks import screen_narrative_task

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to a broker that refuses every connection; count the tries."""
    conf = screen_narrative_task.app.conf
    before = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, DOWN
    tries = []
    connect = Connection.connect

    def counted(self, *args, **kwargs):
        tries.append(self.port)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "connect", counted)
    tasks._fail_fast_pool.cache_clear()
    try:
        yield tries
    finally:
        conf.task_always_eager, conf.broker_url = before
        tasks._fail_fast_pool.cache_clear()


def test_a_task_for_a_broker_that_is_down_fails_at_the_first_try(broker_down):
    with pytest.raises(Exception):  # noqa: B017 (kombu's or redis's own error)
        tasks.send_fail_fast(screen_narrative_task, [1])
    assert broker_down == [1]


def test_the_screening_after_a_submit_is_logged_not_waited_for(broker_down, caplog):
    with caplog.at_level(logging.ERROR):
        tasks.run_later(screen_narrative_task, [1], when_lost="the sweep will")
    assert "Could not queue screening.narrative for [1]; the sweep will" in caplog.text
    assert broker_down == [1]


def test_eagerly_the_follow_up_runs_though_no_import_registered_it(monkeypatch):
    """Eagerly (`make run`), the task may be registered while its follow-up's
    module was never imported: the follow-up is loaded as a worker loads it."""
    app = screen_narrative_task.app
    screen = app.tasks["screening.narrative"]
    monkeypatch.delitem(app.tasks, "screening.narrative")
    monkeypatch.setattr(
        app.loader, "import_default_modules", lambda: app.tasks.register(screen)
    )
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    ran = []
    monkeypatch.setattr(screen, "run", ran.append)
    monkeypatch.setattr(count_response_task, "run", lambda response_id: None)

    then = tasks.after("screening.narrative", [7])
    tasks.run_later(count_response_task, [1], when_lost="lost", then=then)

    assert ran == [7]


@pytest.mark.parametrize("task_fails", [False, True])
def test_eagerly_the_follow_up_runs_once_also_when_it_fails(
    monkeypatch, caplog, task_fails
):
    app = screen_narrative_task.app
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    screen = app.tasks["screening.narrative"]
    ran = []

    def count(response_id):
        ran.append("count")
        if task_fails:
            raise RuntimeError("count failed")

    def follow_up(narrative_id):
        ran.append("screen")
        raise RuntimeError("screening failed")

    monkeypatch.setattr(count_response_task, "run", count)
    monkeypatch.setattr(screen, "run", follow_up)

    then = tasks.after("screening.narrative", [7])
    with caplog.at_level(logging.ERROR):
        tasks.run_later(count_response_task, [1], when_lost="lost", then=then)

    assert ran == ["count", "screen"]
    assert "The follow-up screening.narrative failed" in caplog.text
    # Only a failed count is reported as the count's failure.
    assert ("Could not queue dashboard.count_response" in caplog.text) == task_fails
