"""An analyst tries to learn a count from 1 to 9 from everything they can see.

A seeded data set with one large sector, two small ones and thin months. The
attacker reads every figure an analyst can reach: the sector pages of every
sector and of all sectors and the overview, for the whole period and every
month range, and the CSV and XLSX files of every one of those views (parsed as
downloaded, through the XLSX codebook). Each figure becomes a constraint on the
true counts per sector and month, from the rule the attacker is assumed to know
(the threshold and the largest noise, MAX_NOISE, not the ptable):

* the rule in force: 0 is exactly 0; a figure of 10 to 10 + MAX_NOISE may be
  any count from 1 to that figure + MAX_NOISE; a larger figure is the count
  within MAX_NOISE (and 10 or more);
* the previous rule (twin test): "< 10" (0) is 0 to 9, a 10 is 1 to 22, a larger
  figure the count within MAX_NOISE;
* the old exact figures with threshold-only suppression (twin test): "< 10" (0)
  is 0 to 9, any other figure exact;

together with everything that holds in the data: counts are not negative,
respondents = valid n + n.v.t. (the items are required), applied + not applied
= respondents, with + without dilemma = cases, cases <= applied, a code <= the
coded cases with a dilemma <= the coded cases, the coded cases = the cases the
respondents described (coded tables against the Likert tables: here every case
is coded), all sectors = the sum of the sectors, a month range = the sum of its
months. For every published figure whose true count is 1 to 9, a linear
programme (HiGHS) finds the smallest and largest value it can take. It leaks
when its upper bound is 9 or less (the count is known to be under 10, however
wide the interval) or when it is pinned to one value.
"""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import date

import highspy
import numpy as np
import pytest
from openpyxl import load_workbook

from meldcode_survey.dashboard.queries import overview, sector_summary
from meldcode_survey.dashboard.queries.disclosure import (
    KEY_RANGE,
    MAX_NOISE,
    PerturbationTable,
)
from meldcode_survey.exports.models import Export
from meldcode_survey.exports.services import export_run
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review.models import Code, FinalCoding, FinalCodingCode

from .builders import add_responses, build, seed_record_keys

pytestmark = [pytest.mark.django_db, pytest.mark.perturbed]

T = 10
MONTHS = [date(2026, m, 10) for m in range(1, 5)]
ITEMS = ("D01", "D02")
POINTS = (1, 2, 3, 4, 5)
EXPERIENCE = ("0_2", "2_5", "5_10", "10_plus")
CODES = ("A", "B", "C")
# Respondents per month: one large sector, a small one, a thin one.
SIZES = {
    "kinderopvang": (24, 31, 19, 27),
    "justitie": (6, 3, 8, 5),
    "overig": (2, 0, 4, 1),
}
SECTORS = tuple(SIZES)
RESPONDENT_MEASURES = {
    "respondents": "respondents",
    "applied": "applied",
    "cases": "cases",
    "with_dilemma": "with",
    "without_dilemma": "without",
}


# --- What the attacker knows of each rule: the interval a figure allows -------


def rule_in_force(value: int) -> tuple[float, float]:
    if value == 0:
        return 0, 0
    if value <= T + MAX_NOISE:  # a count of 1 to 9 may read anything up to here
        return 1, value + MAX_NOISE
    return max(T, value - MAX_NOISE), value + MAX_NOISE


def previous_rule(value: int) -> tuple[float, float]:
    """1 to 9 went to 0 (shown "< 10") or to 10."""
    if value == 0:
        return 0, T - 1
    if value == T:
        return 1, T + MAX_NOISE
    return max(T, value - MAX_NOISE), value + MAX_NOISE


def exact_rule(value: int) -> tuple[float, float]:
    """Threshold-only suppression of exact figures: 1 to 9 went to "< 10"."""
    return (0, T - 1) if value == 0 else (value, value)


