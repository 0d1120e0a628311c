"""The staff workspace for reading, coding and redacting case narratives.

Every view is for staff only (`staff_required`): anonymous users are sent to the
login page, analysts and everyone else get 403. Pages that show a narrative's
text record a NarrativeRead and are never cached.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from meldcode_survey.accounts.access import logged_in_user, staff_required
from meldcode_survey.questionnaires.models import Version
from meldcode_survey.questionnaires.sectors import sector_labels
from meldcode_survey.responses.models import CaseNarrative

from . import queries, services
from .agreement import interpret
from .display import marked_texts, still_identifying
from .forms import (
    AgreementForm,
    CodingForm,
    FilterForm,
    FlagDismissalForm,
    FrequencyForm,
    RedactionForm,
    ResolveForm,
)
from .models import TEXT_FIELDS, Codebook, Coding, NarrativeRead, Redaction
from .services import (
    APPROVE_PERMISSION,
    RESOLVE_PERMISSION,
    coding_resolve,
    coding_save,
    narrative_read_record,
    redaction_flag_dismiss,
    redaction_save,
    redaction_set_example,
)

PAGE_SIZE = 50
# Query-string keys that belong to one page, not to the work-list filters.
_PAGE_KEYS = {"page", "after"}


def _filter_qs(request: HttpRequest) -> str:
    params = request.GET.copy()
    for key in _PAGE_KEYS:
        params.pop(key, None)
    return params.urlencode()


def _with_qs(url: str, qs: str) -> str:
    return f"{url}?{qs}" if qs else url


def _narrative_url(pk: int, request: HttpRequest) -> str:
    return _with_qs(reverse("review:narrative", args=[pk]), _filter_qs(request))


def _narrative_or_404(pk: int) -> CaseNarrative:
    return get_object_or_404(queries.narratives_for_reading(), pk=pk)


def _reading_context(
    request: HttpRequest, narrative: CaseNarrative, purpose: str
) -> dict[str, Any]:
    """What every page showing a narrative needs; records the read."""
    purged = narrative.texts_purged_on is not None
    if not purged:
        narrative_read_record(logged_in_user(request), narrative, purpose)
    return {
        "narrative": narrative,
        "texts": [] if purged else marked_texts(narrative),
        "purged": purged,
        "context_answers": queries.case_context(narrative),
        "sector_label": sector_labels().get(
            narrative.response.sector, narrative.response.sector
        ),
        "filter_qs": _filter_qs(request),
    }


@never_cache
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    filters = form.filters()
    page = Paginator(
        queries.narratives_for(logged_in_user(request), filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    narratives = list(page.object_list)
    queries.describe_page(narratives)
    labels = sector_labels()
    for case in narratives:
        case.sector_label = labels.get(  # type: ignore[attr-defined]
            case.response.sector, case.response.sector
        )
    return render(
        request,
        "review/index.html",
        {
            "form": form,
            "page": page,
            "narratives": narratives,
            "filter_qs": _filter_qs(request),
            "section": "list",
        },
    )


def _after(request: HttpRequest) -> int | None:
    after = request.GET.get("after", "")
    return int(after) if after.isdigit() else None


def _go_next(request: HttpRequest, after: int | None) -> HttpResponseRedirect:
    filters = FilterForm(request.GET).filters()
    following = queries.next_to_code(logged_in_user(request), filters, after=after)
    if following is None:
        messages.info(request, _("Nothing left to code with these filters."))
        return redirect(_with_qs(reverse("review:index"), _filter_qs(request)))
    return redirect(_narrative_url(following.pk, request))


@never_cache
@staff_required
def next_narrative(request: HttpRequest) -> HttpResponse:
    """Go to the next narrative that still needs the user's coding."""
    return _go_next(request, _after(request))


def _coding_initial(mine: Coding | None, narrative: CaseNarrative) -> dict:
    if mine is None:
        stated = narrative.has_dilemma
        return {"has_dilemma": None if stated is None else ("yes" if stated else "no")}
    return {
        "codes": [str(pk) for pk in mine.codes.values_list("pk", flat=True)],
        "has_dilemma": "yes" if mine.has_dilemma else "no",
        "wants_second_coding": mine.wants_second_coding,
        "note": mine.note,
    }


