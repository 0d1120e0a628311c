from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from meldcode_survey.accounts.access import logged_in_user

from .forms import SectorNoteAdminForm
from .models import SectorNote
from .services import figures_changed


@admin.register(SectorNote)
class SectorNoteAdmin(admin.ModelAdmin):
    """Staff write "wat valt op" per sector and wave (also on the sector page).

    Its form checks the note's numbers as the sector page's does: a possible
    count under the threshold needs the staff member's confirmation.
    """

    form = SectorNoteAdminForm

    list_display = ["sector", "version", "updated_at", "updated_by"]
    list_filter = ["version__questionnaire", "sector"]
    search_fields = ["sector", "text", "text_en"]
    readonly_fields = ["updated_at", "updated_by"]
    fields = [
        "version",
        "sector",
        "text",
        "text_en",
        "confirm_numbers",
        "numbers_checked",
        "updated_at",
        "updated_by",
    ]

    def save_model(
        self,
        request: HttpRequest,
        obj: SectorNote,
        form: forms.ModelForm[SectorNote],
        change: bool,
    ) -> None:
        obj.updated_by = logged_in_user(request)
        super().save_model(request, obj, form, change)
        figures_changed(obj.version_id)

    def delete_model(self, request: HttpRequest, obj: SectorNote) -> None:
        version_id = obj.version_id
        super().delete_model(request, obj)
        figures_changed(version_id)
