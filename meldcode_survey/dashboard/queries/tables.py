"""Counts from the rollups, arranged as one table per view.

A view maps a cell key to a count. Keys carry the sector first; ALL stands for
all sectors together:

    ("resp", sector, measure)       respondents, applied, cases, ... and remainders
    ("ans", sector, question, key)  an answer count (see models.*_KEY)
    ("n", sector, question)         valid n of a Likert item (scored points)
    ("miss", sector, question)      respondents without an answer (never shown)
    ("not", sector, question, key)  answered a multiple-choice question without
                                    choosing this option (never shown)

Every cell has a count and the sum of its responses' record keys; both are
derived the same way (a derived cell counts the union or the difference of
the responses of other cells), so `derive` serves both. The queries here read
rollup tables only, never the raw answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from django.db.models import Sum

from meldcode_survey.questionnaires.models import Choice, Question, ScalePoint, Version
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.questionnaires.structure import structure
from meldcode_survey.responses.models import NOT_APPLICABLE_KEY

from ..models import ANSWERED_KEY, AnswerRollup, ResponseRollup

RESPONSE_MEASURES = ResponseRollup.COUNTS
KEY_SUMS = ResponseRollup.KEY_SUMS
KEYS = "keys"  # first element of the key of a cell's key sum

# A cell's key: what is counted, its sector, then question and answer key.
CellKey = tuple[Any, ...]
# A view: cell key to count.
View = dict[CellKey, int]
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


def version_meta(version: Version) -> VersionMeta:
    """Questions, scales and choices, from the version's structure
    (questionnaires.structure: loaded once per process for a frozen version)."""
    questions = [
        q
        for q in structure(version).questions
        if q.type == Question.Type.LIKERT or q.type in Question.CHOICE_TYPES
    ]
    items = [q for q in questions if q.type == Question.Type.LIKERT]
    return VersionMeta(
        version_id=version.pk,
        items=items,
        scored={
            q.pk: sorted(
                (p for p in _points(q) if p.value is not None),
                key=attrgetter("value"),
            )
            for q in items
        },
        unscored={
            q.pk: next((p for p in _points(q) if p.value is None), None) for q in items
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


# --- Loading ------------------------------------------------------------------


def _points(item: Question) -> list[ScalePoint]:
    assert item.group is not None  # a Likert item has one (Question.clean)
    return list(item.group.scale.points.all())


@dataclass
class Counts:
    """Base counts (the rollup values) of one version and data set.

    Cell keys are `(KEYS, *cell)`: the sum of the record keys beside the count.
    `by_month` is filled only when asked for: a date filter sums the months,
    the unfiltered view reads the sums of the database.
    """

    months: list[date]  # every month with responses
    sectors: set[str]
    by_month: dict[date, View]
    whole: View
    synthetic: bool  # which data set these are
    present: set[bool]  # the data sets with responses in the version

    def between(self, month_from: date | None, month_to: date | None) -> View:
        summed: View = defaultdict(int)
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
    rows = list(
        ResponseRollup.objects.filter(version_id=version_id).values_list(
            "is_synthetic", "month", "sector", *RESPONSE_MEASURES, *KEY_SUMS
        )
    )
    present = {row[0] for row in rows if row[3] > 0}
    if synthetic is None:
        synthetic = False not in present and True in present
    months: dict[date, View] = defaultdict(lambda: defaultdict(int))
    whole: View = defaultdict(int)
    sectors: set[str] = set()
    for is_synthetic, month, sector, *values in rows:
        if is_synthetic != synthetic:
            continue
        sectors.add(sector)
        counts, keys = values[: len(KEY_SUMS)], values[len(KEY_SUMS) :]
        for measure, n, k in zip(RESPONSE_MEASURES, counts, keys, strict=True):
            for cell, value in (
                (("resp", sector, measure), n),
                ((KEYS, "resp", sector, measure), k),
            ):
                months[month][cell] += value
                whole[cell] += value
    answers = AnswerRollup.objects.filter(
        version_id=version_id, is_synthetic=synthetic
    ).order_by()
    if by_month:
        for month, sector, question, key, n, k in answers.values_list(
            "month", "sector", "question_id", "key", "answers", "keys"
        ):
            months[month]["ans", sector, question, key] += n
            months[month][KEYS, "ans", sector, question, key] += k
            whole["ans", sector, question, key] += n
            whole[KEYS, "ans", sector, question, key] += k
    else:
        for sector, question, key, n, k in answers.values_list(
            "sector", "question_id", "key"
        ).annotate(n=Sum("answers"), k=Sum("keys")):
            whole["ans", sector, question, key] = n
            whole[KEYS, "ans", sector, question, key] = k
    return Counts(
        months=sorted(months),
        sectors=sectors,
        by_month=dict(months) if by_month else {},
        whole=whole,
        synthetic=synthetic,
        present=present,
    )


# --- Views and their structure -------------------------------------------------


def derive(base: View, meta: VersionMeta, sectors: list[str]) -> View:
    """A complete view: base counts, derived cells and all-sector sums.

    Beside each cell `c` the view holds `(KEYS, *c)`, its record key sum.
    """
    counts = _derive_all(base, meta, sectors)
    key_base = {key[1:]: value for key, value in base.items() if key[0] == KEYS}
    keys = _derive_all(key_base, meta, sectors)
    return counts | {(KEYS, *key): value for key, value in keys.items()}


def _derive_all(base: View, meta: VersionMeta, sectors: list[str]) -> View:
    view: View = {}
    for sector in sectors:
        _derive_sector(view, base, meta, sector)
    for key, value in list(view.items()):
        all_key = (key[0], ALL, *key[2:])
        view[all_key] = view.get(all_key, 0) + value
    return view


def _derive_sector(view: View, base: View, meta: VersionMeta, s: str) -> None:
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
