"""Cell key perturbation: the one disclosure rule for every figure analysts see.

The method of the UK's Office for National Statistics (2021 census table
builder) and the Australian Bureau of Statistics' TableBuilder:

* Every response draws a random *record key* (0..255) once, when it is stored.
* A published count is a *cell*: the responses it counts. Its *cell key* is the
  sum of their record keys modulo 256, so the same responses give the same key
  in whatever page, month range or file the cell appears.
* A *perturbation table* (ptable) maps (pcv, ckey) to the noise added to the
  count, where pcv is the count itself up to 750 and, above, folded onto the
  rows 501..750 (the ONS rule). The noise of a cell is therefore fixed: asking
  again, or in another file, gives the same figure, and a difference between
  two views is the difference of two noisy cells, not a person.
* A count of 0 is published as 0: it needs no protection (the ONS keeps zeros
  too), and an empty cell stays empty.
* A count of 1 to THRESHOLD-1 is never published below THRESHOLD: its ptable
  row sends it to THRESHOLD or a little above (THRESHOLD + 0 to 3, rarely
  + MAX_NOISE, chosen by the cell key), with the very distribution a count of
  exactly THRESHOLD gets. Every figure a small count can produce is one that a
  count of THRESHOLD or more produces as well, so no published figure, and no
  rule an analyst knows, implies that a count is under THRESHOLD. There is no
  "< 10" mark: a truthful one would tell the analyst that the count is at most
  9, and combined with month ranges that the cell is 1 to 9.
* Counts of THRESHOLD and more get a small, bounded noise (at most MAX_NOISE)
  and never drop below THRESHOLD.

The price is a bias: small cells are inflated (a 3 reads as 10 to 13, rarely
up to 22), so a published 10 to 22 may stand for fewer people.

The staff's sector notes reach analysts as written, so a note must not carry
an exact small count either: `small_counts` finds the numbers in a text that
may be one, and the note forms (dashboard/forms.py) ask staff to check them.

Why our own code: the ONS publishes the method as the `cell-key-perturbation`
package (3.1.0). It tabulates pandas microdata (one row per person) and adds
the noise to that frequency table; our figures come from rollups that keep a
count and a key sum per cell, never the microdata, so its tabulation cannot be
used. We take its ptable format (columns pcv, ckey, pvalue; pcv 1..750, ckey
0..255; counts above 750 use ((count - 1) % 250) + 501), so an installation
can load a ptable made with the ONS tools (`PerturbationTable.from_csv`). By
default the ptable is generated here, deterministically from a secret
(`PerturbationTable.generate`): a real installation keeps its own ptable and
secret to itself, since whoever knows the ptable and the record keys can take
the noise off again.

Pure Python, no Django: the rule can be read and tested on its own.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

KEY_RANGE = 256  # record and cell keys are 0..255
MAX_PCV = 750
FOLD_FROM = 501  # counts above MAX_PCV reuse the rows FOLD_FROM..MAX_PCV
MAX_NOISE = 12  # the largest noise on a count of THRESHOLD or more
# Shares and means are given only on a published base of at least this many
# times the threshold ("x" otherwise): a share of 1 in 10 would say little and
# move a lot with the noise.
MIN_BASE_FACTOR = 2
# How many of the 256 keys of a ptable row (count THRESHOLD or more) carry each
# noise, either way; the rest carry none. An analyst who knows the largest
# noise must allow for it on every figure, so combined intervals stay wide.
# Subtracting two overlapping figures bounds their difference (1 to 9) under
# THRESHOLD only when their noises differ by 2 * MAX_NOISE - 8 or more; with
# nothing between 3 and MAX_NOISE only the pair (+MAX_NOISE, -MAX_NOISE) does,
# a chance of 1 in 65,536 per pair. Noises of 4 to 11 on one key each (an
# earlier layout) made it 45 in 65,536, and the attacker test found such leaks
# in 5 of 31 ptables; with this layout in none (README).
NOISE_KEYS = {1: 40, 2: 20, 3: 10, MAX_NOISE: 1}
COMMON_NOISE = max(n for n, keys in NOISE_KEYS.items() if keys > 1)  # 3


def cell_key(key_sum: int) -> int:
    """The cell key from the sum of the record keys of a cell's responses."""
    return key_sum % KEY_RANGE


def pcv(count: int) -> int:
    """The ptable row of a count (the ONS rule for counts above 750)."""
    return (
        count
        if count <= MAX_PCV
        else (count - 1) % (MAX_PCV - FOLD_FROM + 1) + (FOLD_FROM)
    )


