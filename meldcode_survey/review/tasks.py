"""The thorough screening of redactions in the worker, and the sweep that
screens whatever a lost message or a missing worker left unscreened."""

import logging

from celery import shared_task

from meldcode_survey.responses.deidentify import NotBuilt
from meldcode_survey.responses.services import narrative_screen

from . import services
from .queries import unscreened

logger = logging.getLogger(__name__)

_NOT_BUILT = "deduce is not built; run `manage.py build_screening`"


@shared_task(name="screening.redaction", acks_late=True, time_limit=300)
def screen_redaction_task(redaction_id: int) -> bool:
    try:
        return services.redaction_screen(redaction_id)
    except NotBuilt:
        logger.error("Redaction %s not screened: %s", redaction_id, _NOT_BUILT)
        return False


@shared_task(name="screening.sweep", time_limit=1800)
def screening_sweep_task(limit: int = 2000) -> int:
    """Screen narratives and redactions that have not been screened yet; the
    number screened. A narrative whose after-submit screening got to it first
    is left to that one (responses.services.narrative_screen claims it)."""
    narratives, redactions = unscreened(limit)
    screened = 0
    try:
        for narrative_id in narratives:
            screened += narrative_screen(narrative_id)
        for redaction_id in redactions:
            screened += services.redaction_screen(redaction_id)
    except NotBuilt:
        logger.error("Screening sweep stopped: %s", _NOT_BUILT)
        return 0
    return screened