def _save_coding(
    request: HttpRequest, case: CaseNarrative, form: CodingForm
) -> HttpResponse | None:
    """Store a valid coding and move on; None when the rules refuse it."""
    try:
        coding_save(
            narrative=case,
            coder=logged_in_user(request),
            codes=form.chosen_codes(),
            has_dilemma=form.cleaned_data["has_dilemma"],
            wants_second_coding=form.cleaned_data["wants_second_coding"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("Coding of case %(pk)s saved.") % {"pk": case.pk})
    if request.POST.get("action") == "stay":
        return redirect(_narrative_url(case.pk, request))
    return _go_next(request, after=case.pk)


@never_cache
@staff_required
def narrative(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a narrative and code it; "save and next" goes on to the next one."""
    user = logged_in_user(request)
    case = _narrative_or_404(pk)
    codebook = case.response.version.questionnaire.codebook
    mine = Coding.objects.filter(narrative=case, coder=user).first()
    kept = mine.codes.values_list("pk", flat=True) if mine else []
    codes = queries.codes_for_form(codebook, kept)
    if request.method == "POST":
        form = CodingForm(request.POST, codes=codes)
        done = _save_coding(request, case, form) if form.is_valid() else None
        if done is not None:
            return done
    else:
        form = CodingForm(initial=_coding_initial(mine, case), codes=codes)
    # Blind coding: others' codings and the final one only after one's own.
    shown = mine is not None
    context = _reading_context(request, case, NarrativeRead.Purpose.CODE)
    context.update(
        {
            "form": form,
            "mine": mine,
            "blind_lost": not shown and queries.has_seen_codings(user, case),
            "codings": queries.codings_of(case) if shown else [],
            "final": queries.final_of(case) if shown else None,
            "other_count": case.codings.exclude(coder=user).count(),
            "can_resolve": user.has_perm(RESOLVE_PERMISSION),
            "section": "code",
        }
    )
    return render(request, "review/narrative.html", context)


def _consensus(codings: list[queries.CodingView]) -> dict:
    """Start a lead's decision from what all coders agree on."""
    shared = set.intersection(*(c.code_ids for c in codings))
    verdicts = {c.has_dilemma for c in codings}
    initial: dict[str, Any] = {"codes": [str(pk) for pk in shared]}
    if len(verdicts) == 1:
        initial["has_dilemma"] = "yes" if verdicts.pop() else "no"
    return initial


def _final_initial(final: queries.CodingView) -> dict:
    return {
        "codes": [str(pk) for pk in final.code_ids],
        "has_dilemma": "yes" if final.has_dilemma else "no",
        "note": final.note,
    }


def _next_to_resolve(request: HttpRequest, after: int) -> HttpResponseRedirect:
    filters = FilterForm(request.GET).filters()
    filters = replace(filters, status=queries.Status.RESOLVE)
    todo = queries.narratives_for(logged_in_user(request), filters)
    following = todo.filter(pk__gt=after).first() or todo.exclude(pk=after).first()
    if following is None:
        messages.info(request, _("No cases left to resolve."))
        return redirect(_with_qs(reverse("review:index"), _filter_qs(request)))
    return redirect(
        _with_qs(reverse("review:resolve", args=[following.pk]), _filter_qs(request))
    )


def _save_final(
    request: HttpRequest, case: CaseNarrative, form: ResolveForm
) -> HttpResponse | None:
    """Store a lead's valid decision and move on; None when it is refused."""
    try:
        coding_resolve(
            narrative=case,
            lead=logged_in_user(request),
            codes=form.chosen_codes(),
            has_dilemma=form.cleaned_data["has_dilemma"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("Final coding of case %(pk)s saved.") % {"pk": case.pk})
    if request.POST.get("action") == "stay":
        url = reverse("review:resolve", args=[case.pk])
        return redirect(_with_qs(url, _filter_qs(request)))
    return _next_to_resolve(request, after=case.pk)


@never_cache
@staff_required
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead compares the codings of a narrative and decides its final coding."""
    if not request.user.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied
    case = _narrative_or_404(pk)
    codings = queries.codings_of(case)
    if not codings:
        messages.info(request, _("This case has not been coded yet."))
        return redirect(_narrative_url(pk, request))
    codebook = case.response.version.questionnaire.codebook
    final = queries.final_of(case)
    used = set().union(*(c.code_ids for c in codings), final.code_ids if final else ())
    codes = queries.codes_for_form(codebook, used)
    if request.method == "POST":
        form = ResolveForm(request.POST, codes=codes)
        done = _save_final(request, case, form) if form.is_valid() else None
        if done is not None:
            return done
    else:
        initial = _final_initial(final) if final else _consensus(codings)
        form = ResolveForm(initial=initial, codes=codes)
    context = _reading_context(request, case, NarrativeRead.Purpose.RESOLVE)
    context.update(
        {
            "form": form,
            "codings": codings,
            "final": final,
            "rows": [
                (box, code, key, [code.pk in c.code_ids for c in codings])
                for box, code, key in form.code_options()
            ],
            "section": "code",
        }
    )
    return render(request, "review/resolve.html", context)


def _redaction_of(case: CaseNarrative) -> Redaction | None:
    return (
        Redaction.objects.filter(narrative=case)
        .select_related("written_by", "approved_by")
        .first()
    )


@never_cache
@staff_required
def redaction(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a redacted copy of the narrative; the original stays as it is."""
    case = _narrative_or_404(pk)
    current = _redaction_of(case)
    if request.method == "POST":
        form = RedactionForm(request.POST, instance=current)
        if form.is_valid():
            redaction_save(
                narrative=case, writer=logged_in_user(request), texts=form.cleaned_data
            )
            messages.success(request, _("Redaction saved."))
            return redirect("review:redaction", pk=pk)
    elif current is None:
        form = RedactionForm(initial={f: getattr(case, f) for f in TEXT_FIELDS})
    else:
        form = RedactionForm(instance=current)
    context = _reading_context(request, case, NarrativeRead.Purpose.REDACT)
    context.update(
        {
            "form": form,
            "redaction": current,
            "still_identifying": still_identifying(current) if current else [],
            "dismissals": list(current.dismissals.select_related("dismissed_by"))
            if current
            else [],
            "can_approve": current is not None
            and not current.is_approved
            and current.written_by_id != request.user.pk
            and request.user.has_perm(APPROVE_PERMISSION),
            "section": "code",
        }
    )
    return render(request, "review/redaction.html", context)


@never_cache
@staff_required
@require_POST
def redaction_approve(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(Redaction, narrative_id=pk)
    try:
        services.redaction_approve(redaction=current, approver=logged_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Redaction approved."))
    return redirect("review:redaction", pk=pk)


@never_cache
@staff_required
@require_POST
def redaction_example(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(Redaction, narrative_id=pk)
    wanted = request.POST.get("is_example") == "1"
    try:
        redaction_set_example(
            redaction=current, is_example=wanted, user=logged_in_user(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Marked as an example for the fact sheet.")
            if wanted
            else _("No longer an example."),
        )
    return redirect("review:redaction", pk=pk)


@never_cache
@staff_required
@require_POST
def redaction_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss one flag of the thorough screening, with a reason."""
    current = get_object_or_404(Redaction, narrative_id=pk)
    form = FlagDismissalForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(m) for ms in form.errors.values() for m in ms)
        )
        return redirect("review:redaction", pk=pk)
    try:
        redaction_flag_dismiss(
            redaction=current, user=logged_in_user(request), **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Flag dismissed; the reason is in the audit log."))
    return redirect("review:redaction", pk=pk)


@never_cache
@staff_required
def agreement(request: HttpRequest) -> HttpResponse:
    """Agreement per code and Cohen's kappa over the double-coded narratives."""
    form = AgreementForm(request.GET)
    form.is_valid()
    version_id = form.cleaned_data.get("version")
    questionnaire_id = form.cleaned_data.get("questionnaire")
    if version_id is not None:
        # A version decides the questionnaire, whatever else was chosen.
        versions = Version.objects.filter(pk=version_id)
        questionnaire_id = versions.values_list("questionnaire_id", flat=True).get()
    if questionnaire_id is None and form.questionnaire_ids:
        questionnaire_id = form.questionnaire_ids[0]
    codebook = (
        Codebook.objects.filter(questionnaire_id=questionnaire_id)
        .select_related("questionnaire")
        .first()
        if questionnaire_id is not None
        else None
    )
    report = queries.agreement_report(codebook, version_id) if codebook else None
    return render(
        request,
        "review/agreement.html",
        {
            "form": form,
            "codebook": codebook,
            "report": report,
            "rows": _agreement_rows(report) if report else [],
            "section": "agreement",
        },
    )


def _agreement_rows(report: queries.AgreementReport) -> list[dict[str, Any]]:
    rows = [
        (f"{row.code.key} · {row.code.tr('label')}", row.agreement)
        for row in report.codes
    ]
    rows.append((_("With or without dilemma"), report.dilemma))
    return [
        {
            "name": name,
            "a": agreement,
            "observed": None
            if agreement.observed is None
            else 100 * agreement.observed,
            "reading": interpret(agreement.kappa),
        }
        for name, agreement in rows
    ]


def _frequency_rows(
    data: queries.SectorFrequencies, sectors: list[str]
) -> list[dict[str, Any]]:
    def cell(n: int, total: int) -> tuple[int, float | None]:
        return n, (100 * n / total if total else None)

    return [
        {
            "code": code,
            "all": cell(code.cases, data.total),
            "sectors": [
                cell(data.cells.get((code.key, s), 0), data.totals[s]) for s in sectors
            ],
        }
        for code in data.codes
    ]


@never_cache
@staff_required
def frequencies(request: HttpRequest) -> HttpResponse:
    """Per sector, how many final-coded cases carry each code (unsuppressed)."""
    form = FrequencyForm(request.GET)
    form.is_valid()
    version = form.cleaned_data.get("version")
    version_ids = [version] if version else form.version_ids
    data = queries.code_frequencies_by_sector(
        version_ids=version_ids,
        include_synthetic=form.cleaned_data.get("synthetic", False),
    )
    labels = sector_labels()
    # In the order of the sector question; sectors it no longer has go last.
    order = {code: i for i, code in enumerate(labels)}
    sectors = sorted(data.totals, key=lambda s: (order.get(s, len(order)), s))
    return render(
        request,
        "review/frequencies.html",
        {
            "form": form,
            "data": data,
            "sectors": [
                (labels.get(s, s or _("Unknown")), data.totals[s]) for s in sectors
            ],
            "rows": _frequency_rows(data, sectors),
            "section": "frequencies",
        },
    )