def previous_ptable(secret: str) -> PerturbationTable:
    """The previous rule's ptable: the rows of the counts 1 to 9 sent to 0 or 10
    (in proportion, so that on average the count stayed right)."""
    rng = random.Random(secret)
    noise = dict(PerturbationTable.generate(secret, T).noise)
    for count in range(1, T):
        up = round(KEY_RANGE * count / T)
        values = [T - count] * up + [-count] * (KEY_RANGE - up)
        rng.shuffle(values)
        noise |= {(count, key): value for key, value in enumerate(values)}
    return PerturbationTable(threshold=T, noise=noise)


# --- The data set ---------------------------------------------------------------


def _seeded_data(version) -> None:
    rnd = random.Random(14)
    for sector, sizes in SIZES.items():
        for day, count in zip(MONTHS, sizes, strict=True):
            if not count:
                continue
            applied = sum(rnd.random() < 0.6 for _ in range(count))
            cases = sum(rnd.random() < 0.8 for _ in range(applied))
            with_dilemma = sum(rnd.random() < 0.7 for _ in range(cases))
            weights = [1, 2, 3, 3, 2, 1]
            values = ["1", "2", "3", "4", "5", "nvt"]
            likert = {code: rnd.choices(values, weights, k=count) for code in ITEMS}
            experience = {"ervaring": rnd.choices(EXPERIENCE, k=count)}
            add_responses(
                version,
                sector,
                count,
                applied=applied,
                with_dilemma=with_dilemma,
                without_dilemma=cases - with_dilemma,
                likert=likert,
                choices=experience,
                day=day,
            )
    seed_record_keys(256)
    codes = {
        c.key: c
        for c in Code.objects.filter(codebook__questionnaire=version.questionnaire)
    }
    for narrative in CaseNarrative.objects.order_by("pk"):
        final = FinalCoding.objects.create(
            narrative=narrative, has_dilemma=True, method="single"
        )
        for key, chance in zip(CODES, (0.5, 0.3, 0.15), strict=True):
            if rnd.random() < chance:
                FinalCodingCode.objects.create(
                    final=final, code=codes[key], label=codes[key].label
                )
    build(version)


# --- The attack -------------------------------------------------------------------


