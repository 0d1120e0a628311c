"""Who may see, request and download which export.

* Staff see and download every export: summaries, unsuppressed summaries and
  raw data (with or without free text).
* An analyst sees the suppressed sector summaries made by the schedule and the
  ones they requested themselves; not another analyst's requests, never raw
  data or unsuppressed summaries. An analyst limited to some sectors (issue 7,
  `dashboard.queries.allowed_sectors`) sees only those sectors' summaries, and
  no all-sectors summary.
* Everyone else sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from meldcode_survey.accounts.access import is_analyst, is_staff_member

from .models import Export


def sectors_for(user: Any) -> set[str] | None:
    """The sector codes an analyst may see; None: all (the one shared hook)."""
    from meldcode_survey.dashboard import queries

    hook = getattr(queries, "allowed_sectors", None)
    return None if hook is None else hook(user)


def visible_exports(user: Any) -> QuerySet[Export]:
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
    allowed = sectors_for(user)
    if allowed is not None:
        exports = exports.filter(sector__in=sorted(allowed))
    return exports


def can_see(user: Any, export: Export) -> bool:
    return visible_exports(user).filter(pk=export.pk).exists()
