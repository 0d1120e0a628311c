"""Cell key perturbation: the ptable, the cell keys, and marks that tell the truth."""

from __future__ import annotations

import statistics
from datetime import date

import pytest

from meldcode_survey.dashboard.queries import marks, overview, sector_summary
from meldcode_survey.dashboard.queries.disclosure import (
    KEY_RANGE,
    MAX_NOISE,
    PerturbationTable,
    cell_key,
    pcv,
)
from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import Response

from .builders import build, spread

T = 10


@pytest.fixture(scope="module")
def ptable():
    return PerturbationTable.generate("a secret for the tests", T)


def test_a_small_count_is_published_as_0_or_the_threshold_never_1_to_9(ptable):
    for count in range(1, T):
        published = {ptable.perturb(count, key) for key in range(KEY_RANGE)}
        assert published == {0, T}
        # Unbiased: on average over the keys, the true count.
        mean = statistics.mean(ptable.perturb(count, k) for k in range(KEY_RANGE))
        assert mean == pytest.approx(count, abs=0.1)


def test_larger_counts_get_bounded_noise_and_never_drop_under_the_threshold(ptable):
    for count in [*range(T, 60), 749, 750, 751, 5000]:
        for key in range(KEY_RANGE):
            value = ptable.perturb(count, key)
            assert value >= T and abs(value - count) <= MAX_NOISE
    noises = [ptable.perturb(500, k) - 500 for k in range(KEY_RANGE)]
    assert noises.count(0) > KEY_RANGE / 3  # most figures are exact...
    assert sum(abs(n) >= 4 for n in noises) == 18  # ...few far off
    assert ptable.perturb(0, 123) == 0


def test_the_ptable_follows_from_the_secret_alone():
    one = PerturbationTable.generate("s", T)
    assert one == PerturbationTable.generate("s", T)
    assert one != PerturbationTable.generate("another", T)


def test_counts_above_750_reuse_rows_501_to_750_as_the_ons_does():
    assert pcv(750) == 750 and pcv(751) == 501 and pcv(1000) == 750
    assert pcv(1001) == 501 and cell_key(256 + 7) == 7


def test_a_ptable_in_the_ons_csv_format_reads_back(ptable, tmp_path):
    path = tmp_path / "ptable.csv"
    lines = ["pcv,ckey,pvalue"] + [f"{r},{k},{v}" for r, k, v in ptable.rows()]
    path.write_text("\n".join(lines))
    assert PerturbationTable.from_csv(path, T) == ptable


@pytest.fixture
def months(seed_version):
    """A large sector and a thin one over three months."""
    specs = []
    for day, big, small in (
        (date(2026, 3, 10), 40, 4),
        (date(2026, 4, 10), 31, 7),
        (date(2026, 5, 10), 25, 12),
    ):
        for sector, count in (("kinderopvang", big), ("justitie", small)):
            half = count // 2
            specs.append(
                {
                    "sector": sector,
                    "count": count,
                    "applied": half,
                    "with_dilemma": half // 2,
                    "without_dilemma": half - half // 2,
                    "likert": {
                        "D01": spread(**{"2": count - half, "4": half - 1, "nvt": 1})
                    },
                    "day": day,
                }
            )
    build(seed_version, *specs)
    return seed_version


def _views(version, unsuppressed: bool):
    periods = [(None, None), (date(2026, 3, 1), date(2026, 3, 1))]
    periods += [(date(2026, 4, 1), date(2026, 5, 1)), (date(2026, 3, 1), None)]
    for month_from, month_to in periods:
        for sector in ("kinderopvang", "justitie", ALL):
            yield (
                (sector, month_from, month_to),
                sector_summary(
                    version=version,
                    sector=sector,
                    month_from=month_from,
                    month_to=month_to,
                    unsuppressed=unsuppressed,
                ),
            )


def _counts(summary):
    f = summary.figures
    for m in ("respondents", "applied", "cases", "with_dilemma", "without_dilemma"):
        yield ("resp", m), getattr(f, m)
    for item in summary.items:
        for point in [*item.points, item.not_applicable]:
            yield (item.code, point.value), point.count
        yield (item.code, "n"), item.valid_n
    for choice in summary.choices:
        yield (choice.code, "answered"), choice.answered
        for option in choice.options:
            yield (choice.code, option.code), option.count


@pytest.mark.django_db
@pytest.mark.perturbed
def test_a_less_than_10_mark_never_stands_on_a_count_of_10_or_more(months):
    truth = {
        (view, key): cell.value
        for view, summary in _views(months, unsuppressed=True)
        for key, cell in _counts(summary)
    }
    hidden = 0
    for view, summary in _views(months, unsuppressed=False):
        for key, cell in _counts(summary):
            if cell.hidden:
                hidden += 1
                assert marks.count_mark(cell, T) == "< 10"
                assert truth[view, key] < T, (view, key, truth[view, key])
            else:
                assert cell.value == 0 and truth[view, key] == 0 or cell.value >= T
    assert hidden > 10


@pytest.mark.django_db
@pytest.mark.perturbed
def test_a_cell_reads_the_same_in_every_view_it_appears_in(months):
    """Same responses, same key, same noise: the sector page, the overview and
    all-sectors page agree, and a month filter equal to the whole period too."""
    page = sector_summary(version=months, sector="justitie")
    rows = {r.figures.sector: r for r in overview(version=months).rows}
    assert rows["justitie"].figures.respondents == page.figures.respondents
    same = sector_summary(
        version=months,
        sector="justitie",
        month_from=date(2026, 3, 1),
        month_to=date(2026, 5, 1),
    )
    assert same.figures == page.figures and same.items == page.items
    everyone = sector_summary(version=months, sector=ALL)
    assert everyone.figures.respondents == page.all_figures.respondents


@pytest.mark.django_db
@pytest.mark.perturbed
def test_staff_see_exact_counts_and_analysts_perturbed_ones(months):
    staff = sector_summary(version=months, sector="kinderopvang", unsuppressed=True)
    analyst = sector_summary(version=months, sector="kinderopvang")
    assert staff.figures.respondents.value == 96
    assert abs(analyst.figures.respondents.value - 96) <= MAX_NOISE
    justitie = sector_summary(
        version=months,
        sector="justitie",
        month_from=date(2026, 3, 1),
        month_to=date(2026, 3, 1),
        unsuppressed=True,
    )
    assert justitie.figures.respondents.value == 4
    assert justitie.figures.respondents.protected


@pytest.mark.django_db
def test_every_response_gets_a_record_key_between_0_and_255(months):
    keys = list(Response.objects.values_list("record_key", flat=True))
    assert all(0 <= k < KEY_RANGE for k in keys)
    assert len(set(keys)) > 20  # drawn at random, not one default
