"""Agreement between the first two codings of each double-coded narrative."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from ..agreement import Agreement, tabulate
from ..models import Code, Codebook, Coding, CodingCode


@dataclass(frozen=True)
class CodeAgreement:
    code: Code
    agreement: Agreement


@dataclass(frozen=True)
class AgreementReport:
    narratives: int  # double-coded narratives
    codes: list[CodeAgreement]
    dilemma: Agreement
    disagreements: int  # narratives whose first two codings differ


def agreement_report(
    codebook: Codebook, version_id: int | None = None
) -> AgreementReport:
    """Agreement of the first two codings of every double-coded narrative."""
    codings = Coding.objects.filter(
        narrative__response__version__questionnaire_id=codebook.questionnaire_id
    )
    if version_id is not None:
        codings = codings.filter(narrative__response__version_id=version_id)
    doubles = (
        codings.order_by()
        .values("narrative_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("narrative_id")
    )
    rows = list(
        codings.filter(narrative_id__in=doubles)
        .order_by("narrative_id", "created_at", "pk")
        .values_list("pk", "narrative_id", "has_dilemma")
    )
    pairs: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for pk, narrative_id, has_dilemma in rows:
        if len(pairs[narrative_id]) < 2:
            pairs[narrative_id].append((pk, has_dilemma))
    coding_ids = [pk for pair in pairs.values() for pk, _d in pair]
    given: dict[int, set[int]] = defaultdict(set)
    for coding_id, code_id in CodingCode.objects.filter(
        coding_id__in=coding_ids
    ).values_list("coding_id", "code_id"):
        given[coding_id].add(code_id)
    codes = list(codebook.codes.order_by("position", "key"))
    couples = [(first, second) for first, second in pairs.values()]
    return AgreementReport(
        narratives=len(couples),
        codes=[
            CodeAgreement(
                code,
                tabulate(
                    [
                        (code.pk in given[a[0]], code.pk in given[b[0]])
                        for a, b in couples
                    ]
                ),
            )
            for code in codes
            if not code.is_retired
            or any(code.pk in given[a[0]] | given[b[0]] for a, b in couples)
        ],
        dilemma=tabulate([(a[1], b[1]) for a, b in couples]),
        disagreements=sum(
            1 for a, b in couples if a[1] != b[1] or given[a[0]] != given[b[0]]
        ),
    )