class Attack:
    """Unknowns: the true count of every (sector, month, cell); constraints."""

    def __init__(self, rule) -> None:
        self.rule = rule
        self.index: dict[tuple, int] = {}
        self.rows: list[tuple[dict[int, int], float, float]] = []  # lo <= a.x <= hi
        # Every published figure, by the cells it sums: the tightest interval.
        self.published: dict[tuple, tuple[dict[int, int], float, float]] = {}

    def var(self, *key: object) -> int:
        return self.index.setdefault(key, len(self.index))

    def cells(self, sector: str, months: list[int], name: tuple) -> dict:
        sectors = SECTORS if sector == ALL else (sector,)
        return {self.var(s, m, *name): 1 for s in sectors for m in months}

    def coded(self, sector: str, name: str) -> dict:
        sectors = SECTORS if sector == ALL else (sector,)
        return {self.var(s, "coded", name): 1 for s in sectors}

    def bound(self, combo: dict, lo: float, hi: float) -> None:
        self.rows.append((combo, lo, hi))

    def equal(self, plus: list[dict], minus: list[dict]) -> None:
        combo: dict[int, int] = {}
        for part, sign in [(p, 1) for p in plus] + [(m, -1) for m in minus]:
            for var, coef in part.items():
                combo[var] = combo.get(var, 0) + sign * coef
        self.bound(combo, 0, 0)

    def see(self, combo: dict, value: object) -> None:
        """A published count (an int; None or "x" tell nothing)."""
        if not isinstance(value, int) or isinstance(value, bool):
            return
        lo, hi = self.rule(value)
        key = tuple(sorted(combo.items()))
        if key in self.published:
            _c, old_lo, old_hi = self.published[key]
            lo, hi = max(lo, old_lo), min(hi, old_hi)
        self.published[key] = (combo, lo, hi)

    def structure(self) -> None:
        """What holds in every data set of this questionnaire."""
        for s in SECTORS:
            cases = {}
            for m in range(len(MONTHS)):

                def c(*name, s=s, m=m):
                    return {self.var(s, m, *name): 1}

                self.equal([c("applied"), c("not_applied")], [c("respondents")])
                self.equal([c("with"), c("without")], [c("cases")])
                self.bound(c("applied") | {self.var(s, m, "cases"): -1}, 0, math.inf)
                for item in ITEMS:
                    parts = [c(item, p) for p in (*POINTS, "nvt")]
                    self.equal(parts, [c("respondents")])
                self.equal([c("ervaring", o) for o in EXPERIENCE], [c("respondents")])
                cases |= c("cases")

            def k(name, s=s):
                return {self.var(s, "coded", name): 1}

            # The coded tables against the respondents' tables.
            self.equal([k("total")], [cases])
            self.bound(k("total") | {self.var(s, "coded", "dilemma"): -1}, 0, math.inf)
            for code in CODES:
                self.bound(k("dilemma") | {self.var(s, "coded", code): -1}, 0, math.inf)

    def solve(self, truth: dict[int, int]) -> list[tuple[tuple, int, int, int]]:
        """(cells, true count, lowest, highest) of every published figure whose
        true count is 1 to 9."""
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        width = len(self.index)
        inf = highspy.kHighsInf
        highs.addVars(width, np.zeros(width), np.full(width, inf))
        rows = self.rows + list(self.published.values())
        for combo, lo, hi in rows:
            highs.addRow(
                lo,
                inf if hi == math.inf else hi,
                len(combo),
                np.array(list(combo), dtype=np.int32),
                np.array(list(combo.values()), dtype=np.float64),
            )
        intervals = []
        for key, (combo, _lo, _hi) in self.published.items():
            true = sum(truth.get(v, 0) * c for v, c in combo.items())
            if not 1 <= true <= T - 1:
                continue
            bounds = []
            for sense in (1, -1):
                cost = np.zeros(width)
                cost[list(combo)] = [sense * c for c in combo.values()]
                highs.changeColsCost(width, np.arange(width, dtype=np.int32), cost)
                highs.run()
                status = highs.getModelStatus()
                assert status == highspy.HighsModelStatus.kOptimal, "truth is feasible"
                bounds.append(sense * highs.getInfo().objective_function_value)
            lo, hi = math.ceil(bounds[0] - 1e-6), math.floor(bounds[1] + 1e-6)
            intervals.append((key, true, lo, hi))
        return intervals

    def names(self, key: tuple) -> list[tuple]:
        names = {v: k for k, v in self.index.items()}
        return [names[v] for v, _c in key]


# --- What the analyst reads -------------------------------------------------------


def _views() -> list[tuple[date | None, date | None, list[int]]]:
    """The whole period and every month range."""
    n = len(MONTHS)
    ranges = [(a, b) for a in range(n) for b in range(a, n)]
    return [(None, None, list(range(n)))] + [
        (MONTHS[a].replace(day=1), MONTHS[b].replace(day=1), list(range(a, b + 1)))
        for a, b in ranges
    ]


def _collect(attack: Attack, version, *, files: bool) -> None:
    for month_from, month_to, months in _views():
        period = {"month_from": month_from, "month_to": month_to}
        for sector in (*SECTORS, ALL):
            summary = sector_summary(version=version, sector=sector, **period)
            _read_summary(attack, summary, sector, months)
            if files:
                for fmt in ("csv", "xlsx"):
                    figures = _download(version, sector, month_from, month_to, fmt)
                    _read_file(attack, figures, sector, months)
        for row in overview(version=version, **period).rows:
            f = row.figures
            for measure, name in RESPONDENT_MEASURES.items():
                attack.see(attack.cells(f.sector, months, (name,)), _v(f, measure))


def _v(figures, measure: str) -> int | None:
    return getattr(figures, measure).value


