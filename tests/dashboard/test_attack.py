"""An analyst tries to learn a count from 1 to 9 from everything they can see.

A seeded data set with one large sector, two small ones and thin months. The
attacker reads every figure an analyst can reach through the aggregation
module's sector summaries for every sector, all sectors and every month range,
coded dilemmas included (the overview shows the same cells, and the CSV, XLSX
and PDF print the same figures: test_disclosure.py, exports/test_consistency.py).
Each figure becomes a constraint on the true counts per sector and month:

* "< 10": the true count is 0 to 9 (on the old code, which also printed it on
  hidden large counts: any count);
* a number: with exact figures, the count itself; with perturbed figures, the
  count within the noise bound (`MAX_NOISE`, which this attacker is assumed to
  know), and a 10 may also stand for 1 to 9;

together with everything that holds in the data: counts are not negative,
respondents = valid n + n.v.t. (the items are required), applied + not applied
= respondents, with + without dilemma = cases, cases <= applied, a code <= the
coded cases, all sectors = the sum of the sectors, a month range = the sum of
its months. For every cell whose true count is 1 to 9 a linear programme
(HiGHS) finds the smallest and the largest value it can take. The count is
pinned when that interval lies within 1 to 9 and holds fewer than MIN_VALUES
values. On the old suppression code (exact figures: the noise bound is 0) this
attacker pins counts exactly, by differencing across month ranges, sectors and
the all-sector totals; it must pin none now.
"""

from __future__ import annotations

import math
import random
from datetime import date

import highspy
import numpy as np
import pytest
from django.db.models import OuterRef, Subquery

from meldcode_survey.dashboard.queries import disclosure, sector_summary
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import Answer, CaseNarrative, Response
from meldcode_survey.review.models import Code, FinalCoding, FinalCodingCode

from .builders import add_responses, build

pytestmark = [pytest.mark.django_db, pytest.mark.perturbed]

T = 10
# Learning that a cell under 10 is not empty (1 to 9) comes with any truthful
# "< 10" mark (a two-month figure of 10 or more over two "< 10" months); the
# attacker must not narrow a count down further than to MIN_VALUES values. An
# attacker who knows the largest noise can narrow a few counts to 4 values (with
# random record keys a 7 came out as 6 to 9), most to 7 or more; exact figures
# (the old rule) give exact counts.
MIN_VALUES = 4
KEY_RANGE = 256  # record keys 0..255
MONTHS = [date(2026, m, 10) for m in range(1, 5)]
ITEMS = ("D01", "D02")
POINTS = (1, 2, 3, 4, 5)
EXPERIENCE = ("0_2", "2_5", "5_10", "10_plus")
CODES = ("A", "B", "C")
MEASURES = ("respondents", "applied", "not_applied", "cases", "with", "without")
# Respondents per month: one large sector, a small one, a thin one.
SIZES = {
    "kinderopvang": (24, 31, 19, 27),
    "justitie": (6, 3, 8, 5),
    "overig": (2, 0, 4, 1),
}
SECTORS = tuple(SIZES)


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
    # Seeded record keys too, so that the noise, and the test, are the same
    # every run (a submit draws them at random).
    if any(
        f.name == "record_key" for f in Response._meta.fields
    ):  # not on the old code
        _seed_record_keys(random.Random(256))
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


def _seed_record_keys(rnd: random.Random) -> None:
    responses = list(Response.objects.order_by("pk"))
    for response in responses:
        response.record_key = rnd.randrange(KEY_RANGE)
    Response.objects.bulk_update(responses, ["record_key"])
    Answer.objects.update(
        record_key=Subquery(
            Response.objects.filter(pk=OuterRef("response_id")).values("record_key")
        )
    )


class Attack:
    """Unknowns: the true count of every (sector, month, cell); constraints."""

    def __init__(self, noise: int, perturbed: bool) -> None:
        self.noise = noise
        self.perturbed = perturbed
        self.index: dict[tuple, int] = {}
        self.rows: list[tuple[dict[int, int], float, float]] = []  # lo <= a.x <= hi
        self.published: dict[tuple, dict[int, int]] = {}

    def var(self, *key: object) -> int:
        return self.index.setdefault(key, len(self.index))

    def cells(self, sector: str, months: list[int], name: tuple) -> dict:
        sectors = SECTORS if sector == ALL else (sector,)
        return {self.var(s, m, *name): 1 for s in sectors for m in months}

    def coded(self, sector: str, name: tuple) -> dict:
        sectors = SECTORS if sector == ALL else (sector,)
        return {self.var(s, "coded", *name): 1 for s in sectors}

    def bound(self, combo: dict, lo: float, hi: float) -> None:
        self.rows.append((combo, lo, hi))

    def equal(self, plus: list[dict], minus: list[dict]) -> None:
        combo: dict[int, int] = {}
        for part, sign in [(p, 1) for p in plus] + [(m, -1) for m in minus]:
            for var, coef in part.items():
                combo[var] = combo.get(var, 0) + sign * coef
        self.bound(combo, 0, 0)

    def see(self, combo: dict, cell) -> None:
        """A published count: a Cell, or a share's numerator or denominator."""
        self.published[tuple(sorted(combo.items()))] = combo
        if getattr(cell, "hidden", False):
            # The old suppression also hid large counts to protect others,
            # printing "< 10" on them all the same: that mark told nothing.
            self.bound(combo, 0, T - 1 if self.perturbed else math.inf)
            return
        value = cell if isinstance(cell, int) else cell.value
        if value is None:
            return
        low = max(T, value - self.noise) if self.noise else value
        if self.perturbed and value == T:
            low = 1
        self.bound(combo, low, value + self.noise)

    def structure(self) -> None:
        """What holds in every data set of this questionnaire."""
        for s in SECTORS:
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
            total = {self.var(s, "coded", "total"): 1}
            for code in CODES:
                self.bound(total | {self.var(s, "coded", code): -1}, 0, math.inf)

    def solve(self, truth: dict[int, int]) -> list[tuple[tuple, int, int, int]]:
        """The interval of every published cell with a true count of 1..9."""
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        width = len(self.index)
        inf = highspy.kHighsInf
        highs.addVars(width, np.zeros(width), np.full(width, inf))
        for combo, lo, hi in self.rows:
            highs.addRow(
                lo,
                inf if hi == math.inf else hi,
                len(combo),
                np.array(list(combo), dtype=np.int32),
                np.array(list(combo.values()), dtype=np.float64),
            )
        intervals = []
        for key, combo in self.published.items():
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


