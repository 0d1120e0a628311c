"""Writes on the respondent's path: start, save and submit a draft.

Only Django and the database are needed here. What follows a submit is sent
after its commit and never fails it, nor waits on it: the dashboard counts the
response in its task, sent by name (COUNT_TASK; this app never imports the
dashboard), and the worker screens the narrative thoroughly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from meldcode_survey.lib.tasks import after, run_later
from meldcode_survey.questionnaires.models import NOT_APPLICABLE, YES, Question, Version

from . import deidentify
from .deidentify import thorough_screen
from .flow import Flow
from .forms import first_invalid_section
from .models import NARRATIVE_FIELDS, Answer, CaseNarrative, Draft, Response
from .screening import Flag, screen

# The dashboard's task that counts a submitted response in its rollups; beat's
# sweep (dashboard.count_missed_responses) counts what it missed.
COUNT_TASK = "dashboard.count_response"
# The thorough screening of a narrative (tasks.screen_narrative_task).
SCREEN_TASK = "screening.narrative"


class IncompleteDraft(Exception):
    """A shown page's answers are missing or invalid; `section_code` is where."""

    def __init__(self, section_code: str) -> None:
        self.section_code = section_code
        super().__init__(section_code)


def draft_start(version: Version) -> tuple[Draft, str]:
    """A new, empty draft and its resume code (returned once, stored hashed)."""
    draft = Draft(version=version)
    code = draft.assign_resume_code()
    draft.save()
    return draft, code


def draft_save_answers(
    draft: Draft,
    answers: dict[str, Any],
    *,
    section_code: str = "",
    new_resume_code: bool = False,
) -> str | None:
    """Merge a page's answers into the draft; an answer of None removes it.

    With `new_resume_code` the draft gets a fresh resume code in the same write
    ("save and continue later"), which is returned.
    """
    for code, value in answers.items():
        if value in (None, "", []):
            draft.answers.pop(code, None)
        else:
            draft.answers[code] = value
    if section_code:
        draft.current_section = section_code
    resume_code = draft.assign_resume_code() if new_resume_code else None
    draft.save()
    return resume_code


def draft_new_resume_code(draft: Draft) -> str:
    """Replace the resume code (e.g. when the respondent lost it)."""
    code = draft.assign_resume_code()
    draft.save(update_fields=["resume_code_hash", "expires_at", "updated_at"])
    return code


def response_submit(
    *,
    draft: Draft,
    submission_key: uuid.UUID,
    screened: Mapping[str, list[Flag]] | None = None,
) -> Response:
    """Store the draft as one response, exactly once per submission key.

    A second call with the same key (double click, back button, network retry)
    returns the stored response. Answers to questions that ended up hidden are
    discarded. Raises IncompleteDraft if a shown answer is missing or invalid.
    `screened` holds the fast screening's flags of texts screened already in
    this request (text -> flags), so that no text is screened twice.
    """
    flow = Flow.for_version(draft.version)
    missing = first_invalid_section(flow, draft.answers)
    if missing is not None:
        stored = Response.objects.filter(submission_key=submission_key).first()
        if stored is not None:
            return stored
        raise IncompleteDraft(missing.code)
    try:
        with transaction.atomic():
            response, narrative_id = _store(flow, draft, submission_key, screened)
    except IntegrityError:
        # Stored already: a repeated call, or a concurrent request with the same
        # key won the race. Anything else is a real error and must not be hidden.
        stored = Response.objects.filter(submission_key=submission_key).first()
        if stored is None:
            raise
        return stored
    transaction.on_commit(lambda: _after_submit(response.pk, narrative_id))
    return response


def _after_submit(response_id: int, narrative_id: int | None) -> None:
    """One message for the worker: count the response; then (also when the
    count failed) the worker sends the narrative's thorough screening."""
    when_lost = "not counted in the rollups yet; the sweep will"
    then = None
    if narrative_id is not None:
        when_lost = (
            "not counted in the rollups yet (the sweep will), nor narrative "
            f"{narrative_id} screened (the screening sweep will)"
        )
        then = after(SCREEN_TASK, [narrative_id])
    run_later(COUNT_TASK, [response_id], when_lost=when_lost, then=then)


