"""Writes across several questionnaire models: publish, copy, compare versions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Choice, Question, Scale, ScalePoint, Section, Version


@transaction.atomic
def version_publish(version: Version) -> Version:
    """Publish a draft; the previously published version is closed to new starts."""
    version = Version.objects.select_for_update().get(pk=version.pk)
    if version.status == Version.Status.PUBLISHED:
        return version
    Version.objects.filter(
        questionnaire=version.questionnaire_id, status=Version.Status.PUBLISHED
    ).update(status=Version.Status.CLOSED)
    version.status = Version.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    return version


@transaction.atomic
def version_copy(version: Version) -> Version:
    """Copy a version, with all its content, into a new draft."""
    last = version.questionnaire.versions.order_by("-number").first()
    draft = Version.objects.create(
        questionnaire=version.questionnaire,
        number=last.number + 1,
        notes=f"Copy of version {version.number}",
    )
    scales = {s.pk: _copy_scale(s, draft) for s in version.scales.all()}
    questions: dict[int, Question] = {}
    for section in version.sections.all():
        _copy_section(section, draft, scales, questions)
    return draft


def _copy_scale(scale: Scale, draft: Version) -> Scale:
    points = list(scale.points.all())
    scale.pk = None
    scale.version = draft
    scale.save()
    for point in points:
        point.pk = None
        point.scale = scale
    ScalePoint.objects.bulk_create(points)
    return scale


def _copy_section(
    section: Section, draft: Version, scales: dict, questions: dict
) -> None:
    groups = list(section.likert_groups.all())
    originals = list(section.questions.prefetch_related("choices"))
    section.pk = None
    section.version = draft
    section.condition_question = questions.get(section.condition_question_id)
    section.save()
    new_groups = {}
    for group in groups:
        old_pk = group.pk
        group.pk = None
        group.section = section
        group.scale = scales[group.scale_id]
        group.save()
        new_groups[old_pk] = group
    for question in originals:
        old_pk, choices = question.pk, list(question.choices.all())
        question.pk = None
        question.section = section
        question.group = new_groups.get(question.group_id)
        question.condition_question = questions.get(question.condition_question_id)
        question.save()
        for choice in choices:
            choice.pk = None
            choice.question = question
        Choice.objects.bulk_create(choices)
        questions[old_pk] = question


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


def _scale_labels(question: Question) -> list[tuple]:
    if not question.group_id:
        return []
    return [(p.value, p.label, p.label_en) for p in question.group.scale.points.all()]