@dataclass(frozen=True)
class PerturbationTable:
    """Noise per (pcv, ckey); rows absent from the table mean no noise."""

    threshold: int
    noise: dict[tuple[int, int], int]

    @classmethod
    def generate(cls, secret: str, threshold: int = 10) -> PerturbationTable:
        """A ptable drawn from a random generator seeded with the secret.

        Per row, the noises are laid out as NOISE_KEYS says (under the
        threshold: as a count of exactly the threshold is published) and
        shuffled over the 256 cell keys.
        """
        seed = hmac.new(secret.encode(), b"ptable-v1", hashlib.sha256).digest()
        rng = random.Random(seed)
        noise: dict[tuple[int, int], int] = {}
        for row in range(1, MAX_PCV + 1):
            values = _row_noises(row, threshold)
            rng.shuffle(values)
            for ckey, value in enumerate(values):
                if value:
                    noise[row, ckey] = value
        return cls(threshold=threshold, noise=noise)

    @classmethod
    def from_csv(cls, path: Path, threshold: int = 10) -> PerturbationTable:
        """A ptable in the ONS format: a CSV with columns pcv, ckey, pvalue."""
        with path.open(newline="") as handle:
            rows = csv.DictReader(handle)
            noise = {
                (int(r["pcv"]), int(r["ckey"])): int(r["pvalue"])
                for r in rows
                if int(r["pvalue"])
            }
        return cls(threshold=threshold, noise=noise)

    def rows(self) -> Iterable[tuple[int, int, int]]:
        """(pcv, ckey, pvalue) for every row, as the ONS format lists them."""
        for row in range(1, MAX_PCV + 1):
            for ckey in range(KEY_RANGE):
                yield row, ckey, self.noise.get((row, ckey), 0)

    def under_threshold(self) -> list[int]:
        """The counts of 1 to threshold-1 that some cell key would publish
        under the threshold (as 0): none in a ptable fit for this rule."""
        return [
            count
            for count in range(1, self.threshold)
            if any(self.perturb(count, k) < self.threshold for k in range(KEY_RANGE))
        ]

    def perturb(self, count: int, key_sum: int) -> int:
        """The published count: 0 for 0, else the threshold or more.

        A ptable that would take a small count under the threshold (one from a
        file made for another rule) publishes it as 0 rather than as 1 to 9;
        the system check dashboard.E001 refuses such a ptable.
        """
        if count <= 0:
            return 0
        value = count + self.noise.get((pcv(count), cell_key(key_sum)), 0)
        if count >= self.threshold:
            return max(value, self.threshold)
        return value if value >= self.threshold else 0


def min_base(threshold: int) -> int:
    """The smallest published base of a share or mean that analysts get."""
    return MIN_BASE_FACTOR * threshold


def _row_noises(count: int, threshold: int) -> list[int]:
    """The 256 noises of one ptable row, before shuffling."""
    if count < threshold:
        # Published as a count of exactly the threshold would be: the
        # threshold plus the size of a noise (a 10 never goes down).
        return [threshold - count + abs(n) for n in _row_noises(threshold, threshold)]
    values: list[int] = []
    for size, keys in NOISE_KEYS.items():
        for noise in (-size, size):
            # Never below the threshold: a lower count keeps the noise upwards.
            values += [noise if count + noise >= threshold else size] * keys
    return values + [0] * (KEY_RANGE - len(values))


# --- Numbers in staff notes ------------------------------------------------------

# Number words as counts, Dutch and English, up to 19 (a threshold above 10 then
# catches its words too). Dutch "een" is also the article "a", so only the
# numeral's accented spelling counts ("één", also "eén", "éen").
_NUMBER_WORDS = {
    **dict.fromkeys(("één", "eén", "éen", "one"), 1),
    **dict.fromkeys(("twee", "two"), 2),
    **dict.fromkeys(("drie", "three"), 3),
    **dict.fromkeys(("vier", "four"), 4),
    **dict.fromkeys(("vijf", "five"), 5),
    **dict.fromkeys(("zes", "six"), 6),
    **dict.fromkeys(("zeven", "seven"), 7),
    **dict.fromkeys(("acht", "eight"), 8),
    **dict.fromkeys(("negen", "nine"), 9),
    **dict.fromkeys(("tien", "ten"), 10),
    **dict.fromkeys(("elf", "eleven"), 11),
    **dict.fromkeys(("twaalf", "twelve"), 12),
    **dict.fromkeys(("dertien", "thirteen"), 13),
    **dict.fromkeys(("veertien", "fourteen"), 14),
    **dict.fromkeys(("vijftien", "fifteen"), 15),
    **dict.fromkeys(("zestien", "sixteen"), 16),
    **dict.fromkeys(("zeventien", "seventeen"), 17),
    **dict.fromkeys(("achttien", "eighteen"), 18),
    **dict.fromkeys(("negentien", "nineteen"), 19),
}
# A number in digits is one token with what joins it to further digits: a
# decimal or thousands separator (3,4 and 1.000), a fraction (1/3), a time
# (9:30), a date (3-4-2026, 2026-04-03, 2026-04). A dash between two numbers
# alone is a range (3-5): both are numbers of their own. A token that touches a
# letter is no count (3e, 2nd, A4, 5x).
_NUMBER = re.compile(
    r"(?<![\w.,/])(?<!\d:)"
    r"(?P<digits>\d{4}-\d{1,2}(?:-\d{1,2})?(?!\d)|\d{1,2}-\d{1,2}-\d{2,4}(?!\d)"
    r"|\d+(?:[.,:/]\d+)*)(?!\w)"
    r"|(?<![\w-])(?P<word>" + "|".join(_NUMBER_WORDS) + r")(?![\w-])",
    re.IGNORECASE,
)
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober"
    "|november|december|january|february|march|june|july|august|october"
    "|jan|feb|mrt|mar|apr|jun|jul|aug|sept?|okt|oct|nov|dec"
)
# "May" only capitalised: "9 may be" is a count.
_MONTH_AFTER = re.compile(rf"\s+(?:(?i:{_MONTHS})\b|May\b)")
_MONTH_BEFORE = re.compile(rf"(?:\b(?i:{_MONTHS})|\bMay)\.?\s+$")
# A number that names something rather than counts: "versie 2", "groep 7",
# "leerjaar 3". Not "week" or "year": "vorige week 3 meldingen" is a count.
_LABEL_BEFORE = re.compile(
    r"\b(?:versie|vraag|stelling|item|golf|groep|hoofdstuk|pagina|bijlage|figuur"
    r"|tabel|stap|fase|niveau|combinatieklas|leerjaar|p\.|version|question"
    r"|statement|wave|group|grade|chapter|page|appendix|figure|table|step|phase"
    r"|level)\s+$",
    re.IGNORECASE,
)
_NO_ONE = re.compile(r"\bno\s+$", re.IGNORECASE)
# "1." or "2)" at the start of a line, with the item's text after it.
_LIST_NUMBER = re.compile(r"[.)][^\S\n]+\S")
# Fractions that say how large a part is, not how many: "ruim 1/3 van de ...".
_PROPORTIONS = {"1/2", "1/3", "1/4", "2/3", "3/4"}


