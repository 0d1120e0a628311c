"""Questionnaire definitions as JSON: validate, import and export.

A definition describes one questionnaire version. `export_definition` writes every
key, so `export_definition(import_definition(d))` equals `normalize(d)`, and equals
`d` itself for a definition in canonical form such as the seed in fixtures/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction

from meldcode_survey.review.services import ensure_default_codebook

from .models import (
    Choice,
    Conditional,
    LikertGroup,
    Question,
    Questionnaire,
    Scale,
    ScalePoint,
    Section,
    Version,
)
from .services import version_publish, version_record_created


class DefinitionError(ValueError):
    """An invalid definition; the message names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    slug: bool = False
    minimum: int | None = None
    maximum: int | None = None


def _text(required: bool = False, max_length: int | None = None) -> Field:
    return Field(str, "", required, max_length=max_length)


# The limits of the model fields, so that a definition that passes imports.
_CODE = Field(str, "", True, max_length=40, slug=True)
_LABEL = _text(required=True, max_length=200)
_OPTIONAL_INT = Field((int, type(None)), None)
_CONDITION = Field((dict, type(None)), None)

QUESTIONNAIRE_FIELDS = {
    "slug": Field(str, "", True, max_length=80, slug=True),
    "title": _LABEL,
    "title_en": _text(max_length=200),
    "intro": _text(),
    "intro_en": _text(),
    "privacy_text": _text(),
    "privacy_text_en": _text(),
    "factsheet_intro": _text(),
    "factsheet_intro_en": _text(),
    "dilemma_source": _text(),
    "dilemma_source_en": _text(),
    "more_information": _text(),
    "more_information_en": _text(),
    "source": _text(),
    "source_en": _text(),
    "estimated_minutes": Field(int, 15, minimum=1, maximum=32767),
    "english_fallback": Field(bool, False),
    "scales": Field(list, []),
    "sections": Field(list, [], required=True),
}
SCALE_FIELDS = {
    "code": _CODE,
    "label": _LABEL,
    "points": Field(list, [], required=True),
}
POINT_FIELDS = {
    "value": Field((int, type(None)), None, minimum=0, maximum=32767),
    "label": _text(required=True, max_length=120),
    "label_en": _text(max_length=120),
}
SECTION_FIELDS = {
    "code": _CODE,
    "title": _LABEL,
    "title_en": _text(max_length=200),
    "intro": _text(),
    "intro_en": _text(),
    "condition": _CONDITION,
    "likert_groups": Field(list, []),
    "questions": Field(list, [], required=True),
}
GROUP_FIELDS = {
    "code": _CODE,
    "text": _text(required=True),
    "text_en": _text(),
    "scale": _text(required=True),
}
QUESTION_FIELDS = {
    "code": _CODE,
    "type": Field(str, required=True, choices=tuple(Question.Type.values)),
    "role": Field(str, "", choices=tuple(Question.Role.values)),
    "text": _text(required=True),
    "text_en": _text(),
    "help_text": _text(),
    "help_text_en": _text(),
    "required": Field(bool, True),
    "group": Field((str, type(None)), None),
    "max_length": Field((int, type(None)), None, minimum=1, maximum=2147483647),
    "min_value": _OPTIONAL_INT,
    "max_value": _OPTIONAL_INT,
    "condition": _CONDITION,
    "choices": Field(list, []),
}
CHOICE_FIELDS = {
    "code": _CODE,
    "label": _LABEL,
    "label_en": _text(max_length=200),
}
CONDITION_FIELDS = {
    "question": _text(required=True),
    "values": Field(list, [], required=True),
}


