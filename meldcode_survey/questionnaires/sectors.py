"""The sectors: one source and one name for "all sectors".

The sectors are the options of a version's sector question (the question with
Question.Role.SECTOR); there is no other list. A response stores the code of
the option its respondent chose (Response.sector, empty when unanswered).

ALL stands for all sectors together wherever a sector is named: in the
dashboard's cells, in a query's `sector` argument, in an export row, in URLs
and on the command line. Publishing refuses a sector option with this code
(questionnaires.services.publish_problems), so it never clashes with one.
An analyst's sector limit is not a sector: None there means "no limit"
(accounts.access.FigureAccess).
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Choice, Question, Version

ALL = "all"


def sector_codes(version: Version) -> list[str]:
    """The sector codes of a version, in the order of its sector question."""
    choices = Choice.objects.filter(
        question__version=version, question__role=Question.Role.SECTOR
    )
    return list(choices.order_by("position").values_list("code", flat=True))


def sector_labels(versions: Iterable[Version] | None = None) -> dict[str, str]:
    """Sector code -> label in the active language, from the sector questions
    of `versions` (default: every version), the newest version's label first."""
    choices = Choice.objects.filter(question__role=Question.Role.SECTOR)
    if versions is not None:
        choices = choices.filter(question__version__in=versions)
    labels: dict[str, str] = {}
    for choice in choices.order_by("-question__version_id", "position"):
        labels.setdefault(choice.code, choice.tr("label"))
    return labels
