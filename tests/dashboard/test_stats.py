"""The statistics against values computed by hand (and published ones)."""

import math

import pytest

from meldcode_survey.dashboard.stats import (
    is_significant,
    mean_of_counts,
    two_proportion_z_test,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    got = wilson_interval(successes, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_by_hand_for_12_of_40():
    # p = .3, z² = 3.8415: centre = (.3 + z²/80) / (1 + z²/40) = .31752,
    # half = z·sqrt(.21/40 + z²/6400) / (1 + z²/40) = .13678
    low, high = wilson_interval(12, 40)
    assert low == pytest.approx(0.31752 - 0.13678, abs=1e-4)
    assert high == pytest.approx(0.31752 + 0.13678, abs=1e-4)


def test_wilson_interval_stays_within_zero_and_one():
    assert wilson_interval(29, 29)[1] == 1.0
    assert wilson_interval(0, 5)[0] == 0.0


def test_wilson_interval_refuses_impossible_counts():
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(6, 5)


def test_two_proportion_test_by_hand():
    # 30/100 against 20/100: pooled .25, se = sqrt(.25·.75·(2/100)) = .061237,
    # z = .1 / .061237 = 1.63299, two-sided p = erfc(z/√2) = .10247
    result = two_proportion_z_test(30, 100, 20, 100)
    assert result.difference == pytest.approx(0.1)
    assert result.z == pytest.approx(1.63299, abs=1e-5)
    assert result.p_value == pytest.approx(0.10247, abs=1e-5)


def test_two_proportion_test_with_unequal_samples():
    # 56/70 = .8 against 48/80 = .6: pooled 104/150, se = .075467, z = 2.65017
    result = two_proportion_z_test(56, 70, 48, 80)
    assert result.z == pytest.approx(2.65017, abs=1e-5)
    assert result.p_value == pytest.approx(math.erfc(2.65017 / math.sqrt(2)), abs=1e-6)
    assert result.p_value == pytest.approx(0.00805, abs=1e-5)


def test_two_proportion_test_of_identical_extremes_finds_no_difference():
    assert two_proportion_z_test(10, 10, 20, 20).p_value == 1.0


def test_significance_is_bonferroni_corrected():
    assert is_significant(0.008)
    assert not is_significant(0.008, comparisons=10)
    assert is_significant(0.004, comparisons=10)
    assert not is_significant(0.10247)


def test_mean_of_counts():
    assert mean_of_counts({1: 5, 2: 5, 3: 5, 4: 6, 5: 6}) == pytest.approx(84 / 27)
    assert mean_of_counts({}) is None
