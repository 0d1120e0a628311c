"""Agreement between two coders: observed agreement and Cohen's kappa.

Pure functions over pairs of binary judgements (code present or not, with or
without dilemma), one pair per double-coded narrative.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Pair = tuple[bool, bool]


@dataclass(frozen=True)
class Agreement:
    n: int
    both: int  # both coders said yes
    first_only: int
    second_only: int
    neither: int

    @property
    def observed(self) -> float | None:
        return (self.both + self.neither) / self.n if self.n else None

    @property
    def expected(self) -> float | None:
        """Agreement expected by chance from each coder's own yes-rate."""
        if not self.n:
            return None
        first_yes = (self.both + self.first_only) / self.n
        second_yes = (self.both + self.second_only) / self.n
        return first_yes * second_yes + (1 - first_yes) * (1 - second_yes)

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None when undefined (no pairs, or chance agreement 1)."""
        observed, expected = self.observed, self.expected
        if observed is None or expected is None or expected >= 1:
            return None
        return (observed - expected) / (1 - expected)


def tabulate(pairs: list[Pair]) -> Agreement:
    return Agreement(
        n=len(pairs),
        both=sum(1 for a, b in pairs if a and b),
        first_only=sum(1 for a, b in pairs if a and not b),
        second_only=sum(1 for a, b in pairs if b and not a),
        neither=sum(1 for a, b in pairs if not a and not b),
    )


def observed_agreement(pairs: list[Pair]) -> float | None:
    return tabulate(pairs).observed


def cohen_kappa(pairs: list[Pair]) -> float | None:
    return tabulate(pairs).kappa


# Landis and Koch (1977), the usual reading of kappa values.
_BANDS = [
    (0.2, _("slight")),
    (0.4, _("fair")),
    (0.6, _("moderate")),
    (0.8, _("substantial")),
]


def interpret(kappa: float | None) -> str:
    """The Landis and Koch label of a kappa value ("" when undefined)."""
    if kappa is None:
        return ""
    if kappa < 0:
        return str(_("poor"))
    for upper, label in _BANDS:
        if kappa <= upper:
            return str(label)
    return str(_("almost perfect"))