def _read_summary(attack: Attack, summary, sector: str, months) -> None:
    def cells(*name):
        return attack.cells(sector, months, name)

    f = summary.figures
    for measure, name in RESPONDENT_MEASURES.items():
        attack.see(cells(name), _v(f, measure))
    if summary.all_figures is not None:
        for measure, name in RESPONDENT_MEASURES.items():
            everyone = attack.cells(ALL, months, (name,))
            attack.see(everyone, _v(summary.all_figures, measure))
    for item in summary.items:
        if item.code not in ITEMS:
            continue
        for point in item.points:
            attack.see(cells(item.code, point.value), point.count.value)
        attack.see(cells(item.code, "nvt"), item.not_applicable.count.value)
        valid = {}
        for p in POINTS:
            valid |= cells(item.code, p)
        attack.see(valid, item.valid_n.value)
        share = item.top_two
        if share.numerator is not None and share.numerator < share.denominator:
            attack.see(cells(item.code, 4) | cells(item.code, 5), share.numerator)
    for choice in summary.choices:
        if choice.code != "ervaring":
            continue
        attack.see(cells("respondents"), choice.answered.value)
        for option in choice.options:
            attack.see(cells("ervaring", option.code), option.count.value)
    coded = summary.coded
    if coded.available:
        attack.see(attack.coded(sector, "total"), coded.coded_cases.value)
        attack.see(attack.coded(sector, "dilemma"), coded.dilemma_cases.value)
        for code in coded.codes:
            if code.key in CODES:
                attack.see(attack.coded(sector, code.key), code.cases.value)


