"""Disclosure control through the aggregation module, on real survey tables.

The attacks take only what an analyst is shown and try to recover a hidden
count: from a total, a complement, the other sectors, or the difference of two
date filters. (The exhaustive linear-algebra attack runs on the smaller tables
of test_disclosure.py; on a whole survey it is too slow in pure Python, and the
module's own audit covers it.)
"""

from datetime import date

import pytest

from meldcode_survey.dashboard.queries import overview, sector_summary
from meldcode_survey.dashboard.queries.figures import Table
from meldcode_survey.dashboard.queries.tables import ALL, structure_for

from .builders import APRIL, MARCH, build, spread
from .test_disclosure import assert_safe, published

pytestmark = pytest.mark.django_db
T = 10


def analyst_table(version, month_from=None, month_to=None):
    table = Table.load(version, month_from, month_to, None, False)
    structure = structure_for(table.meta, table.sectors)
    return table, structure


def test_the_whole_table_an_analyst_sees_gives_nothing_away(seed_version):
    build(
        seed_version,
        {
            "sector": "kinderopvang",
            "count": 40,
            "applied": 30,
            "with_dilemma": 18,
            "without_dilemma": 12,
            "likert": {
                "D01": spread(**{"1": 4, "2": 6, "3": 10, "4": 12, "5": 5, "nvt": 3})
            },
        },
        {
            "sector": "onderwijs",
            "count": 60,
            "applied": 20,
            "with_dilemma": 10,
            "without_dilemma": 10,
        },
        {
            "sector": "justitie",
            "count": 12,
            "applied": 4,
            "with_dilemma": 3,
            "without_dilemma": 1,
        },
    )
    table, structure = analyst_table(seed_version)
    assert_safe(structure, table.reader.view, table.reader.hidden, algebra=False)


def test_a_complement_gives_away_nothing(seed_version):
    # 45 respondents of whom 42 applied: "did not apply" (3) would follow from
    # 45 - 42, so the applied count is hidden from analysts.
    build(
        seed_version,
        {
            "sector": "jeugdhulp",
            "count": 45,
            "applied": 42,
            "with_dilemma": 20,
            "without_dilemma": 22,
        },
        {
            "sector": "onderwijs",
            "count": 50,
            "applied": 25,
            "with_dilemma": 12,
            "without_dilemma": 13,
        },
    )
    summary = sector_summary(version=seed_version, sector="jeugdhulp")
    assert summary.figures.respondents.value == 45
    assert summary.figures.applied.hidden
    assert summary.figures.applied_share.hidden
    staff = sector_summary(version=seed_version, sector="jeugdhulp", unsuppressed=True)
    assert staff.figures.applied.value == 42 and staff.figures.applied.protected


def test_a_small_sector_cannot_be_worked_out_from_all_sectors(seed_version):
    build(
        seed_version,
        {
            "sector": "kinderopvang",
            "count": 50,
            "applied": 30,
            "with_dilemma": 15,
            "without_dilemma": 15,
        },
        {
            "sector": "onderwijs",
            "count": 60,
            "applied": 30,
            "with_dilemma": 15,
            "without_dilemma": 15,
        },
        {
            "sector": "justitie",
            "count": 4,
            "applied": 2,
            "with_dilemma": 1,
            "without_dilemma": 1,
        },
    )
    data = overview(version=seed_version)
    shown = {row.figures.sector: row.figures.respondents for row in data.rows}
    assert shown["justitie"].hidden
    if not data.total.respondents.hidden:
        others = [c for s, c in shown.items() if s != "justitie"]
        # All sectors minus the others must leave an unknown: another is hidden.
        assert any(c.hidden and s != "justitie" for s, c in shown.items()) or any(
            c.hidden for c in others
        )
    table, structure = analyst_table(seed_version)
    assert_safe(structure, table.reader.view, table.reader.hidden, algebra=False)


def two_months(version):
    # jeugdhulp: 12 answers "5" on D01 in March, 3 in April (a small count).
    build(
        version,
        {
            "sector": "jeugdhulp",
            "count": 40,
            "likert": {"D01": spread(**{"3": 28, "5": 12})},
            "day": MARCH,
        },
        {
            "sector": "jeugdhulp",
            "count": 30,
            "likert": {"D01": spread(**{"3": 27, "5": 3})},
            "day": APRIL,
        },
        {"sector": "onderwijs", "count": 40, "day": MARCH},
        {"sector": "onderwijs", "count": 40, "day": APRIL},
    )


def test_the_difference_of_two_date_filters_gives_nothing_away(seed_version):
    two_months(seed_version)
    whole = sector_summary(version=seed_version, sector="jeugdhulp")
    march = sector_summary(
        version=seed_version, sector="jeugdhulp", month_to=date(2026, 3, 1)
    )
    april = sector_summary(
        version=seed_version, sector="jeugdhulp", month_from=date(2026, 4, 1)
    )
    d01 = [s.items[0].points[4].count for s in (whole, march, april)]
    # 15 over both months is shown; in either month alone it is hidden, so
    # whole - March cannot give April's 3.
    assert d01[0].value == 15
    assert d01[1].hidden and d01[2].hidden
    assert march.context.period.months == [date(2026, 3, 1), date(2026, 4, 1)]


def test_every_difference_of_filtered_and_whole_figures_is_zero_or_large(seed_version):
    two_months(seed_version)
    whole_table, structure = analyst_table(seed_version)
    whole = published(structure, whole_table.reader.view, whole_table.reader.hidden)
    for month in (date(2026, 3, 1), date(2026, 4, 1)):
        table, _ = analyst_table(seed_version, month, month)
        shown = published(structure, table.reader.view, table.reader.hidden)
        for key in whole.keys() & shown.keys():
            difference = whole[key] - shown[key]
            assert difference == 0 or difference >= T, (key, difference)
        assert_safe(structure, table.reader.view, table.reader.hidden, algebra=False)


def test_all_sector_keys_are_part_of_the_protected_table(seed_version):
    two_months(seed_version)
    table, structure = analyst_table(seed_version)
    assert ("resp", ALL, "respondents") in structure.displayed
