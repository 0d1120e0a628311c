"""The path through one questionnaire version: which pages and questions show.

Display conditions refer to earlier answers. Answers are applied in page order,
so an answer on a page that ends up hidden never shows a later page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meldcode_survey.questionnaires.models import Question, Section, Version
from meldcode_survey.questionnaires.structure import Structure, structure


@dataclass
class Flow:
    version: Version
    structure: Structure
    # The last visible_answers() call: (a copy of its answers, its result). A
    # flow lives for one request, whose views ask the same question many times.
    _visible: tuple[dict[str, Any], dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def for_version(cls, version: Version) -> Flow:
        """The flow of a version, on its structure (questionnaires.structure:
        loaded once per process for a frozen version)."""
        return cls(version=version, structure=structure(version))

    @property
    def sections(self) -> list[Section]:
        return self.structure.sections

    @property
    def questions(self) -> list[Question]:
        return self.structure.questions

    def questions_by_role(self) -> dict[str, Question]:
        return {q.role: q for q in self.questions if q.role}

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def visible_answers(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers that count: those to questions that are shown."""
        if self._visible is not None and self._visible[0] == answers:
            return dict(self._visible[1])
        kept: dict[str, Any] = {}
        for section in self.sections:
            if not section.is_shown(kept):
                continue
            for question in section.questions.all():
                if question.code in answers and question.is_shown(kept):
                    kept[question.code] = answers[question.code]
        self._visible = (_copy(answers), dict(kept))
        return kept

    def visible_sections(self, answers: dict[str, Any]) -> list[Section]:
        kept = self.visible_answers(answers)
        return [s for s in self.sections if s.is_shown(kept)]

    def visible_questions(
        self, section: Section, answers: dict[str, Any]
    ) -> list[Question]:
        kept = self.visible_answers(answers)
        return [q for q in section.questions.all() if q.is_shown(kept)]

    def neighbours(
        self, section: Section, answers: dict[str, Any]
    ) -> tuple[Section | None, Section | None]:
        """The shown pages before and after `section`."""
        visible = self.visible_sections(answers)
        before = [s for s in visible if s.position < section.position]
        after = [s for s in visible if s.position > section.position]
        return (before[-1] if before else None, after[0] if after else None)

    def step(self, section: Section, answers: dict[str, Any]) -> tuple[int, int]:
        """(this page's number, number of pages), counting the review page.

        A page whose condition is not answered yet counts as coming, so the
        number of pages does not grow while the respondent moves on."""
        kept = self.visible_answers(answers)
        expected = [
            s
            for s in self.sections
            if s.is_shown(kept)
            or (
                s.condition_question is not None
                and s.condition_question.code not in kept
            )
        ]
        number = sum(1 for s in expected if s.position <= section.position)
        return number, len(expected) + 1


def _copy(answers: dict[str, Any]) -> dict[str, Any]:
    """A copy that later changes to `answers` (or to its lists) do not reach."""
    return {k: list(v) if isinstance(v, list) else v for k, v in answers.items()}
