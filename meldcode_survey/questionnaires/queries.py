"""Reads of questionnaires: compare two versions, the version before one, the
English texts a Dutch rewording left behind (a check before publishing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .models import Question, Version


@dataclass(frozen=True)
class QuestionChange:
    code: str
    change: str  # "added", "removed" or "reworded"
    old_text: str = ""
    new_text: str = ""
    details: tuple[str, ...] = ()


def diff_versions(old: Version, new: Version) -> list[QuestionChange]:
    """Compare two versions question by question through their stable codes."""
    before = _question_map(old)
    after = _question_map(new)
    changes = [
        QuestionChange(code, "removed", old_text=before[code].text)
        for code in before
        if code not in after
    ]
    for code, question in after.items():
        if code not in before:
            changes.append(QuestionChange(code, "added", new_text=question.text))
            continue
        details = _differences(before[code], question)
        if details:
            changes.append(
                QuestionChange(
                    code, "reworded", before[code].text, question.text, details
                )
            )
    return changes


def _question_map(version: Version) -> dict[str, Question]:
    questions = version.questions().select_related("group__scale")
    return {q.code: q for q in questions.prefetch_related("choices")}


def _differences(old: Question, new: Question) -> tuple[str, ...]:
    fields = ("text", "text_en", "help_text", "type", "required", "max_length")
    details = [name for name in fields if getattr(old, name) != getattr(new, name)]
    if _choice_labels(old) != _choice_labels(new):
        details.append("choices")
    if _scale_labels(old) != _scale_labels(new):
        details.append("scale")
    return tuple(details)


def _choice_labels(question: Question) -> list[tuple[str, str, str]]:
    return [(c.code, c.label, c.label_en) for c in question.choices.all()]


def _scale_labels(question: Question) -> list[tuple[int | None, str, str]]:
    if question.group is None:
        return []
    points = question.group.scale.points.all()
    return [(p.value, p.label, p.label_en) for p in points]


def previous_version(version: Version) -> Version | None:
    """The version before this one, the one its English is compared with."""
    earlier = version.questionnaire.versions.filter(number__lt=version.number)
    return earlier.order_by("-number").first()


def stale_english(previous: Version, version: Version) -> list[str]:
    """Texts reworded in Dutch since `previous` whose English stayed the same."""
    before = _question_map(previous)
    texts, labels = [], []
    for q in version.questions().prefetch_related("choices"):
        old = before.get(q.code)
        if old is None:
            continue
        if any(_is_stale(old, q, name) for name in ("text", "help_text")):
            texts.append(q.code)
        old_choices = {c.code: c for c in old.choices.all()}
        if any(
            _is_stale(old_choices[c.code], c, "label")
            for c in q.choices.all()
            if c.code in old_choices
        ):
            labels.append(q.code)
    number = previous.number
    return [
        *(
            _(
                "Question “%(code)s” was reworded in Dutch but its English text is "
                "still that of version %(number)s: translate it again."
            )
            % {"code": code, "number": number}
            for code in texts
        ),
        *(
            _(
                "A choice of question “%(code)s” was reworded in Dutch but its "
                "English label is still that of version %(number)s: translate it "
                "again."
            )
            % {"code": code, "number": number}
            for code in labels
        ),
    ]


def _is_stale(old: Any, new: Any, name: str) -> bool:
    english = getattr(new, f"{name}_en")
    return (
        getattr(old, name) != getattr(new, name)
        and bool(english.strip())
        and english == getattr(old, f"{name}_en")
    )
