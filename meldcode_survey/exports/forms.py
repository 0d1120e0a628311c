from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from meldcode_survey.accounts.access import allowed_sectors, is_staff_member
from meldcode_survey.questionnaires.models import Version
from meldcode_survey.questionnaires.sectors import ALL, sector_labels

from .models import Export
from .services import ExportSpec

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

    from meldcode_survey.accounts.access import AnyUser


def _versions() -> QuerySet[Version]:
    return (
        Version.objects.exclude(status=Version.Status.DRAFT)
        .select_related("questionnaire")
        .order_by("questionnaire__title", "-number")
    )


def sector_choices(allowed: set[str] | None) -> list[tuple[str, StrOrPromise]]:
    """Sector codes of every version that can have responses, with labels."""
    labels = sector_labels(_versions())
    choices: list[tuple[str, StrOrPromise]] = (
        [] if allowed is not None else [(ALL, _("All sectors"))]
    )
    choices += [
        (code, label)
        for code, label in labels.items()
        if allowed is None or code in allowed
    ]
    return choices


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Version) -> str:
        return f"{obj.questionnaire.tr('title')} · v{obj.number}"


class ExportRequestForm(forms.Form):
    """What to export. Analysts get sector summaries only; staff everything."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Export.Kind.choices)
    version = VersionChoiceField(
        label=_("Questionnaire version"), queryset=Version.objects.none()
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    # XLSX first: it opens as columns in every Excel, Dutch ones included; the
    # CSV is the international one (comma, decimal point) for other software.
    format = forms.ChoiceField(
        label=_("Format"),
        choices=sorted(Export.Format.choices, key=lambda c: c[0] != Export.Format.XLSX),
        initial=Export.Format.XLSX,
        help_text=_(
            "Excel (XLSX) opens as columns in every Excel. The CSV is the "
            "international kind (comma, decimal point), for other software."
        ),
    )
    period_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. Summaries cover whole months."),
    )
    period_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    include_free_text = forms.BooleanField(
        label=_("Include open answers and case narratives (raw data)"), required=False
    )
    unsuppressed = forms.BooleanField(
        label=_("Unsuppressed: show small counts (summary, staff only)"),
        required=False,
    )
    include_synthetic = forms.BooleanField(
        label=_("Use the synthetic (generated) responses instead of real ones"),
        required=False,
    )

    STAFF_FIELDS = ("include_free_text", "unsuppressed", "include_synthetic")

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        version = cast(forms.ModelChoiceField, self.fields["version"])
        version.queryset = versions = _versions()
        live = versions.filter(status=Version.Status.PUBLISHED).first()
        version.initial = live or versions.first()
        allowed = allowed_sectors(user)
        sector = cast(forms.ChoiceField, self.fields["sector"])
        sector.choices = sector_choices(allowed)
        sector.required = allowed is not None
        if not is_staff_member(user):
            for name in self.STAFF_FIELDS:
                del self.fields[name]
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (Export.Kind.SUMMARY, Export.Kind.SUMMARY.label)
            ]
            cast(forms.ChoiceField, self.fields["format"]).choices = [
                (f, Export.Format(f).label)
                for f in Export.FORMATS_BY_KIND[Export.Kind.SUMMARY]
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, fmt = data.get("kind"), data.get("format")
        if kind and fmt and fmt not in Export.FORMATS_BY_KIND[kind]:
            self.add_error("format", _("This format is not offered for this kind."))
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The end of the period precedes its start."))
        return data

    def spec(self) -> ExportSpec:
        data = self.cleaned_data
        return ExportSpec(
            kind=data["kind"],
            version=data["version"],
            format=data["format"],
            sector=data.get("sector") or ALL,
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
            include_synthetic=data.get("include_synthetic", False),
            include_free_text=data.get("include_free_text", False),
            unsuppressed=data.get("unsuppressed", False),
        )
