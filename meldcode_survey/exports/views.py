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
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from meldcode_survey.accounts.access import dashboard_access_required, is_staff_member

from .forms import ExportRequestForm, sector_choices
from .models import Export
from .permissions import visible_exports
from .services import export_request, open_export_file, record_download

PAGE_SIZE = 50
REFRESH_SECONDS = 5
CONTENT_TYPES = {
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
    return _render_index(request, ExportRequestForm(user=request.user))


def _render_index(request: HttpRequest, form: ExportRequestForm) -> HttpResponse:
    exports = visible_exports(request.user)
    page = Paginator(exports, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(sector_choices(None))
    for export in page.object_list:
        export.sector_label = labels.get(export.sector, export.sector)
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
        spec=form.spec(), user=request.user, language=get_language()
    )
    messages.success(
        request,
        _("Export %(n)s is queued; this page shows its progress.") % {"n": export.pk},
    )
    return redirect("exports:index")


@never_cache
@dashboard_access_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(visible_exports(request.user), pk=pk)
    if export.status == Export.Status.EXPIRED:
        return HttpResponse(
            _("This file has been deleted after its retention period."), status=410
        )
    if not export.is_downloadable:
        raise Http404
    try:
        handle = open_export_file(export)
    except OSError as exc:
        raise Http404 from exc
    record_download(export=export, user=request.user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[export.format],
    )
    response["Cache-Control"] = "no-store"
    return response
