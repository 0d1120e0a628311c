"""The dashboard's filters (GET) and the staff's "wat valt op" forms (the sector
page's and the admin's), which ask staff to check a note's small numbers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meldcode_survey.questionnaires.models import Version

from .models import SectorNote
from .queries.disclosure import small_counts

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
REAL, SYNTHETIC = "real", "synthetic"


def month_value(month: date) -> str:
    return f"{month:%Y-%m}"


def _month(value: str) -> date | None:
    if not value:
        return None
    match = MONTH.match(value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise forms.ValidationError(_("Choose a month from the list."))
    return date(int(match[1]), int(match[2]), 1)


class FilterForm(forms.Form):
    """Version, period and data set; on a sector page also sector and wave."""

    version = forms.TypedChoiceField(
        label=_("Questionnaire version"), required=False, coerce=int, empty_value=None
    )
    start = forms.CharField(
        label=_("From (month)"), required=False, widget=forms.Select
    )
    end = forms.CharField(label=_("To (month)"), required=False, widget=forms.Select)
    data = forms.ChoiceField(  # type: ignore[assignment]  # a field, not Form.data
        label=_("Data"),
        required=False,
        choices=[(REAL, _("Real responses")), (SYNTHETIC, _("Demo data (synthetic)"))],
    )

    def __init__(
        self, *args: Any, versions: list[Version], current: Version, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version_choices = [(v.number, _version_label(v)) for v in versions]
        cast(forms.ChoiceField, self.fields["version"]).choices = self.version_choices
        self.fields["version"].initial = current.number

    def add_sector_fields(self, sectors: dict[str, str], current: Version) -> None:
        """On a sector page: switch sector, and compare with another wave."""
        self.fields["sector"] = forms.ChoiceField(
            label=_("Sector"), required=False, choices=list(sectors.items())
        )
        others = [c for c in self.version_choices if c[0] != current.number]
        if others:
            self.fields["compare"] = forms.ChoiceField(
                label=_("Compare with version"),
                required=False,
                choices=[("", _("No comparison")), *others],
            )

    def clean_start(self) -> date | None:
        return _month(self.cleaned_data["start"])

    def clean_end(self) -> date | None:
        return _month(self.cleaned_data["end"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end month must not come before the start."))
        return data

    def set_months(self, months: list[date], *, show_data: bool) -> None:
        """Offer the months that have data (known once the figures are read)."""
        options = [(month_value(m), date_format(m, "F Y")) for m in months]
        self.fields["start"].widget.choices = [("", _("From the start")), *options]
        self.fields["end"].widget.choices = [("", _("Up to now")), *options]
        if not show_data:
            del self.fields["data"]

    def styled(self) -> FilterForm:
        """Bootstrap classes on every select, and the errors tied to their field."""
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select"
            if self.is_bound and name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = f"id_{name}-error"
        return self

    def value(self, name: str, default: Any = None) -> Any:
        """A valid value of a field, else the default (invalid input is ignored)."""
        if not self.is_bound or name in self.errors:
            return default
        return self.cleaned_data.get(name) or default


def _version_label(version: Version) -> str:
    return _("Version %(number)d (%(status)s)") % {
        "number": version.number,
        "status": version.get_status_display(),
    }


class NoteNumbersCheck(forms.Form):
    """A note's numbers that may be counts under the threshold, checked by staff.

    Analysts read a sector note as written, so a note that holds such a number
    (queries.disclosure.small_counts) is not saved until the staff member has
    confirmed that its numbers are not counts of respondents. The confirmation
    covers the values that were shown with it (`numbers_checked`): a number of
    another value added afterwards is asked about again (one more "3" beside a
    confirmed "3" is not), and every later edit is checked again, since the
    confirmation is not stored. The checkbox is hidden until
    there is something to confirm. Used by the sector page's form and the admin.
    """

    NOTE_FIELDS = ("text", "text_en")
    field_order = list(NOTE_FIELDS)  # the checkbox below the texts

    confirm_numbers = forms.BooleanField(
        label=_("I have checked: these numbers are not counts of respondents"),
        required=False,
        widget=forms.HiddenInput,
    )
    numbers_checked = forms.CharField(
        label=_("numbers checked"), required=False, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        threshold = settings.SUPPRESSION_THRESHOLD
        found = {
            name: small_counts(data.get(name) or "", threshold)
            for name in self.NOTE_FIELDS
        }
        numbers = {number.lower() for names in found.values() for number in names}
        if not numbers:
            return data
        checked = set(data.get("numbers_checked", "").split())
        if data.get("confirm_numbers") and numbers <= checked:
            return data
        self._ask_to_check(numbers)
        for name, written in found.items():
            if written:
                self.add_error(name, _numbers_message(written, threshold))
        return data

    def _ask_to_check(self, numbers: set[str]) -> None:
        """Show the checkbox, unticked, for the numbers found now."""
        values = dict(self.data.items())
        values[self.add_prefix("numbers_checked")] = " ".join(sorted(numbers))
        values.pop(self.add_prefix("confirm_numbers"), None)
        self.data = values
        self.fields["confirm_numbers"].widget = forms.CheckboxInput()


def _numbers_message(written: list[str], threshold: int) -> str:
    return ngettext(
        "%(numbers)s may be a count under %(threshold)d. Analysts see no count "
        "under %(threshold)d, and they read this note as written. Change the "
        "number, or confirm below that it is not a count of respondents.",
        "%(numbers)s may be counts under %(threshold)d. Analysts see no count "
        "under %(threshold)d, and they read this note as written. Change the "
        "numbers, or confirm below that they are not counts of respondents.",
        len(written),
    ) % {
        "numbers": ", ".join(f"“{number}”" for number in written),
        "threshold": threshold,
    }


class NoteForm(NoteNumbersCheck):
    text = forms.CharField(
        label=_("What stands out (Dutch)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown on the sector page and in the fact sheet."),
    )
    text_en = forms.CharField(
        label=_("What stands out (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class SectorNoteAdminForm(NoteNumbersCheck, forms.ModelForm):
    """The admin's form of a sector note, with the same check of its numbers."""

    class Meta:
        model = SectorNote
        fields = ["version", "sector", "text", "text_en"]
