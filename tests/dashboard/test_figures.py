"""Every figure of the aggregation module on a small dataset built by hand.

kinderopvang: 40 respondents, 30 applied the meldcode and described a case
(18 with, 12 without dilemma); D01 answered 4x1, 6x2, 10x3, 12x4, 5x5 and 3x
n.v.t. onderwijs: 60 respondents, 20 applied (10 with, 10 without); D01
20x1, 20x2, 10x3, 5x4, 5x5. Every other item is answered 3 by everyone.
"""

import pytest
from django.utils.translation import gettext as _

from meldcode_survey.dashboard.queries import overview, sector_summary
from meldcode_survey.dashboard.stats import two_proportion_z_test, wilson_interval
from meldcode_survey.questionnaires.sectors import ALL

from .builders import build, spread

pytestmark = pytest.mark.django_db

KINDEROPVANG = {
    "sector": "kinderopvang",
    "count": 40,
    "applied": 30,
    "with_dilemma": 18,
    "without_dilemma": 12,
    "likert": {"D01": spread(**{"1": 4, "2": 6, "3": 10, "4": 12, "5": 5, "nvt": 3})},
    "choices": {
        "ervaring": spread(**{"0_2": 10, "2_5": 10, "5_10": 10, "10_plus": 10})
    },
}
ONDERWIJS = {
    "sector": "onderwijs",
    "count": 60,
    "applied": 20,
    "with_dilemma": 10,
    "without_dilemma": 10,
    "likert": {"D01": spread(**{"1": 20, "2": 20, "3": 10, "4": 5, "5": 5})},
    "choices": {
        "ervaring": spread(**{"0_2": 15, "2_5": 15, "5_10": 15, "10_plus": 15})
    },
}


@pytest.fixture
def dataset(seed_version):
    build(seed_version, KINDEROPVANG, ONDERWIJS)
    return seed_version


def staff_view(version, sector="kinderopvang", **kwargs):
    return sector_summary(version=version, sector=sector, unsuppressed=True, **kwargs)


def test_respondent_and_case_counts(dataset):
    summary = staff_view(dataset)
    f, everyone = summary.figures, summary.all_figures
    assert (f.respondents.value, f.applied.value, f.cases.value) == (40, 30, 30)
    assert (f.with_dilemma.value, f.without_dilemma.value) == (18, 12)
    assert f.applied_share.value == pytest.approx(0.75)
    assert (f.applied_share.low, f.applied_share.high) == pytest.approx(
        wilson_interval(30, 40)
    )
    assert f.with_dilemma_share.value == pytest.approx(0.6)
    assert f.without_dilemma_share.value == pytest.approx(0.4)
    assert (everyone.respondents.value, everyone.applied.value) == (100, 50)
    assert (everyone.with_dilemma.value, everyone.without_dilemma.value) == (28, 22)
    assert everyone.is_all and everyone.label == _("All sectors")
    assert f.label == "Kinderopvang"


def test_likert_item_counts_mean_and_top_two(dataset):
    d01 = staff_view(dataset).items[0]
    assert d01.code == "D01"
    assert [p.count.value for p in d01.points] == [4, 6, 10, 12, 5]
    assert [p.value for p in d01.points] == [1, 2, 3, 4, 5]
    assert d01.points[0].label == "Helemaal niet"
    assert d01.not_applicable.count.value == 3
    assert d01.valid_n.value == 37
    assert d01.mean == pytest.approx(119 / 37)
    assert d01.top_two.value == pytest.approx(17 / 37)
    assert (d01.top_two.low, d01.top_two.high) == pytest.approx(wilson_interval(17, 37))
    assert d01.points[3].share.value == pytest.approx(12 / 37)


def test_sector_against_all_sectors_is_tested_against_the_other_sectors(dataset):
    summary = staff_view(dataset)
    d01, d02 = summary.items[0], summary.items[1]
    # All sectors: 17 + 10 of 37 + 60 in the top two.
    assert d01.vs_all.value == pytest.approx(17 / 37 - 27 / 97)
    expected = two_proportion_z_test(17, 37, 10, 60).p_value
    assert d01.vs_all.p_value == pytest.approx(expected)
    assert expected < 0.05 / 10  # significant even after Bonferroni over 10 items
    assert d01.vs_all.significant
    assert summary.item_comparisons == 10
    assert d02.vs_all.value == 0 and not d02.vs_all.significant


