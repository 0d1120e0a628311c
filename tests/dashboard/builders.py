"""Hand-built responses for the dashboard tests, written in bulk.

`add_responses` writes the rows that the respondent's submit would write
(response, typed answers, case narrative) without going through the flow, so
a test can set up hundreds of respondents with exact counts quickly. Call
`rollups_rebuild()` afterwards (or use `build`).
"""

from __future__ import annotations

import random
import uuid
from datetime import date

from django.db.models import OuterRef, Subquery

from meldcode_survey.dashboard.services import rollups_rebuild
from meldcode_survey.questionnaires.models import Question
from meldcode_survey.responses.models import Answer, CaseNarrative, Response

MARCH = date(2026, 3, 10)
APRIL = date(2026, 4, 10)


def _questions(version):
    return {
        q.code: q
        for q in Question.objects.filter(version=version).prefetch_related("choices")
    }


def add_responses(
    version,
    sector: str,
    count: int,
    *,
    applied: int = 0,
    not_applied: int | None = None,
    with_dilemma: int = 0,
    without_dilemma: int = 0,
    likert: dict[str, list[str]] | None = None,
    default_likert: str = "3",
    choices: dict[str, list[str]] | None = None,
    day: date = MARCH,
    synthetic: bool = False,
    narratives: list[str] | None = None,
) -> list[Response]:
    """`count` respondents; the first `applied` applied the meldcode and the first
    `with_dilemma + without_dilemma` of those described a case."""
    questions = _questions(version)
    not_applied = count - applied if not_applied is None else not_applied
    cases = with_dilemma + without_dilemma
    assert cases <= applied <= count
    responses = Response.objects.bulk_create(
        Response(
            version=version,
            submission_key=uuid.uuid4(),
            submitted_on=day,
            sector=sector,
            applied_meldcode=True
            if i < applied
            else (False if i < applied + not_applied else None),
            is_synthetic=synthetic,
        )
        for i in range(count)
    )
    answers = []
    likert = likert or {}
    for i, response in enumerate(responses):
        answers.append(_choice(questions["sector"], response, sector))
        if response.applied_meldcode is not None:
            answers.append(
                Answer(
                    response=response,
                    question=questions["toegepast"],
                    yes=response.applied_meldcode,
                )
            )
        for code, question in questions.items():
            if question.type != Question.Type.LIKERT:
                continue
            values = likert.get(code)
            value = values[i] if values else default_likert
            if value is None:
                continue
            if value == "nvt":
                answers.append(
                    Answer(response=response, question=question, not_applicable=True)
                )
            else:
                answers.append(
                    Answer(response=response, question=question, scale_value=int(value))
                )
        for code, values in (choices or {}).items():
            if values[i] is not None:
                answers.append(_choice(questions[code], response, values[i]))
    Answer.objects.bulk_create(answers)
    CaseNarrative.objects.bulk_create(
        CaseNarrative(
            response=responses[i],
            description=(narratives or ["Een kind kwam vaak hongerig binnen."])[
                i % len(narratives or [1])
            ],
            dilemma="Is dit ernstig genoeg?",
            follow_up="Overlegd met de aandachtsfunctionaris.",
            has_dilemma=i < with_dilemma,
        )
        for i in range(cases)
    )
    return responses


def _choice(question, response, code):
    choice = next(c for c in question.choices.all() if c.code == code)
    return Answer(response=response, question=question, choice=choice)


def spread(**counts: int) -> list[str]:
    """spread(**{"1": 4, "2": 6, "nvt": 3}) -> ["1"]*4 + ["2"]*6 + ["nvt"]*3."""
    return [value for value, n in counts.items() for _ in range(n)]


def build(version, *specs: dict) -> None:
    for spec in specs:
        add_responses(version, **spec)
    rollups_rebuild()


def seed_record_keys(seed: int) -> None:
    """Record keys drawn from a seeded generator (a submit draws them at random),
    so that the noise, and a test, are the same every run. Rebuild afterwards."""
    rnd = random.Random(seed)
    responses = list(Response.objects.order_by("pk"))
    for response in responses:
        response.record_key = rnd.randrange(256)
    Response.objects.bulk_update(responses, ["record_key"])
    Answer.objects.update(
        record_key=Subquery(
            Response.objects.filter(pk=OuterRef("response_id")).values("record_key")
        )
    )