def _collect(attack: Attack, version) -> None:
    ranges = [(a, b) for a in range(len(MONTHS)) for b in range(a, len(MONTHS))]
    views = [(None, None, list(range(len(MONTHS))))] + [
        (MONTHS[a].replace(day=1), MONTHS[b].replace(day=1), list(range(a, b + 1)))
        for a, b in ranges
    ]
    for month_from, month_to, months in views:
        for sector in (*SECTORS, ALL):
            summary = sector_summary(
                version=version, sector=sector, month_from=month_from, month_to=month_to
            )
            _read(attack, summary, sector, months)


def _read(attack: Attack, summary, sector: str, months: list[int]) -> None:
    def cells(*name):
        return attack.cells(sector, months, name)

    f = summary.figures
    for name, cell in (
        ("respondents", f.respondents),
        ("applied", f.applied),
        ("cases", f.cases),
        ("with", f.with_dilemma),
        ("without", f.without_dilemma),
    ):
        attack.see(cells(name), cell)
    for item in summary.items:
        if item.code not in ITEMS:
            continue
        for point in item.points:
            attack.see(cells(item.code, point.value), point.count)
        attack.see(cells(item.code, "nvt"), item.not_applicable.count)
        valid = {}
        for p in POINTS:
            valid |= cells(item.code, p)
        attack.see(valid, item.valid_n)
        top = cells(item.code, 4) | cells(item.code, 5)
        share = item.top_two
        if share.numerator is not None and share.numerator < share.denominator:
            attack.see(top, share.numerator)
    for choice in summary.choices:
        if choice.code != "ervaring":
            continue
        attack.see(cells("respondents"), choice.answered)
        for option in choice.options:
            attack.see(cells("ervaring", option.code), option.count)
    coded = summary.coded
    if coded.available:
        attack.see(attack.coded(sector, ("total",)), coded.coded_cases)
        for code in coded.codes:
            if code.key in CODES:
                attack.see(attack.coded(sector, (code.key,)), code.cases)


def _truth(attack: Attack, version) -> dict[int, int]:
    truth: dict[int, int] = {}
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
            values = {
                ("respondents",): f.respondents.value,
                ("applied",): f.applied.value,
                ("not_applied",): f.respondents.value - f.applied.value
                if f.respondents.value
                else 0,
                ("cases",): f.cases.value,
                ("with",): f.with_dilemma.value,
                ("without",): f.without_dilemma.value,
            }
            for item in summary.items:
                if item.code in ITEMS:
                    for point in item.points:
                        values[item.code, point.value] = point.count.value
                    values[item.code, "nvt"] = item.not_applicable.count.value
            for choice in summary.choices:
                if choice.code == "ervaring":
                    for option in choice.options:
                        values["ervaring", option.code] = option.count.value
            for name, value in values.items():
                if (s, m, *name) in attack.index:
                    truth[attack.index[s, m, *name]] = value or 0
        whole = sector_summary(version=version, sector=s, unsuppressed=True)
        coded = {("total",): whole.coded.coded_cases.value}
        coded |= {(c.key,): c.cases.value for c in whole.coded.codes}
        for name, value in coded.items():
            if (s, "coded", *name) in attack.index:
                truth[attack.index[s, "coded", *name]] = value or 0
    return truth


def test_no_count_from_1_to_9_can_be_pinned_from_all_views(seed_version, settings):
    settings.DISCLOSURE_SECRET = "the attacker test's own installation"
    _seeded_data(seed_version)
    perturbed = hasattr(disclosure, "PerturbationTable")
    attack = Attack(getattr(disclosure, "MAX_NOISE", 0), perturbed=perturbed)
    _collect(attack, seed_version)
    attack.structure()
    truth = _truth(attack, seed_version)
    intervals = attack.solve(truth)
    assert len(intervals) > 100, "the data set must have many small cells to attack"
    # (key, true count, lowest, highest): within 1..9, the cell is not empty.
    not_empty = [i for i in intervals if i[2] >= 1 and i[3] <= T - 1]
    pinned = [i for i in not_empty if i[3] - i[2] + 1 < MIN_VALUES]
    names = {v: k for k, v in attack.index.items()}
    examples = [
        ([names[v] for v, _c in key], true, lo, hi) for key, true, lo, hi in pinned
    ]
    assert pinned == [], f"{len(pinned)} counts pinned, e.g. {examples[:5]}"
