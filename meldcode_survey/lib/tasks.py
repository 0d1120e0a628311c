"""Send a Celery task from a respondent's request without waiting on the broker.

Celery's own connection pool retries a broker that is down for about six seconds
before it gives up, which a respondent would wait for after every submit while
Redis is down. Work sent from the respondent's path has a sweep that catches what
could not be sent, so giving up at once loses nothing.

A task is named by its registered name or given as the task itself: an app
sends another app's task by name, without importing that app (responses never
imports the dashboard).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from celery import Celery
from kombu.connection import ConnectionPool

from meldcode_survey.celery import app as celery_app

logger = logging.getLogger(__name__)


def run_later(
    task: Any, args: Sequence[Any], *, when_lost: str, then: Any = None
) -> None:
    """Have the worker run `task(*args)` (`task`: a Celery task or its name);
    without a broker (tasks run eagerly) it runs here and now. `then`: a
    signature the worker sends when the task has finished, whether it succeeded
    or failed (one message from the request instead of two).

    Never raises and never waits on a broker that is down: a failure is logged
    with `when_lost` (what catches up, e.g. "the sweep will count it").
    """
    name = _name(task)
    try:
        if celery_app.conf.task_always_eager:
            _run_here(task, args, then)
            return
        send_fail_fast(task, args, then=then)
    except Exception:
        logger.exception("Could not queue %s for %s; %s", name, list(args), when_lost)


def send_fail_fast(task: Any, args: Sequence[Any], *, then: Any = None) -> None:
    """Queue `task(*args)` (its route from CELERY_TASK_ROUTES) on a connection
    that tries the broker once; raises when the broker cannot be reached."""
    pool = _fail_fast_pool(celery_app, celery_app.conf.broker_url)
    options = {"connection": None, "retry": False, **_links(then)}
    with pool.acquire(block=True) as connection:
        options["connection"] = connection
        if isinstance(task, str):
            celery_app.send_task(task, args=list(args), **options)
        else:
            task.apply_async(args=list(args), **options)


def after(task_name: str, args: Sequence[Any]) -> Any:
    """The signature of `task_name(*args)` for run_later's `then` (immutable: it
    takes nothing from the task it follows; routed when the worker sends it)."""
    return celery_app.signature(task_name, args=list(args), immutable=True)


def _run_here(task: Any, args: Sequence[Any], then: Any) -> None:
    """Run eagerly, then `then` once, whether the task succeeded or failed, as a
    worker sends it (link and link_error; with throw=True Celery's eager apply
    calls no errback). A task that is not registered runs nothing, as a worker
    does not. A failing follow-up is logged under its own name: the task's
    outcome is the task's."""
    registered = _registered(task)
    try:
        registered.apply(args=tuple(args), throw=True)
    finally:
        if then is not None:
            _run_follow_up_here(then)


def _run_follow_up_here(then: Any) -> None:
    """The follow-up, looked up first: its module may not have been imported
    when the task's was."""
    try:
        _registered(then.task)
        then.apply()
    except Exception:
        logger.exception("The follow-up %s failed", then.task)


def _links(then: Any) -> dict[str, Any]:
    return {} if then is None else {"link": then, "link_error": then}


def _name(task: Any) -> str:
    return task if isinstance(task, str) else str(task.name)


def _registered(task: Any) -> Any:
    """The task object; a name is looked up once every app's tasks are loaded."""
    if not isinstance(task, str):
        return task
    if task not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    return celery_app.tasks[task]


@cache
def _fail_fast_pool(app: Celery, broker_url: str) -> ConnectionPool:
    connection = app.connection_for_write(
        broker_url, transport_options={"max_retries": 0}
    )
    return connection.Pool(limit=app.conf.broker_pool_limit)
