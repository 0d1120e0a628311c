"""Admin for the codebooks (staff) and the read log (administrators, read-only).

Codings and redactions are worked on in the review workspace, not here: the admin
shows no narrative text, so it needs no read logging of its own.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from meldcode_survey.accounts.access import is_administrator, is_staff_member
from meldcode_survey.lib.admin import ReadOnlyAdminMixin

from .models import Code, Codebook, NarrativeRead
from .services import coded_figures_changed

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class StaffOnlyMixin(_AdminBase):
    """Model permissions alone are not enough: the user must also be staff."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user) and super().has_module_permission(request)

    def has_view_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        allowed = super().has_view_permission(request, obj)
        return is_staff_member(request.user) and allowed

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        allowed = super().has_add_permission(request, *args)
        return is_staff_member(request.user) and allowed

    def has_change_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        allowed = super().has_change_permission(request, obj)
        return is_staff_member(request.user) and allowed


class CodeInline(StaffOnlyMixin, admin.TabularInline):
    model = Code
    fields = [
        "position",
        "key",
        "label",
        "label_en",
        "description",
        "description_en",
        "is_retired",
    ]
    extra = 0
    ordering = ["position", "key"]


@admin.register(Codebook)
class CodebookAdmin(StaffOnlyMixin, admin.ModelAdmin):
    """Rename, reorder, add or retire codes; earlier codings are not rewritten."""

    list_display = ["questionnaire", "double_coding_percent", "code_count"]
    inlines = [CodeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Codebook]:
        queryset = super().get_queryset(request).select_related("questionnaire")
        return queryset.annotate(n_codes=Count("codes"))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Codebook | None = None
    ) -> list[str]:
        return ["questionnaire"] if obj else []

    def has_delete_permission(
        self, request: HttpRequest, obj: Codebook | None = None
    ) -> bool:
        """Only the codebook of a questionnaire never published nor coded with,
        so that a draft questionnaire imported by mistake can be deleted with it
        (the admin asks this for every object a delete takes along)."""
        if obj is None or not is_staff_member(request.user):
            return False
        allowed = super().has_delete_permission(request, obj)
        return allowed and obj.can_go_with_questionnaire()

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        coded_figures_changed()  # a renamed or retired code shows in the figures

    def delete_model(self, request: HttpRequest, obj: Codebook) -> None:
        super().delete_model(request, obj)
        coded_figures_changed()

    @admin.display(description=_("codes"), ordering="n_codes")
    def code_count(self, codebook: Codebook) -> int:
        return codebook.n_codes  # type: ignore[attr-defined]  # get_queryset


@admin.register(NarrativeRead)
class NarrativeReadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who read which narrative when: for administrators, and never editable."""

    list_display = ["read_at", "user", "narrative_id", "purpose"]
    list_filter = ["purpose", "read_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "=narrative__id"]
    date_hierarchy = "read_at"
    readonly_fields = ("read_at", "user", "narrative_id", "purpose")
    fields = readonly_fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(
        self, request: HttpRequest, obj: NarrativeRead | None = None
    ) -> bool:
        return is_administrator(request.user)
