"""Exports and the download log in the admin (the schedules are django-celery-beat's
"Periodic tasks"). Rows are made by the services, so the admin only reads them;
staff can queue a failed export again or delete one with its file."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meldcode_survey.lib.admin import ReadOnlyAdminMixin

from .models import Download, Export
from .services import export_delete, export_retry


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "format",
        "version",
        "sector",
        "status",
        "progress",
        "requested_by",
        "created_at",
        "finished_at",
        "size",
    )
    list_filter = (
        "status",
        "kind",
        "format",
        "include_synthetic",
        "unsuppressed",
        "with_all_sectors",
    )
    search_fields = ("filename", "sector", "requested_by__username")
    date_hierarchy = "created_at"
    actions = ("queue_again", "delete_with_files")
    readonly_fields = [field.name for field in Export._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Export | None = None
    ) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Export) -> None:
        export_delete(obj)

    @admin.action(description=_("Queue failed exports again"))
    def queue_again(self, request: HttpRequest, queryset: QuerySet[Export]) -> None:
        count = sum(export_retry(export) for export in queryset)
        self.message_user(
            request,
            ngettext("%d export queued again.", "%d exports queued again.", count)
            % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Delete exports and their files"), permissions=["delete"]
    )
    def delete_with_files(
        self, request: HttpRequest, queryset: QuerySet[Export]
    ) -> None:
        count = 0
        for export in queryset:
            export_delete(export)
            count += 1
        self.message_user(
            request,
            ngettext("%d export deleted.", "%d exports deleted.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Download)
class DownloadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The download log: read only, for everyone."""

    list_display = ("downloaded_at", "user", "filename", "export_id", "sha256")
    list_filter = ("downloaded_at",)
    search_fields = ("filename", "user__username", "sha256")
    date_hierarchy = "downloaded_at"
    readonly_fields = ("export", "user", "filename", "sha256", "downloaded_at")
