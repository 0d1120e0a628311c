"""The analysts' and staff's dashboard: an overview of sectors and a page per sector.

Every page needs the dashboard role (`dashboard_access_required`): anonymous
users go to the login page, others get 403. Figures come from the aggregation
module only, suppressed for analysts and unsuppressed (labelled) for staff.
Filters are GET parameters, so every view of the figures has its own URL.

The figures part of a page is cached under a key that holds the version's
figures stamp (see models.FiguresStamp), the filters, the language and what
the user may see: any change to the figures makes a new key, so a cached page
is never stale, across processes too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from meldcode_survey.accounts.access import (
    dashboard_access_required,
    logged_in_user,
    staff_required,
)
from meldcode_survey.questionnaires.models import Questionnaire, Version
from meldcode_survey.questionnaires.sectors import ALL, sector_codes

from . import queries
from .charts import split_pie, stacked_chart
from .forms import REAL, SYNTHETIC, FilterForm, NoteForm
from .models import SectorNote
from .services import sector_note_save

CACHE_SECONDS = 300
# The files a page links to (exports.views.sector_file), XLSX first: it opens
# as columns in every Excel, Dutch ones included.
FILE_FORMATS = (
    ("xlsx", gettext_lazy("Excel (XLSX)")),
    ("pdf", gettext_lazy("PDF fact sheet")),
    ("csv", gettext_lazy("CSV")),
)
# Query parameters that change what a page shows.
FILTER_KEYS = ("version", "start", "end", "data", "compare")


@never_cache
@dashboard_access_required
def index(request: HttpRequest) -> HttpResponse:
    """The overview of the questionnaire with the most recent figures."""
    questionnaires = queries.dashboard_questionnaires()
    if not questionnaires:
        return render(request, "dashboard/empty.html")
    if len(questionnaires) == 1:
        return overview(request, questionnaires[0].slug)
    return render(request, "dashboard/index.html", {"questionnaires": questionnaires})


@never_cache
@dashboard_access_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire, versions, version = _questionnaire(slug, request)
    if request.GET.get("sector"):
        return _to_sector(request, slug, request.GET["sector"])
    access = queries.figure_access(request.user)
    allowed = access.sectors

    def build() -> dict[str, str]:
        form = _form(request, versions, version)
        data = queries.overview(
            version=version,
            month_from=form.value("start"),
            month_to=form.value("end"),
            synthetic=_dataset(form),
            unsuppressed=access.unsuppressed,
            sectors=allowed,
        )
        form.set_months(
            data.context.period.months, show_data=data.context.other_dataset
        )
        content = render_to_string(
            "dashboard/_overview.html",
            {
                "questionnaire": questionnaire,
                "data": data,
                "context": data.context,
                "form": form.styled(),
                "show_all": access.all_sectors,
                "all_code": ALL,
                "chart": stacked_chart(
                    data.items, data.scale, min_base=data.context.min_base
                ),
                "query": _query(request),
                "query_real": _query(request, data=REAL),
                "file_formats": FILE_FORMATS,
                "sector_links": data.sectors
                if allowed is None
                else {c: n for c, n in data.sectors.items() if c in allowed},
            },
            request=request,
        )
        return {"title": data.context.questionnaire, "content": content}

    page = _cached(request, "overview", version, allowed, build)
    return render(request, "dashboard/page.html", page)


@never_cache
@dashboard_access_required
def sector(request: HttpRequest, slug: str, sector: str) -> HttpResponse:
    questionnaire, versions, version = _questionnaire(slug, request)
    access = queries.figure_access(request.user)
    allowed = access.sectors
    if not access.may_see(sector):
        raise PermissionDenied
    if request.GET.get("sector", sector) != sector:
        return _to_sector(request, slug, request.GET["sector"])

    def build() -> dict[str, str]:
        form = _form(request, versions, version, sector=sector)
        summary = queries.sector_summary(
            version=version,
            sector=sector,
            month_from=form.value("start"),
            month_to=form.value("end"),
            synthetic=_dataset(form),
            compare_version=_compare(request, versions, version),
            unsuppressed=access.unsuppressed,
            all_sectors=access.all_sectors,
        )
        if sector not in summary.sectors:
            raise Http404(_("No such sector in this questionnaire."))
        sector_links = {
            c: n for c, n in summary.sectors.items() if not allowed or c in allowed
        }
        form.add_sector_fields(sector_links, version)
        form.set_months(
            summary.context.period.months, show_data=summary.context.other_dataset
        )
        content = render_to_string(
            "dashboard/_sector.html",
            {
                "questionnaire": questionnaire,
                "summary": summary,
                "context": summary.context,
                "form": form.styled(),
                "show_all": summary.compared_with_all,
                "chart": stacked_chart(
                    summary.items, summary.scale, min_base=summary.context.min_base
                ),
                "pie": split_pie(summary.figures),
                "query": _query(request),
                "query_real": _query(request, data=REAL),
                "can_edit_note": access.unsuppressed,
                "sector_links": sector_links,
                "file_formats": FILE_FORMATS,
            },
            request=request,
        )
        return {"title": summary.figures.label, "content": content}

    page = _cached(request, "sector", version, allowed, build, sector)
    return render(request, "dashboard/page.html", page)


@staff_required
def note_edit(request: HttpRequest, slug: str, sector: str) -> HttpResponse:
    """Staff write what stands out in a sector, per version."""
    questionnaire, _versions, version = _questionnaire(slug, request)
    if sector not in sector_codes(version):
        raise Http404(_("No such sector in this questionnaire."))
    note = SectorNote.objects.filter(version=version, sector=sector).first()
    form = NoteForm(
        request.POST or None,
        initial={"text": note.text, "text_en": note.text_en} if note else None,
    )
    if request.method == "POST" and form.is_valid():
        sector_note_save(
            version=version,
            sector=sector,
            text=form.cleaned_data["text"],
            text_en=form.cleaned_data["text_en"],
            user=logged_in_user(request),
        )
        messages.success(request, _("The note has been saved."))
        url = reverse("dashboard:sector", args=[slug, sector])
        return redirect(f"{url}?{urlencode({'version': version.number})}")
    return render(
        request,
        "dashboard/note_form.html",
        {
            "questionnaire": questionnaire,
            "version": version,
            "sector": sector,
            "form": form,
        },
    )


# --- Helpers --------------------------------------------------------------------


def _cached(
    request: HttpRequest,
    name: str,
    version: Version,
    allowed: frozenset[str] | None,
    build: Callable[[], dict[str, str]],
    *extra: str,
) -> dict[str, str]:
    """The page's figures from the cache, or built and cached.

    Not cached before anything was counted (no stamp yet): such a page is
    cheap, and without a stamp its key would not change with the data.
    """
    stamp = version.figures_stamp  # type: ignore[attr-defined]  # dashboard_versions
    if stamp is None:
        return build()
    key_parts = (
        name,
        version.pk,
        stamp,
        extra,
        None if allowed is None else sorted(allowed),
        [(k, request.GET.get(k, "")) for k in FILTER_KEYS],
        queries.sees_unsuppressed(request.user),
        get_language(),
    )
    key = make_template_fragment_key("dashboard:page", [repr(key_parts)])
    return cast(dict[str, str], cache.get_or_set(key, build, CACHE_SECONDS))


def _questionnaire(
    slug: str, request: HttpRequest
) -> tuple[Questionnaire, list[Version], Version]:
    questionnaire = get_object_or_404(Questionnaire, slug=slug)
    versions = queries.dashboard_versions(questionnaire)
    if not versions:
        raise Http404(_("This questionnaire has no published version yet."))
    requested = request.GET.get("version", "")
    by_number = {str(v.number): v for v in versions}
    version = by_number.get(requested) or queries.default_version(versions)
    assert version is not None  # there are versions
    return questionnaire, versions, version


def _form(
    request: HttpRequest, versions: list[Version], version: Version, sector: str = ""
) -> FilterForm:
    data = request.GET.copy()
    if sector:
        data.setdefault("sector", sector)
    data.setdefault("version", str(version.number))
    form = FilterForm(data, versions=versions, current=version)
    form.is_valid()
    return form


def _compare(
    request: HttpRequest, versions: list[Version], version: Version
) -> Version | None:
    number = request.GET.get("compare", "")
    return next(
        (v for v in versions if str(v.number) == number and v.pk != version.pk), None
    )


def _dataset(form: FilterForm) -> bool | None:
    return {REAL: False, SYNTHETIC: True}.get(form.value("data"))


def _to_sector(request: HttpRequest, slug: str, sector: str) -> HttpResponse:
    params = request.GET.copy()
    params.pop("sector", None)
    url = reverse("dashboard:sector", args=[slug, sector])
    return redirect(f"{url}?{params.urlencode()}" if params else url)


def _query(request: HttpRequest, **changes: Any) -> str:
    """The current filters as a query string, for links between pages."""
    params = request.GET.copy()
    for key in ("sector", "compare"):
        params.pop(key, None)
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
