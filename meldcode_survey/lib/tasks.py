"""Send a Celery task from a respondent's request without waiting on the broker.

Celery's own connection pool retries a broker that is down for about six seconds
before it gives up, which a respondent would wait for after every submit while
Redis is down. Work sent from the respondent's path has a sweep that catches what
could not be sent, so giving up at once loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from celery import Celery
from kombu.connection import ConnectionPool


def send_fail_fast(task: Any, args: Sequence[Any]) -> None:
    """Queue `task(*args)` (its route from CELERY_TASK_ROUTES) on a connection
    that tries the broker once; raises when the broker cannot be reached."""
    app = task.app
    pool = _fail_fast_pool(app, app.conf.broker_url)
    with pool.acquire(block=True) as connection:
        task.apply_async(args=list(args), connection=connection, retry=False)


@cache
def _fail_fast_pool(app: Celery, broker_url: str) -> ConnectionPool:
    connection = app.connection_for_write(
        broker_url, transport_options={"max_retries": 0}
    )
    return connection.Pool(limit=app.conf.broker_pool_limit)
