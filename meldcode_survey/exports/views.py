"""The downloads page: exports a user may see, their progress, and requests.

Analysts and staff only (`dashboard_access_required`): anonymous users go to
the login page, everyone else gets 403. What each role sees is decided in
permissions.py; an export the user may not see is answered with 404, so its
existence is not revealed. Files are served only by `download`, never by a
public media URL, as attachments that no cache keeps, and every download is
written to the log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from meldcode_survey.accounts.access import (
    allowed_sectors,
    dashboard_access_required,
    is_staff_member,
    logged_in_user,
)

from .forms import ExportRequestForm, sector_choices
from .models import Export
from .permissions import visible_exports
from .services import export_download_record, export_file_open, export_request

PAGE_SIZE = 50
REFRESH_SECONDS = 5
CONTENT_TYPES: dict[str, str] = {
    Export.Format.CSV: "text/csv; charset=utf-8",
    Export.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    Export.Format.PDF: "application/pdf",
    Export.Format.SAV: "application/x-spss-sav",
}


@never_cache
@dashboard_access_required
def index(request: HttpRequest) -> HttpResponse:
    initial = {k: request.GET[k] for k in INITIAL_KEYS if request.GET.get(k)}
    return _render_index(request, ExportRequestForm(user=request.user, initial=initial))


# What a link from a dashboard page may fill in on the request form.
INITIAL_KEYS = ("kind", "version", "sector", "format")


@never_cache
@dashboard_access_required
def sector_file(request: HttpRequest, sector: str, format: str) -> HttpResponse:
    """A sector page's link to its own file: the newest one, else the form.

    `?version=<id>` names the questionnaire version. Downloads the newest
    finished suppressed summary of the sector over the whole period that the
    user may see; without one, opens the downloads page with the request form
    filled in (a GET never starts an export).
    """
    if format not in Export.FORMATS_BY_KIND[Export.Kind.SUMMARY]:
        raise Http404
    allowed = allowed_sectors(request.user)
    if allowed is not None and sector not in allowed:
        raise Http404
    version = request.GET.get("version", "")
    latest = (
        visible_exports(request.user)
        .filter(
            kind=Export.Kind.SUMMARY,
            format=format,
            sector=sector,
            version_id=version if version.isdigit() else None,  # type: ignore[misc]
            status=Export.Status.DONE,
            unsuppressed=False,
            include_synthetic=request.GET.get("data") == "synthetic",
            period_from__isnull=True,
            period_to__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is not None and latest.is_downloadable:
        return redirect("exports:download", latest.pk)
    messages.info(
        request,
        _("There is no such file yet: request it below; this page shows its progress."),
    )
    params = {"kind": Export.Kind.SUMMARY, "version": version, "sector": sector}
    return redirect(
        f"{reverse('exports:index')}?{urlencode(params | {'format': format})}"
        "#request-heading"
    )


def _render_index(request: HttpRequest, form: ExportRequestForm) -> HttpResponse:
    exports = visible_exports(request.user)
    page = Paginator(exports, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(sector_choices(None))
    for export in page.object_list:
        export.sector_label = labels.get(export.sector, export.sector)  # type: ignore[attr-defined]
    running = any(export.is_active for export in page.object_list)
    return render(
        request,
        "exports/index.html",
        {
            "page": page,
            "exports": page.object_list,
            "form": form,
            "refresh": REFRESH_SECONDS if running else None,
            # Error details (paths, SQL) are for staff; analysts get a sentence.
            "is_staff": is_staff_member(request.user),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@dashboard_access_required
def request_export(request: HttpRequest) -> HttpResponse:
    form = ExportRequestForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_index(request, form)
    export = export_request(
        spec=form.spec(), user=logged_in_user(request), language=get_language()
    )
    messages.success(
        request,
        _("Export %(n)s is queued; this page shows its progress.") % {"n": export.pk},
    )
    return redirect("exports:index")


@never_cache
@dashboard_access_required
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = get_object_or_404(visible_exports(request.user), pk=pk)
    if export.status == Export.Status.EXPIRED:
        return HttpResponse(
            _("This file has been deleted after its retention period."), status=410
        )
    if not export.is_downloadable:
        raise Http404
    try:
        handle = export_file_open(export)
    except OSError as exc:
        raise Http404 from exc
    export_download_record(export=export, user=logged_in_user(request))
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[export.format],
    )
    response["Cache-Control"] = "no-store"
    return response
