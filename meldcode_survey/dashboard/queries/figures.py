"""Figures of one version and data set over a period, as analysts or staff see them.

Internal to the aggregation module: the public entry points are in __init__.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import NOT_APPLICABLE_KEY
from meldcode_survey.review.queries import (
    Example,
    SectorFrequencies,
    approved_examples,
    code_frequencies_by_sector,
)

from ..models import ANSWERED_KEY
from ..stats import (
    ALPHA,
    is_significant,
    mean_of_counts,
    two_proportion_z_test,
    wilson_interval,
)
from .disclosure import PerturbationTable, min_base
from .tables import (
    KEYS,
    CellKey,
    VersionMeta,
    View,
    derive,
    load_counts,
    version_meta,
)
from .types import (
    Cell,
    ChoiceSummary,
    CodedDilemmas,
    CodeShare,
    Context,
    Difference,
    ItemSummary,
    OptionCount,
    Period,
    PointCount,
    ScaleLabel,
    SectorFigures,
    Share,
    WaveItem,
)


def installation_ptable() -> PerturbationTable:
    """The installation's ptable: its DISCLOSURE_PTABLE file, else generated
    from its DISCLOSURE_SECRET (see disclosure.py); one per setting."""
    threshold = settings.SUPPRESSION_THRESHOLD
    source = settings.DISCLOSURE_PTABLE or settings.DISCLOSURE_SECRET
    return _ptable(bool(settings.DISCLOSURE_PTABLE), source, threshold)


@lru_cache(maxsize=4)
def _ptable(from_file: bool, source: str, threshold: int) -> PerturbationTable:
    if from_file:
        return PerturbationTable.from_csv(Path(source), threshold)
    return PerturbationTable.generate(source, threshold)


class Reader:
    """Reads cells and shares from a view: perturbed for analysts, exact for staff.

    Every published count goes through the ptable with its own cell key (see
    disclosure.py), and every share, mean and difference is computed from
    those published counts, so nothing shown can take the noise off again.
    No count is hidden; a share or mean is ("x") where its published base is
    under the minimum (disclosure.min_base).
    """

    def __init__(
        self, view: View, ptable: PerturbationTable, unsuppressed: bool
    ) -> None:
        self.view = view
        self.ptable = ptable
        self.unsuppressed = unsuppressed

    def value(self, key: CellKey) -> int:
        return self.view.get(key, 0)

    def count(self, keys: list[CellKey]) -> tuple[int, int]:
        """The published and the true count of the union of some cells."""
        true = sum(self.value(k) for k in keys)
        key_sum = sum(self.value((KEYS, *k)) for k in keys)
        return self.ptable.perturb(true, key_sum), true

    def published(self, keys: list[CellKey]) -> int:
        """The count as analysts see it; staff: the true one."""
        shown, true = self.count(keys)
        return true if self.unsuppressed else shown

    def shows_base(self, key: CellKey) -> bool:
        """Whether a share or mean on this base is given (published base only,
        so that an "x" tells nothing the published figures do not)."""
        return self.unsuppressed or self.published([key]) >= min_base(
            self.ptable.threshold
        )

    def cell(self, key: CellKey) -> Cell:
        shown, true = self.count([key])
        if self.unsuppressed:
            return Cell(value=true, protected=true < self.ptable.threshold)
        return Cell(value=shown)

    def share(self, numerator: list[CellKey], denominator: CellKey) -> Share:
        x_shown, x_true = self.count(numerator)
        n_shown, n_true = self.count([denominator])
        if self.unsuppressed:
            threshold = self.ptable.threshold
            protected = x_true < threshold or n_true < threshold
            x, n = x_true, n_true
        else:
            protected = False
            if 0 < n_shown < min_base(self.ptable.threshold):
                return Share(value=None, hidden=True)
            x, n = min(x_shown, n_shown), n_shown
        if n <= 0 or not 0 <= x <= n:
            return Share(value=None, protected=protected)
        low, high = wilson_interval(x, n)
        return Share(
            value=x / n,
            low=low,
            high=high,
            protected=protected,
            numerator=x,
            denominator=n,
        )


@dataclass
class Table:
    """One version and data set over a period, read through the ptable."""

    version: Version
    meta: VersionMeta
    synthetic: bool
    other_dataset: bool  # the other data set has responses too
    mixes: bool  # coded figures would mix real and synthetic narratives
    period: Period
    sectors: list[str]
    threshold: int
    unsuppressed: bool
    reader: Reader

    @classmethod
    def load(
        cls,
        version: Version,
        month_from: date | None,
        month_to: date | None,
        synthetic: bool | None,
        unsuppressed: bool,
    ) -> Table:
        threshold = installation_ptable().threshold
        meta = version_meta(version)
        filtered = month_from is not None or month_to is not None
        counts = load_counts(version.pk, synthetic, by_month=filtered)
        synthetic, present = counts.synthetic, counts.present
        sectors = meta.sector_codes(counts.sectors)
        if filtered:
            view = derive(counts.between(month_from, month_to), meta, sectors)
        else:
            view = derive(counts.whole, meta, sectors)
        return cls(
            version=version,
            meta=meta,
            synthetic=synthetic,
            other_dataset=len(present) > 1,
            mixes=synthetic and False in present,
            period=Period(month_from, month_to, counts.months),
            sectors=sectors,
            threshold=threshold,
            unsuppressed=unsuppressed,
            reader=Reader(view, installation_ptable(), unsuppressed),
        )

    def context(self) -> Context:
        questionnaire = self.version.questionnaire
        return Context(
            questionnaire=questionnaire.tr("title"),
            questionnaire_slug=questionnaire.slug,
            version_id=self.version.pk,
            version_number=self.version.number,
            period=self.period,
            synthetic=self.synthetic,
            unsuppressed=self.unsuppressed,
            threshold=self.threshold,
            other_dataset=self.other_dataset,
            alpha=ALPHA,
        )

    def label(self, s: str) -> str:
        return _("All sectors") if s == ALL else self.meta.sector_label(s)

    def scale(self) -> list[ScaleLabel]:
        if not self.meta.items:
            return []
        first = self.meta.items[0].pk
        labels = [ScaleLabel(p.value, p.tr("label")) for p in self.meta.scored[first]]
        unscored = self.meta.unscored[first]
        if unscored is not None:
            labels.append(ScaleLabel(None, unscored.tr("label")))
        return labels

    def figures(self, s: str) -> SectorFigures:
        read = self.reader

        def r(measure: str) -> CellKey:
            return ("resp", s, measure)

        return SectorFigures(
            sector=s,
            label=self.label(s),
            is_all=s == ALL,
            respondents=read.cell(r("respondents")),
            applied=read.cell(r("applied")),
            applied_share=read.share([r("applied")], r("respondents")),
            cases=read.cell(r("cases")),
            with_dilemma=read.cell(r("cases_with_dilemma")),
            without_dilemma=read.cell(r("cases_without_dilemma")),
            with_dilemma_share=read.share([r("cases_with_dilemma")], r("cases")),
            without_dilemma_share=read.share([r("cases_without_dilemma")], r("cases")),
        )

    def item(self, question: Question, s: str, *, vs_all: bool) -> ItemSummary:
        read, q = self.reader, question.pk
        n_key = ("n", s, q)
        scored = self.meta.scored[q]
        points = [
            PointCount(
                value=p.value,
                label=p.tr("label"),
                count=read.cell(("ans", s, q, p.value)),
                share=read.share([("ans", s, q, p.value)], n_key),
            )
            for p in scored
        ]
        unscored = self.meta.unscored[q]
        not_applicable = PointCount(
            value=None,
            label=unscored.tr("label") if unscored else _("Don't know / n.a."),
            count=read.cell(("ans", s, q, NOT_APPLICABLE_KEY)),
            share=Share(value=None),
        )
        top = [("ans", s, q, p.value) for p in scored[-2:]]
        mean_keys = [("ans", s, q, p.value) for p in scored]
        # From the published counts of the points, so it reveals no more than
        # they do; not given where the published valid n is under the minimum.
        mean_hidden = read.published([n_key]) > 0 and not read.shows_base(n_key)
        mean = None
        if not mean_hidden:
            mean = mean_of_counts(
                {
                    p.value: read.published([k])
                    for p, k in zip(scored, mean_keys, strict=True)
                    if p.value is not None  # scored points all have one
                }
            )
        difference = None
        if vs_all:
            difference = self.versus_all(top, n_key, s, question)
        return ItemSummary(
            code=question.code,
            text=question.tr("text"),
            points=points,
            not_applicable=not_applicable,
            valid_n=read.cell(n_key),
            mean=mean,
            mean_hidden=mean_hidden,
            top_two=read.share(top, n_key),
            vs_all=difference,
        )

    def versus_all(
        self, top: list[CellKey], n_key: CellKey, s: str, question: Question
    ) -> Difference:
        read = self.reader
        mine = read.share(top, n_key)
        everyone = read.share(
            [(k[0], ALL, *k[2:]) for k in top], ("n", ALL, question.pk)
        )
        if mine.value is None or everyone.value is None:
            return Difference(value=None, hidden=mine.hidden or everyone.hidden)
        # A share with a value has its counts.
        assert mine.numerator is not None and mine.denominator is not None
        assert everyone.numerator is not None and everyone.denominator is not None
        rest_n = everyone.denominator - mine.denominator
        # Published counts carry their own noise: the rest is kept consistent.
        rest_x = min(max(everyone.numerator - mine.numerator, 0), max(rest_n, 0))
        if rest_n <= 0:
            return Difference(value=mine.value - everyone.value)
        test = two_proportion_z_test(mine.numerator, mine.denominator, rest_x, rest_n)
        return Difference(value=mine.value - everyone.value, p_value=test.p_value)

    def with_significance(self, item: ItemSummary, comparisons: int) -> ItemSummary:
        diff = item.vs_all
        if diff is None or diff.p_value is None:
            return item
        marked = Difference(
            value=diff.value,
            p_value=diff.p_value,
            significant=is_significant(diff.p_value, comparisons),
        )
        return replace(item, vs_all=marked)

    def choice(self, question: Question, s: str) -> ChoiceSummary:
        read, q = self.reader, question.pk
        answered = ("ans", s, q, ANSWERED_KEY)
        return ChoiceSummary(
            code=question.code,
            text=question.tr("text"),
            multiple=question.type == question.Type.MULTIPLE_CHOICE,
            answered=read.cell(answered),
            options=[
                OptionCount(
                    code=option.code,
                    label=option.tr("label"),
                    count=read.cell(("ans", s, q, option.pk)),
                    share=read.share([("ans", s, q, option.pk)], answered),
                )
                for option in self.meta.options[q]
            ],
        )

    @property
    def _codes_whole_period(self) -> bool:
        return self.period.is_filtered and not self.unsuppressed

    @cached_property
    def _code_frequencies(self) -> SectorFrequencies:
        """The final code counts of every sector, read once for a whole page."""
        whole = self._codes_whole_period
        return code_frequencies_by_sector(
            version_ids=[self.version.pk],
            date_from=None if whole else self.period.date_from,
            date_to=None if whole else self.period.date_to,
            include_synthetic=self.synthetic,
        )

    def coded(self, s: str) -> CodedDilemmas:
        """Coded dilemmas of the narrative coding, under the same rule.

        A code's share is of the coded cases *with a dilemma* (the published
        sheet's "in more than 1/3 of the situations named as a dilemma"):
        cases without one name no dilemma, so they are no part of the base.

        Every count is a cell of the narratives' responses, with their record
        keys, so "all sectors" is its own perturbed cell, not a sum of the
        sectors'. With a date filter analysts get the whole period: code counts
        are not kept per month.
        """
        if self.mixes:
            return CodedDilemmas(
                coded_cases=Cell(value=None),
                codes=[],
                whole_period=True,
                available=False,
            )
        frequencies = self._code_frequencies
        total, _counts = frequencies.of(s)
        dilemma, counts = frequencies.with_dilemma(s)
        total_keys, _code_keys = frequencies.keys_of(s)
        dilemma_keys, code_keys = frequencies.keys_of(s, with_dilemma=True)
        view = {("coded",): total, (KEYS, "coded"): total_keys}
        view |= {("dilemma",): dilemma, (KEYS, "dilemma"): dilemma_keys}
        for c in counts:
            view["code", c.key] = c.cases
            view[KEYS, "code", c.key] = code_keys.get(c.key, 0)
        read = Reader(view, self.reader.ptable, self.unsuppressed)
        codes = [
            CodeShare(
                key=c.key,
                label=c.label,
                cases=read.cell(("code", c.key)),
                share=read.share([("code", c.key)], ("dilemma",)),
            )
            for c in counts
        ]
        # By the published count: the rank by the true count would tell
        # something the figures do not.
        codes.sort(key=lambda c: (-(c.cases.value or 0), c.key))
        return CodedDilemmas(
            coded_cases=read.cell(("coded",)),
            dilemma_cases=read.cell(("dilemma",)),
            codes=codes,
            whole_period=self._codes_whole_period,
        )

    def examples(self, s: str) -> list[Example]:
        if self.mixes:
            return []
        return approved_examples(
            version_ids=[self.version.pk],
            sector=s,
            include_synthetic=self.synthetic,
        )


def with_waves(
    items: list[ItemSummary], table: Table, other: Table, s: str
) -> list[ItemSummary]:
    """Add the figures of the other wave to each item with the same code.

    Only items with the same wording and scale are compared (a difference, and a
    test counted in the correction); a reworded item gets both figures and the
    mark `wording_changed`, never a difference.
    """
    result: list[tuple[ItemSummary, ItemSummary | None, bool]] = []
    comparable = []
    for item in items:
        question = other.meta.item_by_code(item.code)
        if question is None:
            result.append((item, None, False))
            continue
        theirs = other.item(question, s, vs_all=False)
        mine = table.meta.item_by_code(item.code)
        assert mine is not None  # the item is one of the table's
        same = _same_wording(table.meta, mine, other.meta, question)
        result.append((item, theirs, same))
        if same and item.top_two.value is not None and theirs.top_two.value is not None:
            comparable.append(item.code)
    out = []
    for item, wave_item, same in result:
        if wave_item is None:
            out.append(item)
            continue
        difference = (
            _wave_difference(item.top_two, wave_item.top_two, len(comparable))
            if same
            else Difference(value=None)
        )
        wave = WaveItem(
            version_number=other.version.number,
            valid_n=wave_item.valid_n,
            top_two=wave_item.top_two,
            difference=difference,
            wording_changed=not same,
            text=wave_item.text,
        )
        out.append(replace(item, wave=wave))
    return out


def _same_wording(
    meta: VersionMeta, mine: Question, other: VersionMeta, theirs: Question
) -> bool:
    """Whether two items read the same: text, stem and scale (Dutch, the
    questionnaire's language; its translation follows it)."""
    return _wording(meta, mine) == _wording(other, theirs)


def _wording(
    meta: VersionMeta, question: Question
) -> tuple[str, str, list[tuple[int | None, str]]]:
    assert question.group is not None  # a Likert item has one (Question.clean)
    points = [*meta.scored[question.pk], meta.unscored[question.pk]]
    scale = [(p.value, p.label) for p in points if p is not None]
    return (question.text.strip(), question.group.text.strip(), scale)


def _wave_difference(mine: Share, theirs: Share, comparisons: int) -> Difference:
    if mine.value is None or theirs.value is None:
        return Difference(value=None, hidden=mine.hidden or theirs.hidden)
    # A share with a value has its counts.
    assert mine.numerator is not None and mine.denominator is not None
    assert theirs.numerator is not None and theirs.denominator is not None
    test = two_proportion_z_test(
        mine.numerator, mine.denominator, theirs.numerator, theirs.denominator
    )
    return Difference(
        value=mine.value - theirs.value,
        p_value=test.p_value,
        significant=is_significant(test.p_value, comparisons),
    )


def top_item(items: list[ItemSummary]) -> ItemSummary | None:
    visible = [item for item in items if item.top_two.value is not None]
    return max(visible, key=lambda item: item.top_two.value or 0.0, default=None)
