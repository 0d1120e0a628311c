"""The raw data layout: a row per response, a column per question code.

Columns, in questionnaire order after `response_id`, `version` and
`submitted_on`:

* single choice: the choice code (text), value labels = choice labels;
* multiple choice: one 0/1 column per option, named `<question>_<option>`;
  empty when the respondent did not answer the question;
* Likert item: the scale value 1-5; "n.v.t." is a labelled missing value
  (`not_applicable_value`, 9 on a five-point scale);
* yes/no: 1 yes, 0 no;
* number: the number;
* open answers and the three case-narrative texts: only in the variant with free
  text, which only staff can request.

An empty cell is a question the respondent did not see or did not answer.
Column names are the stable question codes, made valid for SPSS where needed,
so that the same name means the same question in every version and format.

Rows are read in chunks of responses by primary key (keyset pagination), with
their answers fetched per chunk, so memory stays bounded by the chunk size
whatever the number of responses. On PostgreSQL the raw CSV does not go through
Python at all: pgcopy.py has the database pivot and write it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import (
    NARRATIVE_FIELDS,
    Answer,
    CaseNarrative,
    Response,
)

CHUNK_SIZE = 2000
STRING, NUMERIC, DATE = "string", "numeric", "date"
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # STRING, NUMERIC or DATE
    value_labels: dict[Any, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()  # user-missing values (SPSS)
    measure: str = "unknown"  # nominal, ordinal, scale or unknown


@dataclass(frozen=True)
class RawSelection:
    """Which responses: one version, one data set, optionally a sector and period."""

    version: Version
    synthetic: bool = False
    sector: str = ALL
    date_from: date | None = None
    date_to: date | None = None
    free_text: bool = False

    def responses(self) -> QuerySet[Response]:
        qs = Response.objects.filter(version=self.version, is_synthetic=self.synthetic)
        if self.sector != ALL:
            qs = qs.filter(sector=self.sector)
        if self.date_from:
            qs = qs.filter(submitted_on__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(submitted_on__lte=self.date_to)
        return qs.order_by("pk")


def not_applicable_value(scored: list[int]) -> int:
    """A code for "n.v.t." beyond the scored values: 9, or 99 on longer scales."""
    return 9 if max(scored, default=0) < 9 else 99


_INVALID = re.compile(r"[^A-Za-z0-9_]")


def variable_name(code: str, taken: set[str]) -> str:
    """A name valid in SPSS (letter first; letters, digits, _; 64 at most)."""
    name = _INVALID.sub("_", code)
    if not name[:1].isalpha():
        name = f"v{name}"
    name = name[:64]
    base, n = name, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 64 - len(str(n)) - 1]}_{n}"
    taken.add(name.lower())
    return name


class RawLayout:
    """The columns of one version and how an answer row fills them."""

    def __init__(self, version: Version, *, free_text: bool) -> None:
        self.version = version
        self.free_text = free_text
        self.columns: list[Column] = []
        self._taken: set[str] = set()
        # question id -> (kind, slot or {choice id: slot}, extra)
        self._slots: dict[int, tuple[str, Any, Any]] = {}
        self._narrative_slots: dict[str, int] = {}
        self._add(Column("response_id", _("Response number"), NUMERIC))
        self._add(Column("version", _("Questionnaire version"), NUMERIC))
        self._add(Column("submitted_on", _("Submitted on"), DATE))
        questions = (
            version.questions()
            .select_related("group__scale")
            .prefetch_related("choices", "group__scale__points")
        )
        for question in questions:
            self._add_question(question)

    def _add(self, column: Column) -> int:
        named = Column(
            variable_name(column.name, self._taken),
            column.label,
            column.kind,
            column.value_labels,
            column.missing,
            column.measure,
        )
        self.columns.append(named)
        return len(self.columns) - 1

    def _add_question(self, q: Question) -> None:
        text, kind = q.tr("text"), q.type
        narrative_field = NARRATIVE_FIELDS.get(q.role)
        if narrative_field or kind in Question.TEXT_TYPES:
            if self.free_text:
                slot = self._add(Column(q.code, text, STRING))
                if narrative_field:
                    self._narrative_slots[narrative_field] = slot
                else:
                    self._slots[q.pk] = ("text", slot, None)
            return
        if kind == Question.Type.SINGLE_CHOICE:
            labels = {c.code: c.tr("label") for c in q.choices.all()}
            slot = self._add(Column(q.code, text, STRING, labels, measure="nominal"))
            codes = {c.pk: c.code for c in q.choices.all()}
            self._slots[q.pk] = ("single", slot, codes)
        elif kind == Question.Type.MULTIPLE_CHOICE:
            slots = {
                c.pk: self._add(
                    Column(
                        f"{q.code}_{c.code}",
                        f"{text}: {c.tr('label')}",
                        NUMERIC,
                        {0: _("Not chosen"), 1: _("Chosen")},
                        measure="nominal",
                    )
                )
                for c in q.choices.all()
            }
            self._slots[q.pk] = ("multiple", slots, sorted(slots.values()))
        elif kind == Question.Type.LIKERT:
            self._add_likert(q, text)
        elif kind == Question.Type.YES_NO:
            yes_no = {1: _("Yes"), 0: _("No")}
            slot = self._add(Column(q.code, text, NUMERIC, yes_no, measure="nominal"))
            self._slots[q.pk] = ("yes", slot, None)
        elif kind == Question.Type.NUMBER:
            slot = self._add(Column(q.code, text, NUMERIC, measure="scale"))
            self._slots[q.pk] = ("number", slot, None)

    def _add_likert(self, q: Question, text: str) -> None:
        points = list(q.scale.points.all()) if q.scale else []
        scored = [p.value for p in points if p.value is not None]
        nvt = not_applicable_value(scored)
        labels: dict[Any, str] = {p.value: p.tr("label") for p in points if p.value}
        unscored = [p.tr("label") for p in points if p.value is None]
        labels[nvt] = unscored[0] if unscored else _("Not applicable")
        slot = self._add(
            Column(q.code, text, NUMERIC, labels, missing=(nvt,), measure="ordinal")
        )
        self._slots[q.pk] = ("likert", slot, nvt)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def answer_slots(self) -> dict[int, tuple[str, Any, Any]]:
        """Per question id: (kind, its column or {choice id: column}, extra)."""
        return self._slots

    @property
    def narrative_slots(self) -> dict[str, int]:
        """Per case-narrative field: its column (only with free text)."""
        return self._narrative_slots

    def fill(self, row: list[Any], answer: tuple) -> None:
        """Put one answer row (see `_ANSWER_FIELDS`) into its column(s)."""
        question_id, choice_id, scale_value, not_applicable, yes, number, text = answer
        spec = self._slots.get(question_id)
        if spec is None:
            return
        kind, slot, extra = spec
        if kind == "single":
            row[slot] = extra.get(choice_id)
        elif kind == "multiple":
            for each in extra:
                if row[each] is None:
                    row[each] = 0
            if choice_id in slot:
                row[slot[choice_id]] = 1
        elif kind == "likert":
            row[slot] = extra if not_applicable else scale_value
        elif kind == "yes":
            row[slot] = None if yes is None else int(yes)
        elif kind == "number":
            row[slot] = number
        elif kind == "text":
            row[slot] = text

    def fill_narrative(self, row: list[Any], texts: dict[str, str]) -> None:
        for name, slot in self._narrative_slots.items():
            row[slot] = texts.get(name, "")


_ANSWER_FIELDS = (
    "response_id",
    "question_id",
    "choice_id",
    "scale_value",
    "not_applicable",
    "yes",
    "number",
    "text",
)


def iter_rows(
    layout: RawLayout,
    selection: RawSelection,
    *,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[list[Any]]:
    """Every selected response as a list of values in `layout.columns` order."""
    responses = selection.responses()
    total = responses.count() if progress else 0
    done, last = 0, 0
    while True:
        chunk = list(
            responses.filter(pk__gt=last).values_list("pk", "submitted_on")[:chunk_size]
        )
        if not chunk:
            return
        last = chunk[-1][0]
        yield from _chunk_rows(layout, selection, chunk)
        done += len(chunk)
        if progress and total:
            progress(done / total)


def _chunk_rows(
    layout: RawLayout, selection: RawSelection, chunk: list[tuple[int, date]]
) -> Iterator[list[Any]]:
    ids = [pk for pk, _day in chunk]
    width = len(layout.columns)
    rows: dict[int, list[Any]] = {}
    for pk, day in chunk:
        row: list[Any] = [None] * width
        row[0], row[1], row[2] = pk, selection.version.number, day
        rows[pk] = row
    answers = (
        Answer.objects.filter(response_id__in=ids)
        .order_by()
        .values_list(*_ANSWER_FIELDS)
    )
    for answer in answers.iterator(chunk_size=10_000):
        layout.fill(rows[answer[0]], answer[1:])
    if layout.free_text:
        narratives = CaseNarrative.objects.filter(response_id__in=ids).values_list(
            "response_id", "description", "dilemma", "follow_up"
        )
        for response_id, description, dilemma, follow_up in narratives:
            layout.fill_narrative(
                rows[response_id],
                {
                    "description": description,
                    "dilemma": dilemma,
                    "follow_up": follow_up,
                },
            )
    for pk in ids:
        yield rows.pop(pk)
