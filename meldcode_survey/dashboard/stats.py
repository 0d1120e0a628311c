"""Pure statistics for the dashboard: Wilson intervals and two-proportion tests.

No Django here, so every function can be checked against figures computed by
hand (tests/dashboard/test_stats.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal
ALPHA = 0.05


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95% by default).

    Unlike the textbook p ± z·se it stays within [0, 1] and behaves at 0 and n.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ProportionTest:
    difference: float  # p1 - p2
    z: float
    p_value: float  # two-sided


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> ProportionTest:
    """Two-sided z-test of p1 = p2 with the pooled standard error.

    The samples must be independent: compare a sector with the other sectors,
    not with a total that contains it.
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both samples need at least one observation")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return ProportionTest(difference=p1 - p2, z=0.0, p_value=1.0)
    z = (p1 - p2) / se
    return ProportionTest(
        difference=p1 - p2, z=z, p_value=math.erfc(abs(z) / math.sqrt(2))
    )


def is_significant(p_value: float, comparisons: int = 1, alpha: float = ALPHA) -> bool:
    """Bonferroni: with m tests on one page, each must reach alpha / m."""
    return p_value < alpha / max(comparisons, 1)


def mean_of_counts(counts: dict[int, int]) -> float | None:
    """The mean scale value given a count per value; None without answers."""
    n = sum(counts.values())
    if n == 0:
        return None
    return sum(value * count for value, count in counts.items()) / n
