"""The figures the aggregation module returns: small, immutable and complete.

The dashboard, every export and the PDF fact sheet render these objects as they
are; nothing downstream recomputes a figure or decides what to hide. Analysts'
counts are perturbed (queries/disclosure.py) and always shown; a share or
mean not given has `hidden=True` and no value (queries/marks.py says how each
output writes it and what it means). In the staff's unsuppressed view figures
are exact, nothing is hidden, and `protected=True` marks a count under the
threshold (what an analyst sees as 10 or a little more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from meldcode_survey.review.queries import Example

from .disclosure import min_base


@dataclass(frozen=True)
class Cell:
    """A count."""

    value: int | None
    protected: bool = False  # staff only: the exact count is under the threshold

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Share:
    """A proportion (0..1) with its 95% Wilson interval."""

    value: float | None
    low: float | None = None
    high: float | None = None
    hidden: bool = False
    protected: bool = False
    numerator: int | None = None
    denominator: int | None = None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100 * self.value


@dataclass(frozen=True)
class Difference:
    """A difference between two shares in proportion points (a - b).

    `significant` is set only where a two-proportion z-test, Bonferroni
    corrected over the comparisons shown together, rejects equality at 5%.
    """

    value: float | None
    p_value: float | None = None
    significant: bool = False
    hidden: bool = False

    @property
    def points(self) -> float | None:
        return None if self.value is None else 100 * self.value


@dataclass(frozen=True)
class PointCount:
    """One scale point of a Likert item (value None: the unscored point)."""

    value: int | None
    label: str
    count: Cell
    share: Share  # of the valid n; None-valued for the unscored point


@dataclass(frozen=True)
class WaveItem:
    """The same item (by question code) in the wave compared with.

    Where the wording or the scale differs between the waves, the item is not
    the same question: both figures are shown, marked `wording_changed`, with
    no difference (its value None) and no test.
    """

    version_number: int
    valid_n: Cell
    top_two: Share
    difference: Difference  # this wave minus that wave
    wording_changed: bool = False
    text: str = ""  # the wording in the wave compared with


@dataclass(frozen=True)
class ItemSummary:
    """A Likert item: counts per scale point, valid n, mean, top-two share."""

    code: str
    text: str
    points: list[PointCount]  # the scored points, lowest value first
    not_applicable: PointCount
    valid_n: Cell
    mean: float | None
    mean_hidden: bool
    top_two: Share  # the two highest scored points, of the valid n
    vs_all: Difference | None = None  # this sector minus all sectors
    wave: WaveItem | None = None

    @property
    def chart_drawn(self) -> bool:
        """A bar needs the shares of its points: not where they are hidden."""
        return not self.top_two.hidden


@dataclass(frozen=True)
class OptionCount:
    code: str
    label: str
    count: Cell
    share: Share  # of the respondents who answered the question


@dataclass(frozen=True)
class ChoiceSummary:
    code: str
    text: str
    multiple: bool
    answered: Cell
    options: list[OptionCount]


@dataclass(frozen=True)
class CodeShare:
    """A code of the narrative coding: the coded cases with a dilemma that carry
    it, and their share of all coded cases with a dilemma."""

    key: str
    label: str
    cases: Cell
    share: Share


@dataclass(frozen=True)
class SectorFigures:
    """Respondents and cases of one sector (sector "" with `is_all`: all)."""

    sector: str
    label: str
    is_all: bool
    respondents: Cell
    applied: Cell
    applied_share: Share
    cases: Cell
    with_dilemma: Cell
    without_dilemma: Cell
    with_dilemma_share: Share
    without_dilemma_share: Share


@dataclass(frozen=True)
class ScaleLabel:
    value: int | None
    label: str


@dataclass(frozen=True)
class Period:
    """The months a view covers; None at either end: open."""

    month_from: date | None
    month_to: date | None
    months: list[date]  # every month with data in the version and data set

    @property
    def is_filtered(self) -> bool:
        return self.month_from is not None or self.month_to is not None

    @property
    def date_from(self) -> date | None:
        return self.month_from

    @property
    def date_to(self) -> date | None:
        return None if self.month_to is None else last_day(self.month_to)


def last_day(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@dataclass(frozen=True)
class Context:
    """What a set of figures is about, to label every page and export with."""

    questionnaire: str
    questionnaire_slug: str
    version_id: int
    version_number: int
    period: Period
    synthetic: bool  # figures from generated demo/test responses
    unsuppressed: bool  # staff view: small counts shown
    threshold: int
    other_dataset: bool  # the other data set (real/synthetic) also has data
    alpha: float

    @property
    def min_base(self) -> int:
        """The smallest published base of a share or mean analysts are given."""
        return min_base(self.threshold)


@dataclass(frozen=True)
class CodedDilemmas:
    coded_cases: Cell
    codes: list[CodeShare]  # most frequent first (as shown)
    whole_period: bool  # computed over the whole period despite a date filter
    available: bool = True  # False where they would mix synthetic and real data
    # The base of every code's share: coded cases whose final coding has a dilemma.
    dilemma_cases: Cell = Cell(value=None)


@dataclass(frozen=True)
class SectorSummary:
    """Everything the fact sheet of one sector shows, in one object."""

    context: Context
    figures: SectorFigures
    all_figures: SectorFigures | None  # None: withheld (accounts.access)
    scale: list[ScaleLabel]
    items: list[ItemSummary]
    choices: list[ChoiceSummary]
    coded: CodedDilemmas
    examples: list[Example]
    note: str
    compare_version_number: int | None = None
    item_comparisons: int = 0  # how many sector-vs-all tests the items carry
    sectors: dict[str, str] = field(default_factory=dict)  # code -> label
    # Every sector's figures, most respondents first (as shown): the
    # fact sheet's list of the sectors the respondents came from.
    sector_figures: list[SectorFigures] = field(default_factory=list)

    @property
    def compared_with_all(self) -> bool:
        """A sector's sheet set against all sectors (totals, differences)."""
        return not self.figures.is_all and self.all_figures is not None


@dataclass(frozen=True)
class SectorRow:
    figures: SectorFigures
    top_codes: list[CodeShare]
    top_item: ItemSummary | None  # the item with the highest top-two share


@dataclass(frozen=True)
class Overview:
    context: Context
    rows: list[SectorRow]
    total: SectorFigures | None  # None: withheld (accounts.access)
    scale: list[ScaleLabel]
    items: list[ItemSummary]  # all sectors together; empty where withheld
    sectors: dict[str, str] = field(default_factory=dict)  # code -> label
