"""The thorough screening of a submitted narrative, in the worker.

deduce is loaded once per worker process, on its first task (deidentify.py).
"""

import logging

from celery import shared_task

from . import services
from .deidentify import NotBuilt

logger = logging.getLogger(__name__)


@shared_task(
    name="screening.narrative",
    acks_late=True,
    time_limit=300,
    autoretry_for=(ConnectionError,),
    max_retries=3,
)
def screen_narrative_task(narrative_id: int) -> bool:
    try:
        return services.narrative_screen(narrative_id)
    except NotBuilt:
        logger.error(
            "Narrative %s not screened: deduce is not built; run "
            "`manage.py build_screening`",
            narrative_id,
        )
        return False