def _normalize_object(data: Any, fields: dict[str, Field], path: str) -> dict:
    if not isinstance(data, dict):
        raise DefinitionError(path, "must be an object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise DefinitionError(f"{path}.{unknown[0]}".lstrip("."), "unknown field")
    result = {}
    for name, spec in fields.items():
        where = f"{path}.{name}".lstrip(".")
        if name not in data:
            if spec.required:
                raise DefinitionError(where, "is required")
            result[name] = list(spec.default) if spec.kind is list else spec.default
            continue
        value = data[name]
        if isinstance(value, bool) and spec.kind in (int, (int, type(None))):
            raise DefinitionError(where, "must be a whole number")
        if not isinstance(value, spec.kind):
            raise DefinitionError(where, f"has the wrong type ({type(value).__name__})")
        if spec.required and value in ("", []):
            raise DefinitionError(where, "must not be empty")
        if spec.choices is not None and value not in spec.choices:
            raise DefinitionError(
                where, f"'{value}' is not one of {list(spec.choices)}"
            )
        _check_limits(value, spec, where)
        result[name] = value
    return result


def _check_limits(value: Any, spec: Field, where: str) -> None:
    if spec.max_length is not None and len(value) > spec.max_length:
        raise DefinitionError(
            where, f"has {len(value)} characters, at most {spec.max_length} allowed"
        )
    if spec.slug and value:
        try:
            validate_slug(value)
        except ValidationError as error:
            raise DefinitionError(
                where,
                f"'{value}' is not a valid code: use only letters, digits, "
                "hyphens and underscores, no spaces",
            ) from error
    if isinstance(value, int) and spec.minimum is not None and value < spec.minimum:
        raise DefinitionError(where, f"must be at least {spec.minimum}")
    if isinstance(value, int) and spec.maximum is not None and value > spec.maximum:
        raise DefinitionError(where, f"must be at most {spec.maximum}")


def _normalize_list(items: list, fields: dict[str, Field], path: str) -> list[dict]:
    normalized = [
        _normalize_object(item, fields, f"{path}[{i}]") for i, item in enumerate(items)
    ]
    codes = [item["code"] for item in normalized if "code" in item]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise DefinitionError(f"{path}[{i}].code", f"'{code}' is used twice")
    return normalized


def normalize(data: Any) -> dict:
    """Validate a definition and fill in defaults; raise DefinitionError if invalid."""
    result = _normalize_object(data, QUESTIONNAIRE_FIELDS, "")
    result["scales"] = _normalize_list(result["scales"], SCALE_FIELDS, "scales")
    for i, scale in enumerate(result["scales"]):
        scale["points"] = _normalize_points(scale["points"], f"scales[{i}].points")
    result["sections"] = _normalize_list(result["sections"], SECTION_FIELDS, "sections")
    seen: dict[str, dict] = {}
    roles: set[str] = set()
    for i, section in enumerate(result["sections"]):
        _normalize_section(section, f"sections[{i}]", result, seen, roles)
    return result


def _normalize_points(points: list, path: str) -> list[dict]:
    normalized = [
        _normalize_object(p, POINT_FIELDS, f"{path}[{i}]") for i, p in enumerate(points)
    ]
    values = [p["value"] for p in normalized]
    for i, value in enumerate(values):
        if value in values[:i]:
            raise DefinitionError(f"{path}[{i}].value", "is used twice")
    if not any(v is not None for v in values):
        raise DefinitionError(path, "needs at least one scored point")
    return normalized


def _normalize_section(
    section: dict, path: str, definition: dict, seen: dict, roles: set
) -> None:
    scale_codes = {s["code"] for s in definition["scales"]}
    section["likert_groups"] = _normalize_list(
        section["likert_groups"], GROUP_FIELDS, f"{path}.likert_groups"
    )
    for i, group in enumerate(section["likert_groups"]):
        if group["scale"] not in scale_codes:
            raise DefinitionError(
                f"{path}.likert_groups[{i}].scale", f"unknown scale '{group['scale']}'"
            )
    section["condition"] = _normalize_condition(section["condition"], path, seen)
    section["questions"] = _normalize_list(
        section["questions"], QUESTION_FIELDS, f"{path}.questions"
    )
    group_codes = {g["code"] for g in section["likert_groups"]}
    for i, question in enumerate(section["questions"]):
        where = f"{path}.questions[{i}]"
        if question["code"] in seen:
            raise DefinitionError(
                f"{where}.code", f"'{question['code']}' is used twice"
            )
        _check_question(question, where, group_codes, roles)
        question["condition"] = _normalize_condition(question["condition"], where, seen)
        seen[question["code"]] = question


def _check_question(question: dict, path: str, group_codes: set, roles: set) -> None:
    kind = question["type"]
    if kind == Question.Type.LIKERT:
        if question["group"] not in group_codes:
            raise DefinitionError(
                f"{path}.group", "a Likert item needs a Likert group of its section"
            )
    elif question["group"] is not None:
        raise DefinitionError(f"{path}.group", "only Likert items belong to a group")
    question["choices"] = _normalize_list(
        question["choices"], CHOICE_FIELDS, f"{path}.choices"
    )
    if kind in Question.CHOICE_TYPES and not question["choices"]:
        raise DefinitionError(f"{path}.choices", "a choice question needs choices")
    if kind not in Question.CHOICE_TYPES and question["choices"]:
        raise DefinitionError(f"{path}.choices", f"a {kind} question has no choices")
    if question["role"]:
        if question["role"] in roles:
            raise DefinitionError(f"{path}.role", "is given to two questions")
        roles.add(question["role"])


def _normalize_condition(condition: dict | None, path: str, seen: dict) -> dict | None:
    if condition is None:
        return None
    where = f"{path}.condition"
    condition = _normalize_object(condition, CONDITION_FIELDS, where)
    target = seen.get(condition["question"])
    if target is None:
        raise DefinitionError(
            f"{where}.question",
            f"'{condition['question']}' is not a question that comes earlier",
        )
    valid = _answer_codes(target)
    for i, value in enumerate(condition["values"]):
        if valid is not None and value not in valid:
            raise DefinitionError(f"{where}.values[{i}]", f"'{value}' is not an answer")
    return condition


def _answer_codes(question: dict) -> set[str] | None:
    if question["type"] == Question.Type.YES_NO:
        return {"yes", "no"}
    if question["type"] in Question.CHOICE_TYPES:
        return {c["code"] for c in question["choices"]}
    return None


@transaction.atomic
def import_definition(data: Any, *, publish: bool = False) -> Version:
    """Create a new version from a definition (and the questionnaire if new)."""
    definition = normalize(data)
    meta = {k: definition[k] for k in _QUESTIONNAIRE_META}
    questionnaire, created = Questionnaire.objects.update_or_create(
        slug=definition["slug"], defaults=meta
    )
    if created:
        ensure_default_codebook(questionnaire)
    last = questionnaire.versions.order_by("-number").first()
    version = Version.objects.create(
        questionnaire=questionnaire,
        number=last.number + 1 if last else 1,
        **{k: definition[k] for k in Version.TEXT_FIELDS},
    )
    version_record_created(version)
    scales = {s["code"]: _create_scale(version, s) for s in definition["scales"]}
    questions: dict[str, Question] = {}
    for position, section in enumerate(definition["sections"]):
        _create_section(version, position, section, scales, questions)
    if publish:
        version_publish(version)
    return version


_NESTED = {"scales", "sections"}
# Kept on the questionnaire (its name in staff pages, the time it takes, and the
# fact sheet's texts, which staff may still edit after publication); the texts
# respondents read belong to the version (Version.TEXT_FIELDS).
_QUESTIONNAIRE_META = (
    "title",
    "title_en",
    "estimated_minutes",
    *Questionnaire.FACTSHEET_FIELDS,
)
_SECTION_TEXT = ("code", "title", "title_en", "intro", "intro_en")


def _create_scale(version: Version, data: dict) -> Scale:
    scale = Scale.objects.create(
        version=version, code=data["code"], label=data["label"]
    )
    ScalePoint.objects.bulk_create(
        ScalePoint(scale=scale, position=i, **point)
        for i, point in enumerate(data["points"])
    )
    return scale


def _create_section(
    version: Version, position: int, data: dict, scales: dict, questions: dict
) -> None:
    fields = {k: data[k] for k in _SECTION_TEXT}
    section = Section(version=version, position=position, **fields)
    _set_condition(section, data["condition"], questions)
    section.save()
    groups = {
        g["code"]: LikertGroup.objects.create(
            section=section,
            code=g["code"],
            text=g["text"],
            text_en=g["text_en"],
            scale=scales[g["scale"]],
        )
        for g in data["likert_groups"]
    }
    for i, q in enumerate(data["questions"]):
        questions[q["code"]] = _create_question(section, i, q, groups, questions)


def _create_question(
    section: Section, position: int, data: dict, groups: dict, questions: dict
) -> Question:
    plain = {
        k: v for k, v in data.items() if k not in ("group", "condition", "choices")
    }
    question = Question(section=section, position=position, **plain)
    question.group = groups.get(data["group"]) if data["group"] else None
    _set_condition(question, data["condition"], questions)
    question.save()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, **choice)
        for i, choice in enumerate(data["choices"])
    )
    return question