def test_choice_question_counts_per_option(dataset):
    ervaring = next(c for c in staff_view(dataset).choices if c.code == "ervaring")
    assert [o.count.value for o in ervaring.options] == [10, 10, 10, 10]
    assert ervaring.answered.value == 40
    assert ervaring.options[0].share.value == pytest.approx(0.25)
    assert "casus_stap" in [c.code for c in staff_view(dataset).choices]


def test_all_sectors_summary(dataset):
    summary = sector_summary(version=dataset, sector=ALL, unsuppressed=True)
    d01 = summary.items[0]
    assert summary.figures.is_all and summary.figures.respondents.value == 100
    assert [p.count.value for p in d01.points] == [24, 26, 20, 17, 10]
    assert d01.valid_n.value == 97 and d01.vs_all is None


def test_overview_rows_per_sector(dataset):
    data = overview(version=dataset, unsuppressed=True)
    rows = {row.figures.sector: row for row in data.rows}
    assert list(rows)[:2] == ["kinderopvang", "onderwijs"]
    assert len(rows) == 7  # every sector of the question, with or without data
    assert rows["onderwijs"].figures.respondents.value == 60
    assert rows["kinderopvang"].top_item.code == "D01"
    assert data.total.respondents.value == 100
    assert [p.count.value for p in data.items[0].points] == [24, 26, 20, 17, 10]


def test_staff_see_small_counts_exactly_and_marked(dataset):
    d01 = staff_view(dataset).items[0]
    assert d01.points[0].count.value == 4 and d01.points[0].count.protected
    assert staff_view(dataset).context.unsuppressed


def test_analysts_see_small_counts_as_10_never_under_it(dataset):
    """Through the tests' noiseless ptable: a count of 1 to 9 reads 10."""
    summary = sector_summary(version=dataset, sector="kinderopvang")
    d01 = summary.items[0]
    assert not summary.context.unsuppressed
    assert [p.count.value for p in d01.points] == [10, 10, 10, 12, 10]
    assert d01.not_applicable.count.value == 10
    # Nothing in an analyst's figures says which counts were small.
    assert not any(p.count.protected for p in [*d01.points, d01.not_applicable])
    # Shares, the mean and the top-two share come from the published counts;
    # the valid n and the top two are cells of their own (37 and 17).
    assert d01.valid_n.value == 37
    assert d01.points[0].share.value == pytest.approx(10 / 37)
    assert not d01.mean_hidden
    assert d01.mean == pytest.approx((10 + 20 + 30 + 48 + 50) / 52)
    assert d01.top_two.value == pytest.approx(17 / 37)
    assert d01.chart_drawn
    assert summary.figures.respondents.value == 40
    assert summary.figures.with_dilemma.value == 18
    d02 = summary.items[1]
    assert d02.points[2].count.value == 40 and d02.valid_n.value == 40
    # Its other points are 0, and a 0 is published as 0.
    assert d02.points[0].count.value == 0 and d02.points[0].share.value == 0
    assert d02.mean == 3


def test_a_share_or_mean_on_a_published_base_under_20_is_x(seed_version):
    """The rule reads the published base only: 12 respondents (shown 12) give
    no shares, 3 (shown 10) neither; the counts are shown all the same."""
    build(
        seed_version,
        {"sector": "kinderopvang", "count": 12, "applied": 6},
        {"sector": "onderwijs", "count": 25, "applied": 5},
    )
    small = sector_summary(version=seed_version, sector="kinderopvang")
    assert small.figures.respondents.value == 12
    assert small.figures.applied.value == 10
    assert small.figures.applied_share.hidden
    assert small.figures.applied_share.value is None
    d01 = small.items[0]
    assert d01.mean_hidden and d01.mean is None and not d01.chart_drawn
    assert d01.top_two.hidden and all(p.share.hidden for p in d01.points)
    assert d01.vs_all.hidden
    large = sector_summary(version=seed_version, sector="onderwijs")
    assert large.figures.applied_share.value == pytest.approx(10 / 25)
    assert not large.items[0].mean_hidden and large.items[0].mean == 3
    # No answers at all is not "x" but empty.
    cases = large.figures.with_dilemma_share
    assert not cases.hidden and cases.value is None
    # Staff get every share.
    staff = staff_view(seed_version)
    assert staff.figures.applied_share.value == pytest.approx(0.5)


def test_no_hidden_share_carries_its_value(dataset):
    summary = sector_summary(version=dataset, sector="kinderopvang")
    shares = [item.top_two for item in summary.items] + [
        p.share for item in summary.items for p in item.points
    ]
    assert all(s.value is None and s.low is None for s in shares if s.hidden)
