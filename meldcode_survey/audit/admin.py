"""The audit log in the admin: administrators filter and read it; nobody can add,
change or delete an entry."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from meldcode_survey.lib.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "object_repr",
    ]
    list_filter = ["action", "object_type", "created_at", "actor_username"]
    search_fields = ["actor_username", "object_id", "object_repr"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = (
        "created_at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "pretty_details",
    )
    fields = readonly_fields
    actions = None

    @admin.display(description=_("details"))
    def pretty_details(self, entry: AuditEntry) -> str:
        text = json.dumps(entry.details, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


class RetentionTaskAdmin(PeriodicTaskAdmin):
    """django-celery-beat's admin for the periodic tasks (retention among them),
    with Django's own change form: the package's form adds an inline script,
    which the Content-Security-Policy blocks."""

    change_form_template = None  # type: ignore[assignment]  # Django's own form


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, RetentionTaskAdmin)
