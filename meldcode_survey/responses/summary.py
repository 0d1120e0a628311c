"""What the review page shows: every answer in words, and the screening results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from meldcode_survey.questionnaires.models import NO, YES, Question, Section

from .flow import Flow
from .screening import KIND_LABELS, Flag, highlight, screen


@dataclass
class ReviewRow:
    question: Question
    answer: str


@dataclass
class ReviewSection:
    section: Section
    rows: list[ReviewRow] = field(default_factory=list)


def answer_text(question: Question, value: Any) -> str:
    """An answer as the respondent would read it."""
    if value in (None, "", []):
        return _("(not answered)")
    if question.type == Question.Type.YES_NO:
        return {YES: _("Yes"), NO: _("No")}.get(value, str(value))
    if question.type == Question.Type.LIKERT:
        assert question.group is not None  # a Likert item has one (Question.clean)
        points = {p.code: p.tr("label") for p in question.group.scale.points.all()}
        return points.get(value, str(value))
    if question.type in Question.CHOICE_TYPES:
        labels = {c.code: c.tr("label") for c in question.choices.all()}
        codes: list[str] = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(code, code) for code in codes)
    return str(value)


def review_rows(flow: Flow, answers: dict[str, Any]) -> list[ReviewSection]:
    return [
        ReviewSection(
            section,
            [
                ReviewRow(q, answer_text(q, answers.get(q.code)))
                for q in flow.visible_questions(section, answers)
            ],
        )
        for section in flow.visible_sections(answers)
    ]


@dataclass
class ScreeningResult:
    question: Question
    section: Section
    flags: list[Flag]
    highlighted: SafeString

    @property
    def kinds(self) -> list[str]:
        return sorted({str(KIND_LABELS[f.kind]) for f in self.flags})


def screening_results(
    flow: Flow, answers: dict[str, Any], screened: dict[str, list[Flag]] | None = None
) -> list[ScreeningResult]:
    """Free-text answers in which screening found possibly identifying details.

    Every text screened is noted in `screened` (text -> flags) when it is given,
    so that the submit stores these flags instead of screening again."""
    kept = flow.visible_answers(answers)
    results = []
    for section in flow.visible_sections(answers):
        for question in flow.visible_questions(section, answers):
            text = kept.get(question.code)
            if question.type not in Question.TEXT_TYPES or not text:
                continue
            flags = screen(text)
            if screened is not None:
                screened[text] = flags
            if flags:
                results.append(
                    ScreeningResult(question, section, flags, highlight(text, flags))
                )
    return results
