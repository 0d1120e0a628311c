"""Who may see, request and download which export.

* Staff see and download every export: summaries, unsuppressed summaries and
  raw data (with or without free text).
* An analyst sees the suppressed sector summaries made by the schedule and the
  ones they requested themselves; not another analyst's requests, never raw
  data or unsuppressed summaries. What of the figures a file holds follows the
  same rule as the dashboard (`accounts.access.figure_access`): an analyst
  limited to some sectors sees only those sectors' summaries made without the
  figures of all sectors, and no all-sectors summary; any other analyst the
  summaries made with them.
* Everyone else sees nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from meldcode_survey.accounts.access import (
    AnyUser,
    figure_access,
    is_analyst,
    is_staff_member,
)

from .models import Export


def visible_exports(user: AnyUser) -> QuerySet[Export]:
    exports = Export.objects.select_related("version__questionnaire", "requested_by")
    if is_staff_member(user):
        return exports
    if not is_analyst(user):
        return exports.none()
    exports = exports.filter(
        Q(requested_by__isnull=True) | Q(requested_by=user),
        kind=Export.Kind.SUMMARY,
        unsuppressed=False,
    )
    access = figure_access(user)
    exports = exports.filter(with_all_sectors=access.all_sectors)
    if access.sectors is not None:
        exports = exports.filter(sector__in=sorted(access.sectors))
    return exports


def can_see(user: AnyUser, export: Export) -> bool:
    return visible_exports(user).filter(pk=export.pk).exists()