def _set_condition(
    target: Conditional,
    condition: dict[str, Any] | None,
    questions: dict[str, Question],
) -> None:
    if condition:
        target.condition_question = questions[condition["question"]]
        target.condition_values = list(condition["values"])


def export_definition(version: Version) -> dict:
    """The canonical definition of a version, every key present."""
    questionnaire = version.questionnaire
    data = {
        k: getattr(version if k in Version.TEXT_FIELDS else questionnaire, k)
        for k in QUESTIONNAIRE_FIELDS
        if k not in _NESTED
    }
    scales = version.scales.prefetch_related("points").order_by("id")
    data["scales"] = [
        {
            "code": s.code,
            "label": s.label,
            "points": [_pick(p, POINT_FIELDS) for p in s.points.all()],
        }
        for s in scales
    ]
    sections = version.sections.prefetch_related(
        "likert_groups__scale",
        "questions__choices",
        "questions__group",
        "questions__condition_question",
        "condition_question",
    )
    data["sections"] = [_export_section(s) for s in sections]
    return data


def _pick(obj: models.Model, fields: dict[str, Field]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _export_condition(obj: Conditional) -> dict | None:
    if obj.condition_question is None:
        return None
    return {"question": obj.condition_question.code, "values": obj.condition_values}


def _export_section(section: Section) -> dict:
    data = {k: getattr(section, k) for k in _SECTION_TEXT}
    data["condition"] = _export_condition(section)
    data["likert_groups"] = [
        {"code": g.code, "text": g.text, "text_en": g.text_en, "scale": g.scale.code}
        for g in sorted(section.likert_groups.all(), key=lambda g: g.pk)
    ]
    data["questions"] = [_export_question(q) for q in section.questions.all()]
    return data


def _export_question(question: Question) -> dict:
    nested = ("group", "condition", "choices")
    data = {k: getattr(question, k) for k in QUESTION_FIELDS if k not in nested}
    data["group"] = question.group.code if question.group is not None else None
    data["condition"] = _export_condition(question)
    data["choices"] = [_pick(c, CHOICE_FIELDS) for c in question.choices.all()]
    return {k: data[k] for k in QUESTION_FIELDS}
