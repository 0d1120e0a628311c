"""System checks of the dashboard: the installation's ptable fits the rule."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register


@register()
def ptable_never_shows_a_small_count_under_the_threshold(
    app_configs: Any = None, **kwargs: Any
) -> list[Error]:
    """A DISCLOSURE_PTABLE made for another rule (the ONS sample's 10-5 rule
    sends counts under 10 to 0) would publish a small count as 0, which the
    legend says is exactly 0: refuse it."""
    from .queries.figures import installation_ptable

    try:
        small = installation_ptable().under_threshold()
    except (OSError, KeyError, ValueError) as exc:
        return [Error(f"DISCLOSURE_PTABLE cannot be read: {exc}", id="dashboard.E002")]
    if not small:
        return []
    return [
        Error(
            "The perturbation table publishes counts of "
            f"{', '.join(map(str, small))} under the threshold for some cell keys.",
            hint="Every count of 1 to threshold-1 must go to the threshold or more "
            "(README, disclosure control); use the generated ptable "
            "(DISCLOSURE_SECRET) or fix DISCLOSURE_PTABLE.",
            id="dashboard.E001",
        )
    ]
