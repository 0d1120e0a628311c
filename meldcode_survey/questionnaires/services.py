"""Writes across several questionnaire models: publish (with its checks), copy.

Reads, such as the comparison of two versions, are in queries.py.

A new version and a publication are audited here (and a version added in the
admin by its admin).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldcode_survey import audit
from meldcode_survey.accounts.access import AnyUser
from meldcode_survey.audit.models import Action
from meldcode_survey.lib.i18n import Translatable

from .models import (
    Choice,
    LikertGroup,
    Question,
    Scale,
    ScalePoint,
    Section,
    Version,
)
from .queries import previous_version, stale_english
from .sectors import ALL


@transaction.atomic
def version_publish(version: Version, *, reopen: bool = False) -> Version:
    """Publish a version; the previously published version is closed to new starts.

    Refuses (ValidationError, one message per problem) a version that is not fit
    to publish (see `publish_problems`), and a closed version unless `reopen`
    says that re-opening it was confirmed.
    """
    version = Version.objects.select_for_update().get(pk=version.pk)
    if version.status == Version.Status.PUBLISHED:
        return version
    if version.status == Version.Status.CLOSED and not reopen:
        raise ValidationError(
            _("Version %(number)s is closed; re-opening it must be confirmed.")
            % {"number": version.number},
            code="closed",
        )
    problems = publish_problems(version)
    if problems:
        raise ValidationError(problems, code="unfit")
    Version.objects.filter(
        questionnaire=version.questionnaire_id, status=Version.Status.PUBLISHED
    ).update(status=Version.Status.CLOSED)
    version.status = Version.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    audit.record(
        None, Action.QUESTIONNAIRE_PUBLISHED, version, **version_audit_details(version)
    )
    return version


def version_record_created(version: Version, user: AnyUser | None = None) -> None:
    """Audit a new version (`user` None: the request's user, if any)."""
    audit.record(
        user,
        Action.QUESTIONNAIRE_VERSION_CREATED,
        version,
        **version_audit_details(version),
    )


def version_audit_details(version: Version) -> dict[str, Any]:
    return {"questionnaire": version.questionnaire.slug, "number": version.number}


@transaction.atomic
def version_copy(version: Version) -> Version:
    """Copy a version, with all its content, into a new draft."""
    last = version.questionnaire.versions.order_by("-number").first()
    assert last is not None  # at least `version` itself
    draft = Version.objects.create(
        questionnaire=version.questionnaire,
        number=last.number + 1,
        notes=f"Copy of version {version.number}",
        **{name: getattr(version, name) for name in Version.TEXT_FIELDS},
    )
    version_record_created(draft)
    scales = {s.pk: _copy_scale(s, draft) for s in version.scales.all()}
    # By the original's pk; .get() of a missing condition (None) gives None.
    questions: dict[int | None, Question] = {}
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
    section: Section,
    draft: Version,
    scales: dict[int, Scale],
    questions: dict[int | None, Question],
) -> None:
    groups = list(section.likert_groups.all())
    originals = list(section.questions.prefetch_related("choices"))
    section.pk = None
    section.version = draft
    section.condition_question = questions.get(section.condition_question_id)
    section.save()
    new_groups: dict[int | None, LikertGroup] = {}
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


# --- Fit to publish ---------------------------------------------------------------


def publish_problems(version: Version) -> list[str]:
    """Everything that stops `version` from going live, one sentence each."""
    questions = list(
        version.questions().select_related(
            "section", "group__scale", "condition_question"
        )
    )
    sections = list(version.sections.select_related("condition_question"))
    problems = [
        *_empty_problems(version, questions),
        *_choice_problems(questions),
        *_likert_problems(version, questions),
        *_condition_problems(version, sections, questions),
    ]
    if not version.english_fallback:
        problems += _missing_english(version, sections, questions)
    previous = previous_version(version)
    if previous is not None:
        problems += stale_english(previous, version)
    return problems


def _empty_problems(version: Version, questions: list[Question]) -> Iterator[str]:
    if not version.title.strip():
        yield _("The version has no title for respondents.")
    if not questions:
        yield _("The version has no questions.")


def _choice_problems(questions: list[Question]) -> Iterator[str]:
    with_choices = set(
        Choice.objects.filter(question__in=questions).values_list("question", flat=True)
    )
    for q in questions:
        if q.type in Question.CHOICE_TYPES and q.pk not in with_choices:
            yield _("Question “%(code)s” is a choice question without choices.") % {
                "code": q.code
            }
    reserved = Choice.objects.filter(
        question__in=questions, question__role=Question.Role.SECTOR, code=ALL
    )
    for code in reserved.values_list("question__code", flat=True):
        yield _(
            "Sector question “%(code)s” has an option coded “%(all)s”, which "
            "stands for all sectors together."
        ) % {"code": code, "all": ALL}


def _likert_problems(version: Version, questions: list[Question]) -> Iterator[str]:
    for q in questions:
        if q.type != Question.Type.LIKERT:
            continue
        scale = q.scale
        if scale is None or scale.version_id != version.pk or not scale.scored_values():
            yield _("Likert item “%(code)s” has no scale with scored points.") % {
                "code": q.code
            }


def _condition_problems(
    version: Version, sections: list[Section], questions: list[Question]
) -> Iterator[str]:
    order = {q.pk: i for i, q in enumerate(questions)}
    section_of = {q.pk: q.section.position for q in questions}
    for q in questions:
        target = q.condition_question_id
        if target is not None and order.get(target, len(questions)) >= order[q.pk]:
            yield _(
                "The condition of question “%(code)s” must point at an earlier "
                "question of this version."
            ) % {"code": q.code}
    for s in sections:
        target = s.condition_question_id
        if target is not None and section_of.get(target, s.position) >= s.position:
            yield _(
                "The condition of section “%(code)s” must point at a question of an "
                "earlier section of this version."
            ) % {"code": s.code}


def _texts(
    version: Version, sections: list[Section], questions: list[Question]
) -> Iterator[tuple[str, str, Translatable]]:
    """(what, Dutch field name, object) for every translatable text of a version."""
    yield _("the questionnaire"), "title", version
    yield _("the questionnaire"), "intro", version
    yield _("the questionnaire"), "privacy_text", version
    for s in sections:
        yield _("section “%(code)s”") % {"code": s.code}, "title", s
        yield _("section “%(code)s”") % {"code": s.code}, "intro", s
    for q in questions:
        yield _("question “%(code)s”") % {"code": q.code}, "text", q
        yield _("question “%(code)s”") % {"code": q.code}, "help_text", q
    for g in LikertGroup.objects.filter(section__version=version):
        yield _("Likert group “%(code)s”") % {"code": g.code}, "text", g
    for c in Choice.objects.filter(question__version=version).select_related(
        "question"
    ):
        where = _("choice “%(code)s” of question “%(question)s”")
        yield where % {"code": c.code, "question": c.question.code}, "label", c
    for p in ScalePoint.objects.filter(scale__version=version).select_related("scale"):
        where = _("point %(position)s of scale “%(code)s”")
        yield where % {"position": p.position + 1, "code": p.scale.code}, "label", p


def _missing_english(
    version: Version, sections: list[Section], questions: list[Question]
) -> list[str]:
    missing = [
        what
        for what, name, obj in _texts(version, sections, questions)
        if getattr(obj, name).strip() and not getattr(obj, f"{name}_en").strip()
    ]
    return [
        _(
            "The English text of %(what)s is missing. Add it, or state that "
            "Dutch is shown where English is missing."
        )
        % {"what": what}
        for what in dict.fromkeys(missing)
    ]