def _download(version, sector, month_from, month_to, fmt: str) -> dict:
    """The analyst's file of a view, read back as (table, code, measure) -> value."""
    export = Export.objects.create(
        version=version,
        kind="summary",
        format=fmt,
        sector=sector,
        period_from=month_from,
        period_to=month_to,
    )
    export_run(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    with export.file.open("rb") as handle:
        content = handle.read()
    if fmt == "csv":
        rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        return {
            (r["table"], r["code"], r["measure"]): _number(r["value"]) for r in rows
        }
    book = load_workbook(io.BytesIO(content), read_only=True)
    codebook = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
    columns = {(r[0], r[2]): (r[3], r[1]) for r in codebook if len(r) > 3 and r[3]}
    figures = {}
    for sheet in book.worksheets[1:-1]:
        rows = list(sheet.iter_rows(values_only=True))
        for row in rows[1:]:
            for header, value in zip(rows[0], row, strict=False):
                table, measure = columns.get((sheet.title, header), (None, None))
                if table:
                    figures[table, row[0], measure] = value
    return figures


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _read_file(attack: Attack, figures: dict, sector: str, months) -> None:
    for (table, code, measure), value in figures.items():
        if table == "respondents" and measure in RESPONDENT_MEASURES:
            where = ALL if code == "all" else code
            name = (RESPONDENT_MEASURES[measure],)
            attack.see(attack.cells(where, months, name), value)
        elif table == "items" and code in ITEMS:
            if measure.startswith("count_"):
                point = int(measure.removeprefix("count_"))
                attack.see(attack.cells(sector, months, (code, point)), value)
            elif measure == "not_applicable":
                attack.see(attack.cells(sector, months, (code, "nvt")), value)
            elif measure == "valid_n":
                valid = {}
                for p in POINTS:
                    valid |= attack.cells(sector, months, (code, p))
                attack.see(valid, value)
                # The top-two count, from its percentage of the valid n.
                # (A row's empty cells at its end are not in the XLSX.)
                percent = figures.get(("items", code, "top_two_percent"))
                if isinstance(percent, float | int) and isinstance(value, int):
                    top = round(percent * value / 100)
                    if top < value:
                        cells = attack.cells(sector, months, (code, 4))
                        cells |= attack.cells(sector, months, (code, 5))
                        attack.see(cells, top)
        elif table == "choices" and measure == "count":
            if code == "ervaring":
                attack.see(attack.cells(sector, months, ("respondents",)), value)
            elif code.startswith("ervaring_"):
                option = code.removeprefix("ervaring_")
                attack.see(attack.cells(sector, months, ("ervaring", option)), value)
        elif table == "coded_dilemmas" and measure == "cases":
            name = {"coded": "total", "with_dilemma": "dilemma"}.get(code, code)
            if name in ("total", "dilemma", *CODES):
                attack.see(attack.coded(sector, name), value)


def _truth(attack: Attack, version) -> dict[int, int]:
    truth: dict[int, int] = {}

    def put(key: tuple, value: int | None) -> None:
        if key in attack.index:
            truth[attack.index[key]] = value or 0

    for s in SECTORS:
        for m, day in enumerate(MONTHS):
            first = day.replace(day=1)
            summary = sector_summary(
                version=version,
                sector=s,
                month_from=first,
                month_to=first,
                unsuppressed=True,
            )
            f = summary.figures
            for measure, name in RESPONDENT_MEASURES.items():
                put((s, m, name), _v(f, measure))
            put((s, m, "not_applied"), (_v(f, "respondents") or 0) - _v(f, "applied"))
            for item in summary.items:
                if item.code in ITEMS:
                    for point in item.points:
                        put((s, m, item.code, point.value), point.count.value)
                    put((s, m, item.code, "nvt"), item.not_applicable.count.value)
            for choice in summary.choices:
                if choice.code == "ervaring":
                    for option in choice.options:
                        put((s, m, "ervaring", option.code), option.count.value)
        coded = sector_summary(version=version, sector=s, unsuppressed=True).coded
        put((s, "coded", "total"), coded.coded_cases.value)
        put((s, "coded", "dilemma"), coded.dilemma_cases.value)
        for c in coded.codes:
            put((s, "coded", c.key), c.cases.value)
    return truth


def _attack(version, rule, *, files: bool = False) -> tuple[Attack, list]:
    attack = Attack(rule)
    _collect(attack, version, files=files)
    attack.structure()
    intervals = attack.solve(_truth(attack, version))
    assert len(intervals) > 100, "the data set must have many small cells to attack"
    return attack, intervals


def _leaks(intervals: list) -> list:
    """Known to be under 10, or pinned to one value."""
    return [i for i in intervals if i[3] <= T - 1 or i[2] == i[3]]


@pytest.fixture
def data(seed_version, settings, tmp_path):
    settings.DISCLOSURE_SECRET = "the attacker test's own installation"
    settings.MEDIA_ROOT = tmp_path / "private"
    _seeded_data(seed_version)
    return seed_version


def test_no_count_from_1_to_9_can_be_learned_from_all_views_and_files(data):
    attack, intervals = _attack(data, rule_in_force, files=True)
    leaks = _leaks(intervals)
    examples = [(attack.names(k), true, lo, hi) for k, true, lo, hi in leaks[:5]]
    assert leaks == [], f"{len(leaks)} counts learned, e.g. {examples}"


def test_the_attack_recovers_exact_counts_under_threshold_only_suppression(
    data, settings, threshold_only_ptable
):
    """The old exact figures: the three leaks of the issue come back."""
    settings.DISCLOSURE_PTABLE = threshold_only_ptable
    attack, intervals = _attack(data, exact_rule)
    pinned = [attack.names(k) for k, _t, lo, hi in intervals if lo == hi]
    kinds = {
        "n.v.t. from respondents = valid n + n.v.t.": any(
            "nvt" in name for names in pinned for name in names
        ),
        "a coded count from all sectors minus the sectors": any(
            "coded" in name for names in pinned for name in names
        ),
        "a count from a month range minus its other months": any(
            isinstance(name[1], int) and "nvt" not in name
            for names in pinned
            if len(names) == 1
            for name in names
        ),
    }
    assert all(kinds.values()), kinds


def test_the_attack_finds_counts_not_empty_under_the_previous_rule(
    data, settings, tmp_path
):
    """The previous rule (1 to 9 shown as "< 10" or 10): a truthful "< 10" over
    two months against a two-month figure tells that a month is 1 to 9."""
    path = tmp_path / "previous_ptable.csv"
    table = previous_ptable(settings.DISCLOSURE_SECRET)
    path.write_text(
        "pcv,ckey,pvalue\n" + "".join(f"{r},{k},{v}\n" for r, k, v in table.rows())
    )
    settings.DISCLOSURE_PTABLE = str(path)
    _attack_made, intervals = _attack(data, previous_rule)
    not_empty = [i for i in intervals if i[2] >= 1 and i[3] <= T - 1]
    assert not_empty