def narrative_screen(narrative_id: int) -> bool:
    """Screen a narrative's texts thoroughly and store the flags.

    The screening claims its narrative: only one not screened yet, locked for
    as long as it is screened, and one locked by another screening is skipped.
    So the after-submit task and the sweep never screen a narrative twice.

    Returns False when the narrative is gone, its texts were purged, or it is
    screened (or being screened) already. Raises deidentify.NotBuilt when
    deduce is not installed, before anything else is looked at.
    """
    # A worker's first screening loads deduce (seconds): not while holding the lock.
    deidentify.load()
    with transaction.atomic():
        narrative = (
            CaseNarrative.objects.select_for_update(skip_locked=True)
            .filter(
                pk=narrative_id,
                texts_purged_on__isnull=True,
                thorough_screened_at__isnull=True,
            )
            .first()
        )
        if narrative is None:
            return False
        texts = {f: getattr(narrative, f) for f in NARRATIVE_FIELDS.values()}
        flags = {
            field: [flag.as_dict() for flag in thorough_screen(text)]
            for field, text in texts.items()
            if text
        }
        # Only if the texts are still the ones screened (retention may blank them).
        stored = CaseNarrative.objects.filter(
            pk=narrative_id, texts_purged_on__isnull=True, **texts
        ).update(thorough_flags=flags, thorough_screened_at=timezone.now())
    return bool(stored)


def _store(
    flow: Flow,
    draft: Draft,
    submission_key: uuid.UUID,
    screened: Mapping[str, list[Flag]] | None,
) -> tuple[Response, int | None]:
    """The response, its answers and its narrative (whose id is returned)."""
    screened = screened or {}
    answers = flow.visible_answers(draft.answers)
    roles = flow.questions_by_role()
    response = Response.objects.create(
        version=draft.version,
        submission_key=submission_key,
        sector=_role_value(answers, roles, Question.Role.SECTOR) or "",
        applied_meldcode=_yes(answers, roles, Question.Role.APPLIED_MELDCODE),
    )
    narrative_codes = {roles[r].code for r in NARRATIVE_FIELDS if r in roles}
    rows = [
        row
        for question in flow.questions
        if question.code in answers and question.code not in narrative_codes
        for row in _answer_rows(response, question, answers[question.code], screened)
    ]
    Answer.objects.bulk_create(rows)
    narrative = _store_narrative(response, answers, roles, screened)
    Draft.objects.filter(pk=draft.pk).delete()
    return response, narrative.pk if narrative else None


def _flags(text: str, screened: Mapping[str, list[Flag]]) -> list[dict[str, Any]]:
    flags = screened.get(text)
    return [flag.as_dict() for flag in (screen(text) if flags is None else flags)]


def _role_value(answers: dict[str, Any], roles: dict[str, Question], role: str) -> Any:
    question = roles.get(role)
    return answers.get(question.code) if question else None


def _yes(answers: dict[str, Any], roles: dict[str, Question], role: str) -> bool | None:
    value = _role_value(answers, roles, role)
    return None if value is None else value == YES


def _answer_rows(
    response: Response,
    question: Question,
    value: Any,
    screened: Mapping[str, list[Flag]],
) -> list[Answer]:
    base = {"response": response, "question": question}
    kind = question.type
    if kind == Question.Type.MULTIPLE_CHOICE:
        choices = {c.code: c for c in question.choices.all()}
        return [Answer(**base, choice=choices[code]) for code in value]
    if kind == Question.Type.SINGLE_CHOICE:
        choice = next(c for c in question.choices.all() if c.code == value)
        return [Answer(**base, choice=choice)]
    if kind == Question.Type.LIKERT:
        if value == NOT_APPLICABLE:
            return [Answer(**base, not_applicable=True)]
        return [Answer(**base, scale_value=int(value))]
    if kind == Question.Type.YES_NO:
        return [Answer(**base, yes=value == YES)]
    if kind == Question.Type.NUMBER:
        return [Answer(**base, number=int(value))]
    return [Answer(**base, text=value, screening_flags=_flags(value, screened))]


def _store_narrative(
    response: Response,
    answers: dict[str, Any],
    roles: dict[str, Question],
    screened: Mapping[str, list[Flag]],
) -> CaseNarrative | None:
    texts = {
        field: _role_value(answers, roles, role) or ""
        for role, field in NARRATIVE_FIELDS.items()
    }
    if not any(texts.values()):
        return None
    return CaseNarrative.objects.create(
        response=response,
        has_dilemma=_yes(answers, roles, Question.Role.CASE_HAS_DILEMMA),
        screening_flags={
            field: _flags(text, screened) for field, text in texts.items() if text
        },
        **texts,
    )
