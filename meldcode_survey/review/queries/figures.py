"""Coded figures: final code counts per sector (for the dashboard and the
workspace) and approved examples (for the dashboard)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from meldcode_survey.questionnaires.sectors import ALL

from ..models import Code, FinalCoding, FinalCodingCode, Redaction


@dataclass(frozen=True)
class CodeCount:
    key: str  # e.g. "A"
    label: str  # in the active language
    cases: int  # narratives whose final coding carries this code


@dataclass(frozen=True)
class Example:
    description: str
    dilemma: str
    follow_up: str
    sector: str  # the sector code, e.g. "kinderopvang"
    code_keys: tuple[str, ...]


def _finals(
    *,
    version_ids: Iterable[int],
    date_from: date | None = None,
    date_to: date | None = None,
    include_synthetic: bool = False,
) -> QuerySet[FinalCoding]:
    finals = FinalCoding.objects.filter(
        narrative__response__version_id__in=list(version_ids)
    )
    if date_from is not None:
        finals = finals.filter(narrative__response__submitted_on__gte=date_from)
    if date_to is not None:
        finals = finals.filter(narrative__response__submitted_on__lte=date_to)
    if not include_synthetic:
        finals = finals.filter(narrative__response__is_synthetic=False)
    return finals


def _codes_by_key(version_ids: list[int]) -> dict[str, Code]:
    """The codes of the versions' codebooks by key; the newest codebook wins."""
    codes = Code.objects.filter(
        codebook__questionnaire__versions__in=version_ids
    ).order_by("-codebook_id", "position", "key")
    by_key: dict[str, Code] = {}
    for code in codes:
        by_key.setdefault(code.key, code)
    return by_key


