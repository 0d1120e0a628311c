"""What the beat schedule produces: summary packs for every sector."""

from __future__ import annotations

from itertools import product

from meldcode_survey.accounts.access import limited_sectors
from meldcode_survey.questionnaires.models import Version
from meldcode_survey.questionnaires.sectors import ALL, sector_codes

from .models import Export
from .services import ExportSpec, export_request

DEFAULT_PACK_FORMATS = (Export.Format.PDF, Export.Format.XLSX, Export.Format.CSV)


def summary_packs(formats: list[str] | None = None) -> list[Export]:
    """Queue a summary of each sector and of all sectors, in each format, for
    the published version of every questionnaire. Made by the schedule: no
    requester, so every analyst (within their sectors) sees them.

    A sector some analyst is limited to gets a second file without the figures
    of all sectors, which such an analyst does not see on the dashboard either
    (accounts.access.figure_access); the others see the file with them.
    """
    wanted = [f for f in (formats or DEFAULT_PACK_FORMATS) if f in DEFAULT_PACK_FORMATS]
    limited = limited_sectors()
    exports = []
    versions = Version.objects.filter(status=Version.Status.PUBLISHED)
    for version in versions.select_related("questionnaire"):
        for sector in [*sector_codes(version), ALL]:
            scopes = [True, False] if sector in limited else [True]
            for fmt, with_all in product(wanted, scopes):
                spec = ExportSpec(
                    kind=Export.Kind.SUMMARY,
                    version=version,
                    format=fmt,
                    sector=sector,
                    with_all_sectors=with_all,
                )
                exports.append(export_request(spec=spec))
    return exports
