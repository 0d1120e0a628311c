"""Reads of the review workspace, and the coded figures for the dashboard.

`code_frequencies_by_sector` and `approved_examples` are the interface the
aggregation module (dashboard) uses; they count final codings only and never
return a narrative's original text. Every function here runs a fixed, small number of
queries, however many narratives there are.
"""

from .agreement import AgreementReport, CodeAgreement, agreement_report
from .figures import (
    CodeCount,
    Example,
    SectorFrequencies,
    approved_examples,
    code_frequencies_by_sector,
)
from .screening import unscreened
from .workspace import (
    CodingView,
    NarrativeFilters,
    RedactionState,
    Status,
    case_context,
    coded_versions,
    codes_for_form,
    codings_of,
    describe_page,
    final_of,
    has_seen_codings,
    narratives_for,
    narratives_for_reading,
    next_to_code,
)

__all__ = [
    "AgreementReport",
    "CodeAgreement",
    "CodeCount",
    "CodingView",
    "Example",
    "NarrativeFilters",
    "RedactionState",
    "SectorFrequencies",
    "Status",
    "agreement_report",
    "approved_examples",
    "case_context",
    "code_frequencies_by_sector",
    "coded_versions",
    "codes_for_form",
    "codings_of",
    "describe_page",
    "final_of",
    "has_seen_codings",
    "narratives_for",
    "narratives_for_reading",
    "next_to_code",
    "unscreened",
]
