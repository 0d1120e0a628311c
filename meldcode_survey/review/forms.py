from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from meldcode_survey.questionnaires.sectors import ALL, sector_labels

from .models import TEXT_FIELDS, Code, Redaction
from .queries import NarrativeFilters, Status, coded_versions

ANY = ("", _("All"))


class FilterForm(forms.Form):
    """The work-list filters, read from the query string."""

    version = forms.TypedChoiceField(
        label=_("Questionnaire version"), required=False, coerce=int, empty_value=None
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    status = forms.ChoiceField(
        label=_("Coding"),
        required=False,
        choices=[
            ANY,
            (Status.TODO, _("To code by me")),
            (Status.UNCODED, _("Not coded yet")),
            (Status.MINE, _("Coded by me")),
            (Status.SECOND, _("Awaiting a second coding")),
            (Status.RESOLVE, _("To resolve")),
            (Status.FINAL, _("Final coding set")),
        ],
    )
    dilemma = forms.ChoiceField(
        label=_("Dilemma (as stated)"),
        required=False,
        choices=[
            ANY,
            ("with", _("With dilemma")),
            ("without", _("Without dilemma")),
            ("unknown", _("Not stated")),
        ],
    )
    flags = forms.ChoiceField(
        label=_("Screening flags"),
        required=False,
        choices=[ANY, ("with", _("With flags")), ("without", _("Without flags"))],
    )
    redaction = forms.ChoiceField(
        label=_("Redaction"),
        required=False,
        choices=[
            ANY,
            ("none", _("Not redacted")),
            ("draft", _("Awaiting approval")),
            ("approved", _("Approved")),
            ("example", _("Example")),
        ],
    )
    data = forms.ChoiceField(  # type: ignore[assignment]  # a field, not Form.data
        label=_("Data"),
        required=False,
        choices=[ANY, ("real", _("Real responses")), ("synthetic", _("Synthetic"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["version"]).choices = [ANY] + [
            (v.pk, f"{v.questionnaire.tr('title')} · v{v.number}")
            for v in coded_versions()
        ]
        cast(forms.ChoiceField, self.fields["sector"]).choices = [ANY] + list(
            sector_labels().items()
        )

    def filters(self) -> NarrativeFilters:
        """The valid filters; an invalid value is ignored rather than refused."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # fields with errors are left out of cleaned_data
            data = self.cleaned_data
        return NarrativeFilters(
            version=data.get("version"),
            sector=data.get("sector") or ALL,
            status=data.get("status", ""),
            flags=data.get("flags", ""),
            dilemma=data.get("dilemma", ""),
            redaction=data.get("redaction", ""),
            data=data.get("data", ""),
        )


HAS_DILEMMA_CHOICES = [("yes", _("With dilemma")), ("no", _("Without dilemma"))]
# Keys that choose with/without dilemma; the numbers 1-9 toggle codes.
DILEMMA_HOTKEYS = {"yes": "m", "no": "z"}


class _CodesForm(forms.Form):
    """Codes as checkboxes and with/without dilemma, for coders and leads."""

    codes = forms.MultipleChoiceField(
        label=_("Codes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    has_dilemma = forms.TypedChoiceField(
        label=_("This case is"),
        choices=HAS_DILEMMA_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose with or without dilemma.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, codes: list[Code], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_list = codes
        cast(forms.ChoiceField, self.fields["codes"]).choices = [
            (str(c.pk), c.key) for c in codes
        ]

    def chosen_codes(self) -> list[Code]:
        wanted = set(self.cleaned_data["codes"])
        return [code for code in self.code_list if str(code.pk) in wanted]

    def code_options(self) -> list[tuple[BoundWidget, Code, str]]:
        """(checkbox, code, hotkey) per code; the first nine get keys 1-9."""
        return [
            (box, code, str(i) if i <= 9 else "")
            for i, (box, code) in enumerate(
                zip(self["codes"], self.code_list, strict=True), start=1
            )
        ]

    def dilemma_options(self) -> list[tuple[BoundWidget, str]]:
        return [
            (radio, DILEMMA_HOTKEYS[value])
            for radio, (value, _label) in zip(
                self["has_dilemma"], HAS_DILEMMA_CHOICES, strict=True
            )
        ]


class CodingForm(_CodesForm):
    wants_second_coding = forms.BooleanField(
        label=_("Ask for a second, independent coding"), required=False
    )

    field_order = ["codes", "has_dilemma", "wants_second_coding", "note"]


class ResolveForm(_CodesForm):
    pass


class RedactionForm(forms.ModelForm):
    class Meta:
        model = Redaction
        fields = ["description", "dilemma", "follow_up"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "dilemma": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "description": _("Description (redacted)"),
            "dilemma": _("Dilemma (redacted)"),
            "follow_up": _("Follow-up (redacted)"),
        }


class FlagDismissalForm(forms.Form):
    """Dismiss one flag of the thorough screening, with a reason."""

    field = forms.ChoiceField(choices=[(f, f) for f in TEXT_FIELDS])
    kind = forms.CharField(max_length=20)
    fragment = forms.CharField(strip=False, max_length=2000)
    reason = forms.CharField(
        label=_("Why does this identify no one?"),
        max_length=500,
        error_messages={"required": _("Give a reason for dismissing this flag.")},
    )


class AgreementForm(forms.Form):
    questionnaire = forms.TypedChoiceField(
        label=_("Questionnaire"), coerce=int, required=False, empty_value=None
    )
    version = forms.TypedChoiceField(
        label=_("Version"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = list(coded_versions())
        questionnaires = {v.questionnaire_id: v.questionnaire for v in versions}
        self.questionnaire_ids = list(questionnaires)
        cast(forms.ChoiceField, self.fields["questionnaire"]).choices = [
            (pk, q.tr("title")) for pk, q in questionnaires.items()
        ]
        cast(forms.ChoiceField, self.fields["version"]).choices = [ANY] + [
            (v.pk, f"{v.questionnaire.tr('title')} · v{v.number}") for v in versions
        ]


class FrequencyForm(forms.Form):
    version = forms.TypedChoiceField(
        label=_("Questionnaire version"), coerce=int, required=False, empty_value=None
    )
    synthetic = forms.BooleanField(label=_("Include synthetic data"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = list(coded_versions())
        self.version_ids = [v.pk for v in versions]
        cast(forms.ChoiceField, self.fields["version"]).choices = [
            (ANY[0], _("All versions"))
        ] + [(v.pk, f"{v.questionnaire.tr('title')} · v{v.number}") for v in versions]
