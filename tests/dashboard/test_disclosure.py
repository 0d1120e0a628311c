"""Cell key perturbation: the ptable, the cell keys, and no mark that gives away a
count under 10."""

from __future__ import annotations

import statistics
from datetime import date
from types import SimpleNamespace

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


def test_a_small_count_is_published_as_a_10_would_be_never_under_10(ptable):
    """1 to 9 go to 10 or a little more, with the very figures (and how often
    each comes) that a count of exactly 10 gets: nothing tells them apart."""
    as_ten = sorted(ptable.perturb(T, key) for key in range(KEY_RANGE))
    assert min(as_ten) == T and max(as_ten) == T + MAX_NOISE
    for count in range(1, T):
        published = [ptable.perturb(count, key) for key in range(KEY_RANGE)]
        assert sorted(published) == as_ten
        # The price: small cells are inflated (on average to about 11).
        assert 10.5 < statistics.mean(published) < 11.5
    # Every such figure is one a count of 10 or more also produces.
    larger = {ptable.perturb(c, k) for c in range(T, 40) for k in range(KEY_RANGE)}
    assert set(as_ten) <= larger
    assert ptable.perturb(0, 77) == 0


def test_larger_counts_get_bounded_noise_and_never_drop_under_the_threshold(ptable):
    for count in [*range(T, 60), 749, 750, 751, 5000]:
        for key in range(KEY_RANGE):
            value = ptable.perturb(count, key)
            assert value >= T and abs(value - count) <= MAX_NOISE
    noises = [ptable.perturb(500, k) - 500 for k in range(KEY_RANGE)]
    assert noises.count(0) > KEY_RANGE / 3  # most figures are exact...
    # ...the rest 1 to 3 off, but for one key each way with the largest noise:
    # no noise of 4 to 11, so only two largest noises in opposite directions
    # let a difference of two figures be bounded under 10 (README).
    assert sorted(n for n in noises if abs(n) > 3) == [-MAX_NOISE, MAX_NOISE]
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
def test_no_analyst_figure_is_under_10_but_0_and_no_mark_says_small(months):
    """No "< 10" for analysts anywhere: a count is 0 (exactly 0) or 10 or more,
    and "x" stands only where the published base is under 20."""
    truth = {
        (view, key): cell.value
        for view, summary in _views(months, unsuppressed=True)
        for key, cell in _counts(summary)
    }
    small = 0
    for view, summary in _views(months, unsuppressed=False):
        for key, cell in _counts(summary):
            true = truth[view, key]
            assert cell.value is not None and not cell.protected
            assert cell.value == 0 if true == 0 else cell.value >= T, (view, key)
            small += 1 <= true < T
        legend = marks.legend(summary.context)
        note = marks.disclosure_note(summary.context)
        assert all("<" not in e.symbol + e.text for e in legend) and "<" not in note
        for share, base in _shares(summary):
            assert share.hidden == (0 < base.value < 2 * T), (view, share, base)
    assert small > 10


def _shares(summary):
    """Every share and mean with its published base."""
    f = summary.figures
    yield f.applied_share, f.respondents
    yield f.with_dilemma_share, f.cases
    yield f.without_dilemma_share, f.cases
    for item in summary.items:
        for share in [item.top_two, *(p.share for p in item.points)]:
            yield share, item.valid_n
        yield SimpleNamespace(hidden=item.mean_hidden), item.valid_n
    for choice in summary.choices:
        for option in choice.options:
            yield option.share, choice.answered


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


def test_a_ptable_that_shows_small_counts_under_10_fails_the_system_check(
    settings, threshold_only_ptable, floor_ptable
):
    """An ONS-style 10-5 ptable would publish 1 to 9 as 0, which reads "no one"."""
    from meldcode_survey.dashboard.checks import (
        ptable_never_shows_a_small_count_under_the_threshold as check,
    )

    settings.DISCLOSURE_PTABLE = threshold_only_ptable
    assert [e.id for e in check()] == ["dashboard.E001"]
    settings.DISCLOSURE_PTABLE = floor_ptable
    assert check() == []
    settings.DISCLOSURE_PTABLE = ""  # generated from the secret
    assert check() == []
    settings.DISCLOSURE_PTABLE = "/nonexistent/ptable.csv"
    assert [e.id for e in check()] == ["dashboard.E002"]