def _code_counts(counts: dict[str, int], codes: dict[str, Code]) -> list[CodeCount]:
    keys = {key for key, code in codes.items() if not code.is_retired}
    keys |= {key for key, n in counts.items() if n}
    rows = [
        CodeCount(
            key=key,
            label=codes[key].tr("label") if key in codes else key,
            cases=counts.get(key, 0),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda row: (-row.cases, row.key))


def approved_examples(
    *,
    version_ids: Iterable[int],
    sector: str = ALL,
    limit: int = 5,
    include_synthetic: bool = False,
) -> list[Example]:
    """Approved redactions marked as examples, newest approval first.

    Only the redacted texts are read; the original narrative never leaves here.
    A redaction the thorough screening has not passed yet is left out.
    """
    redactions = Redaction.objects.filter(
        is_example=True,
        approved_by__isnull=False,
        screened_at__isnull=False,
        narrative__response__version_id__in=list(version_ids),
    )
    if sector != ALL:
        redactions = redactions.filter(narrative__response__sector=sector)
    if not include_synthetic:
        redactions = redactions.filter(narrative__response__is_synthetic=False)
    rows = list(
        redactions.order_by("-approved_at", "-pk").values(
            "narrative_id",
            "description",
            "dilemma",
            "follow_up",
            "narrative__response__sector",
        )[:limit]
    )
    keys = _final_keys([row["narrative_id"] for row in rows])
    return [
        Example(
            description=row["description"],
            dilemma=row["dilemma"],
            follow_up=row["follow_up"],
            sector=row["narrative__response__sector"],
            code_keys=tuple(keys.get(row["narrative_id"], ())),
        )
        for row in rows
    ]


def _final_keys(narrative_ids: list[int]) -> dict[int, list[str]]:
    pairs = (
        FinalCodingCode.objects.filter(final__narrative_id__in=narrative_ids)
        .order_by("code__position", "code__key")
        .values_list("final__narrative_id", "code__key")
    )
    keys: dict[int, list[str]] = defaultdict(list)
    for narrative_id, key in pairs:
        keys[narrative_id].append(key)
    return keys


# --- Code frequencies per sector (staff view, unsuppressed) -------------------


@dataclass(frozen=True)
class SectorFrequencies:
    totals: dict[str, int]  # sector -> narratives with a final coding
    codes: list[CodeCount]  # all sectors together, most frequent first
    cells: dict[tuple[str, str], int]  # (code key, sector) -> cases
    codebook: dict[str, Code]  # the codes by key (see _codes_by_key)
    # The same over the narratives whose final coding says "with dilemma":
    dilemma_totals: dict[str, int] = field(default_factory=dict)
    dilemma_cells: dict[tuple[str, str], int] = field(default_factory=dict)
    # The sums of the narratives' record keys (Response.record_key) beside
    # each count above, for the dashboard's disclosure control.
    total_keys: dict[str, int] = field(default_factory=dict)
    cell_keys: dict[tuple[str, str], int] = field(default_factory=dict)
    dilemma_total_keys: dict[str, int] = field(default_factory=dict)
    dilemma_cell_keys: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def of(self, sector: str) -> tuple[int, list[CodeCount]]:
        """One sector's coded narratives and code counts (or of ALL sectors)."""
        if sector == ALL:
            return self.total, self.codes
        counts = {key: n for (key, s), n in self.cells.items() if s == sector}
        return self.totals.get(sector, 0), _code_counts(counts, self.codebook)

    def with_dilemma(self, sector: str) -> tuple[int, list[CodeCount]]:
        """Coded cases with a dilemma and the codes they carry (or of ALL sectors).

        The base of the fact sheet's "named as a dilemma in more than 1/3 of
        the situations": a share of the cases that have a dilemma at all.
        """
        cells = self.dilemma_cells.items()
        if sector == ALL:
            total = sum(self.dilemma_totals.values())
            counts: dict[str, int] = defaultdict(int)
            for (key, _sector), n in cells:
                counts[key] += n
        else:
            total = self.dilemma_totals.get(sector, 0)
            counts = {key: n for (key, s), n in cells if s == sector}
        return total, _code_counts(dict(counts), self.codebook)

    def keys_of(
        self, sector: str, *, with_dilemma: bool = False
    ) -> tuple[int, dict[str, int]]:
        """The record key sums beside `of(sector)` (or `with_dilemma(sector)`):
        coded narratives, per code."""
        totals = self.dilemma_total_keys if with_dilemma else self.total_keys
        cells = self.dilemma_cell_keys if with_dilemma else self.cell_keys
        codes: dict[str, int] = defaultdict(int)
        for (key, s), keys in cells.items():
            if sector in (ALL, s):
                codes[key] += keys
        if sector == ALL:
            return sum(totals.values()), dict(codes)
        return totals.get(sector, 0), dict(codes)


def code_frequencies_by_sector(
    *,
    version_ids: Iterable[int],
    date_from: date | None = None,
    date_to: date | None = None,
    include_synthetic: bool = False,
) -> SectorFrequencies:
    """Narratives with a final coding and per code how many carry it, per sector.

    Codes are counted by key, so waves with their own codebooks line up. Active
    codes are listed even at zero; retired ones only when they were given.
    Unsuppressed: disclosure control is the aggregation module's job. Three
    queries, however many sectors.
    """
    version_ids = list(version_ids)
    finals = _finals(
        version_ids=version_ids,
        date_from=date_from,
        date_to=date_to,
        include_synthetic=include_synthetic,
    )
    sector_path = "narrative__response__sector"
    with_dilemma = Q(has_dilemma=True)
    key_path = "narrative__response__record_key"
    totals, dilemma_totals, total_keys, dilemma_total_keys = {}, {}, {}, {}
    for sector, n, n_dilemma, keys, dilemma_keys in (
        finals.values_list(sector_path)
        .annotate(
            n=Count("pk"),
            d=Count("pk", filter=with_dilemma),
            keys=Sum(key_path),
            dkeys=Sum(key_path, filter=with_dilemma, default=0),
        )
        .order_by()
    ):
        totals[sector], dilemma_totals[sector] = n, n_dilemma
        total_keys[sector], dilemma_total_keys[sector] = keys, dilemma_keys
    cells, dilemma_cells, cell_keys, dilemma_cell_keys = {}, {}, {}, {}
    # A final coding carries a code at most once, so the sums count each once.
    in_dilemma = Q(final__has_dilemma=True)
    for sector, key, n, n_dilemma, keys, dilemma_keys in (
        FinalCodingCode.objects.filter(final__in=finals)
        .values_list(f"final__{sector_path}", "code__key")
        .annotate(
            n=Count("final_id", distinct=True),
            d=Count("final_id", distinct=True, filter=in_dilemma),
            keys=Sum(f"final__{key_path}"),
            dkeys=Sum(f"final__{key_path}", filter=in_dilemma, default=0),
        )
        .order_by()
    ):
        cells[key, sector], dilemma_cells[key, sector] = n, n_dilemma
        cell_keys[key, sector], dilemma_cell_keys[key, sector] = keys, dilemma_keys
    # A narrative has one sector, so the sectors' counts add up.
    counts: dict[str, int] = defaultdict(int)
    for (key, _sector), n in cells.items():
        counts[key] += n
    codebook = _codes_by_key(version_ids)
    return SectorFrequencies(
        totals=totals,
        codes=_code_counts(counts, codebook),
        cells=cells,
        codebook=codebook,
        dilemma_totals=dilemma_totals,
        dilemma_cells=dilemma_cells,
        total_keys=total_keys,
        cell_keys=cell_keys,
        dilemma_total_keys=dilemma_total_keys,
        dilemma_cell_keys=dilemma_cell_keys,
    )