def small_counts(text: str, threshold: int = 10) -> list[str]:
    """The numbers in a text that may be a count under the threshold, as written.

    A staff note is shown to analysts as written (sector page, fact sheet), so
    "3 van de 12 medewerkers" would pass on a count that no figure shows. The
    rule is deliberately simple and errs on the side of asking: staff confirm
    what is no count. It finds whole numbers of 1 to threshold - 1 in digits,
    also before "%" (5% of a small group is a small count), and Dutch and
    English number words ("drie", "three"). It leaves alone what cannot be a
    small count or is plainly no count: larger numbers (2026, 45%, 15),
    decimals (3,4) and proportions (1/2, 1/3, 1/4, 2/3, 3/4), times and dates
    (9:30, 3-4-2026, 3/4/2026, "3 maart", "March 3"), ordinals (3e, 2nd), a
    number after a label word ("versie 2", "groep 7", "leerjaar 3"), list
    numbering ("1." or "1)" at the start of a line, before the item's text),
    Dutch "een" without accents (the article) and "no one". Another fraction
    gives its small parts: "3/12" (3 of 12) asks about 3, and so a short date
    such as "5/6" or a mark such as "8/10" is asked about too.
    Each number is listed once, in the order of the text.
    """
    text = unicodedata.normalize("NFC", text)
    found: dict[str, str] = {}
    for match in _NUMBER.finditer(text):
        before = text[max(0, match.start() - 20) : match.start()]
        if (
            _MONTH_AFTER.match(text, match.end())
            or _MONTH_BEFORE.search(before)
            or _LABEL_BEFORE.search(before)
        ):
            continue
        for number in _small_numbers(text, match, before, threshold):
            found.setdefault(number.lower(), number)
    return list(found.values())


def _small_numbers(
    text: str, match: re.Match[str], before: str, threshold: int
) -> list[str]:
    """The numbers under the threshold that one match of _NUMBER may count."""
    written = match[0]
    if match["word"] is not None:
        small = _NUMBER_WORDS[written.lower()] < threshold
        return [written] if small and not _NO_ONE.search(before) else []
    if "/" in written:
        return _fraction_parts(written, threshold)
    if not written.isdecimal() or not 0 < int(written) < threshold:
        return []
    line_start = text.rfind("\n", 0, match.start()) + 1
    at_line_start = not text[line_start : match.start()].strip()
    if at_line_start and _LIST_NUMBER.match(text, match.end()):
        return []
    return [written]


def _fraction_parts(written: str, threshold: int) -> list[str]:
    """The small counts in "3/12" (3 of 12) or "5/6": each whole number of a
    part-of-whole under the threshold, "5/5" too. Not a plain proportion (1/2,
    1/3, ...), a date (3/4/2026), nor "24/7", whose first number is the larger."""
    parts = written.split("/")
    if len(parts) != 2 or not all(p.isdecimal() for p in parts):
        return []
    part, whole = (int(p) for p in parts)
    if written in _PROPORTIONS or whole < part:
        return []
    return [p for p in parts if 0 < int(p) < threshold]
