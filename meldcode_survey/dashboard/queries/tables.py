"""Counts from the rollups, arranged as one table per view with its relations.

A view maps a cell key to a count. Keys carry the sector first; ALL stands for
all sectors together:

    ("resp", sector, measure)       respondents, applied, cases, ... and remainders
    ("ans", sector, question, key)  an answer count (see models.*_KEY)
    ("n", sector, question)         valid n of a Likert item (scored points)
    ("miss", sector, question)      respondents without an answer (never shown)
    ("not", sector, question, key)  answered a multiple-choice question without
                                    choosing this option (never shown)

The queries here read rollup tables only, never the raw answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from meldcode_survey.questionnaires.models import Choice, Question, ScalePoint, Version
from meldcode_survey.responses.models import NOT_APPLICABLE_KEY

from ..models import ANSWERED_KEY, AnswerRollup, ResponseRollup
from .disclosure import Relation, Structure

ALL = "*"  # sector codes are slugs, so this never clashes

RESPONSE_MEASURES = ResponseRollup.COUNTS
# Never shown: remainders that complete a relation.
RESPONSE_REMAINDERS = ("applied_unknown", "applied_no_case", "dilemma_unknown")
DISPLAYED_MEASURES = (
    "respondents",
    "applied",
    "cases",
    "cases_with_dilemma",
    "cases_without_dilemma",
)


@dataclass
class VersionMeta:
    """The questions of a version that the dashboard summarises."""

    version_id: int
    items: list[Question]  # Likert items in questionnaire order
    scored: dict[int, list[ScalePoint]]  # question id -> scored points by value
    unscored: dict[int, ScalePoint | None]
    choices: list[Question]  # choice questions shown, except the sector
    options: dict[int, list[Choice]]
    sectors: list[Choice]  # the options of the sector question
    _structures: dict[tuple[str, ...], Structure] = field(default_factory=dict)

    def sector_codes(self, present: set[str]) -> list[str]:
        """The sectors of the question, then any others that have data."""
        codes = [choice.code for choice in self.sectors]
        return codes + sorted(present - set(codes))

    def sector_label(self, code: str) -> str:
        for choice in self.sectors:
            if choice.code == code:
                return choice.tr("label")
        return code

    def item_by_code(self, code: str) -> Question | None:
        return next((q for q in self.items if q.code == code), None)


_META_CACHE: dict[int, VersionMeta] = {}


def version_meta(version: Version) -> VersionMeta:
    """Questions, scales and choices; cached for frozen (unchangeable) versions."""
    cached = _META_CACHE.get(version.pk)
    if cached is not None:
        return cached
    questions = list(
        Question.objects.filter(
            version=version,
            type__in=[Question.Type.LIKERT, *Question.CHOICE_TYPES],
        )
        .select_related("group__scale", "section")
        .prefetch_related("group__scale__points", "choices")
        .order_by("section__position", "position")
    )
    items = [q for q in questions if q.type == Question.Type.LIKERT]
    meta = VersionMeta(
        version_id=version.pk,
        items=items,
        scored={
            q.pk: sorted(
                (p for p in q.group.scale.points.all() if p.value is not None),
                key=lambda p: p.value,
            )
            for q in items
        },
        unscored={
            q.pk: next((p for p in q.group.scale.points.all() if p.value is None), None)
            for q in items
        },
        choices=[
            q
            for q in questions
            if q.type in Question.CHOICE_TYPES and q.role != Question.Role.SECTOR
        ],
        options={q.pk: list(q.choices.all()) for q in questions},
        sectors=next(
            (
                list(q.choices.all())
                for q in questions
                if q.role == Question.Role.SECTOR
            ),
            [],
        ),
    )
    if version.is_frozen:
        _META_CACHE[version.pk] = meta
    return meta


# --- Loading ------------------------------------------------------------------


@dataclass
class Counts:
    """Base counts (the rollup values) of one version and data set.

    `by_month` is filled only when asked for: a date filter needs the months
    (see disclosure.py), the unfiltered view only their sum.
    """

    months: list[date]  # every month with responses
    sectors: set[str]
    by_month: dict[date, dict[tuple, int]]
    whole: dict[tuple, int]
    synthetic: bool  # which data set these are
    present: set[bool]  # the data sets with responses in the version

    def between(self, month_from: date | None, month_to: date | None) -> dict:
        summed: dict[tuple, int] = defaultdict(int)
        for month, base in self.by_month.items():
            if (month_from and month < month_from) or (month_to and month > month_to):
                continue
            for key, value in base.items():
                summed[key] += value
        return summed


def load_counts(version_id: int, synthetic: bool | None, *, by_month: bool) -> Counts:
    """Two queries on the rollups; months summed in the database unless needed.

    `synthetic` None picks the real responses, or the synthetic ones when the
    version has no real responses.
    """
    rows = ResponseRollup.objects.filter(version_id=version_id).values_list(
        "is_synthetic", "month", "sector", *RESPONSE_MEASURES
    )
    rows = list(rows)
    present = {row[0] for row in rows if row[3] > 0}
    if synthetic is None:
        synthetic = False not in present and True in present
    months: dict[date, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    whole: dict[tuple, int] = defaultdict(int)
    sectors: set[str] = set()
    for is_synthetic, month, sector, *values in rows:
        if is_synthetic != synthetic:
            continue
        sectors.add(sector)
        for measure, value in zip(RESPONSE_MEASURES, values, strict=True):
            months[month]["resp", sector, measure] += value
            whole["resp", sector, measure] += value
    answers = AnswerRollup.objects.filter(
        version_id=version_id, is_synthetic=synthetic
    ).order_by()
    if by_month:
        for month, sector, question, key, n in answers.values_list(
            "month", "sector", "question_id", "key", "answers"
        ):
            months[month]["ans", sector, question, key] += n
            whole["ans", sector, question, key] += n
    else:
        for sector, question, key, n in answers.values_list(
            "sector", "question_id", "key"
        ).annotate(n=Sum("answers")):
            whole["ans", sector, question, key] = n
    return Counts(
        months=sorted(months),
        sectors=sectors,
        by_month=dict(months) if by_month else {},
        whole=whole,
        synthetic=synthetic,
        present=present,
    )


# --- Views and their structure -------------------------------------------------


def derive(base: dict, meta: VersionMeta, sectors: list[str]) -> dict[tuple, int]:
    """A complete view: base counts, derived cells and all-sector sums."""
    view: dict[tuple, int] = {}
    for sector in sectors:
        _derive_sector(view, base, meta, sector)
    for key, value in list(view.items()):
        all_key = (key[0], ALL, *key[2:])
        view[all_key] = view.get(all_key, 0) + value
    return view


def _derive_sector(view: dict, base: dict, meta: VersionMeta, s: str) -> None:
    def get(*key: object) -> int:
        return base.get(key, 0)

    for measure in RESPONSE_MEASURES:
        view["resp", s, measure] = get("resp", s, measure)
    respondents = view["resp", s, "respondents"]
    applied, cases = view["resp", s, "applied"], view["resp", s, "cases"]
    view["resp", s, "applied_unknown"] = (
        respondents - applied - view["resp", s, "not_applied"]
    )
    view["resp", s, "applied_no_case"] = applied - cases
    view["resp", s, "dilemma_unknown"] = (
        cases
        - view["resp", s, "cases_with_dilemma"]
        - view["resp", s, "cases_without_dilemma"]
    )
    for item in meta.items:
        n = 0
        for point in meta.scored[item.pk]:
            value = view["ans", s, item.pk, point.value] = get(
                "ans", s, item.pk, point.value
            )
            n += value
        nvt = view["ans", s, item.pk, NOT_APPLICABLE_KEY] = get(
            "ans", s, item.pk, NOT_APPLICABLE_KEY
        )
        view["n", s, item.pk] = n
        view["miss", s, item.pk] = respondents - n - nvt
    for question in meta.choices:
        chosen = 0
        for option in meta.options[question.pk]:
            value = view["ans", s, question.pk, option.pk] = get(
                "ans", s, question.pk, option.pk
            )
            chosen += value
        if question.type == Question.Type.MULTIPLE_CHOICE:
            answered = get("ans", s, question.pk, ANSWERED_KEY)
            for option in meta.options[question.pk]:
                view["not", s, question.pk, option.pk] = (
                    answered - view["ans", s, question.pk, option.pk]
                )
        else:
            answered = chosen
        view["ans", s, question.pk, ANSWERED_KEY] = answered
        view["miss", s, question.pk] = respondents - answered


def structure_for(meta: VersionMeta, sectors: list[str]) -> Structure:
    """The relations between the cells of a view (cached per sector list)."""
    cache_key = tuple(sectors)
    if cache_key not in meta._structures:
        meta._structures[cache_key] = _build_structure(meta, sectors)
    return meta._structures[cache_key]


def _build_structure(meta: VersionMeta, sectors: list[str]) -> Structure:
    relations: list[Relation] = []
    displayed: set = set()
    insensitive: set = set()
    shapes: list[tuple] = []  # sector-free key shapes, for the all-sector sums
    for s in [*sectors, ALL]:
        rel, shown, remainders, sector_shapes = _sector_structure(meta, s)
        relations += rel
        displayed |= shown
        insensitive |= remainders
        if s == ALL:
            shapes = sector_shapes
    for shape in shapes:
        relations.append(
            Relation(
                total=(shape[0], ALL, *shape[1:]),
                parts=tuple((shape[0], s, *shape[1:]) for s in sectors),
            )
        )
    return Structure(relations=relations, displayed=displayed, insensitive=insensitive)


def _sector_structure(meta: VersionMeta, s: str) -> tuple[list, set, set, list]:
    def r(measure: str) -> tuple:
        return ("resp", s, measure)

    relations = [
        Relation(
            r("respondents"), (r("applied"), r("not_applied"), r("applied_unknown"))
        ),
        Relation(r("applied"), (r("cases"), r("applied_no_case"))),
        Relation(
            r("cases"),
            (r("cases_with_dilemma"), r("cases_without_dilemma"), r("dilemma_unknown")),
        ),
    ]
    displayed = {r(m) for m in DISPLAYED_MEASURES}
    insensitive = {r(m) for m in RESPONSE_REMAINDERS}
    for item in meta.items:
        q = item.pk
        points = tuple(("ans", s, q, p.value) for p in meta.scored[q])
        nvt = ("ans", s, q, NOT_APPLICABLE_KEY)
        relations.append(Relation(("n", s, q), points))
        relations.append(Relation(r("respondents"), (("n", s, q), nvt, ("miss", s, q))))
        displayed |= {*points, nvt, ("n", s, q)}
        insensitive.add(("miss", s, q))
    for question in meta.choices:
        q = question.pk
        options = tuple(("ans", s, q, o.pk) for o in meta.options[q])
        answered = ("ans", s, q, ANSWERED_KEY)
        displayed |= {*options, answered}
        insensitive.add(("miss", s, q))
        relations.append(Relation(r("respondents"), (answered, ("miss", s, q))))
        if question.type == Question.Type.MULTIPLE_CHOICE:
            for option in options:
                relations.append(Relation(answered, (option, ("not", *option[1:]))))
        else:
            relations.append(Relation(answered, options))
    shapes = sorted(
        {(key[0], *key[2:]) for rel in relations for key in rel.members},
        key=repr,
    )
    return relations, displayed, insensitive, shapes
