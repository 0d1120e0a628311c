from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Choice,
    LikertGroup,
    Question,
    Questionnaire,
    Scale,
    ScalePoint,
    Section,
    Version,
)
from .services import diff_versions, version_copy, version_publish

FROZEN_MESSAGE = _(
    "This version has been published and is frozen: nothing in it can be changed or "
    "deleted. Use “New version” to make an editable copy."
)


def _is_frozen(obj: Any) -> bool:
    if obj is None:
        return False
    if isinstance(obj, Version):
        return obj.is_frozen
    if isinstance(obj, Questionnaire):
        return obj.has_frozen_versions()
    return obj.owning_version().is_frozen


class FrozenAwareInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and not _is_frozen(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)


class FrozenAwareAdmin(admin.ModelAdmin):
    """Shows content of a published version read-only, with a clear message."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if _is_frozen(obj):
            messages.warning(request, FROZEN_MESSAGE)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kw: Any):
        if db_field.related_model is Version:
            kw["queryset"] = Version.objects.filter(status=Version.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kw)


class VersionInline(admin.TabularInline):
    model = Version
    fields = ["number", "status", "published_at", "link"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("preview"))
    def link(self, version: Version) -> str:
        url = reverse("admin:questionnaires_version_preview", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview"))


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Questionnaire metadata stays editable; one with a published version
    cannot be deleted (its answers point at it)."""

    list_display = ["title", "slug", "opens_at", "closes_at", "live_version"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [VersionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_en",
                    "slug",
                    "intro",
                    "intro_en",
                    "privacy_text",
                    "privacy_text_en",
                    "estimated_minutes",
                    "opens_at",
                    "closes_at",
                ]
            },
        ),
        (
            _("Fact sheet"),
            {
                "description": _(
                    "Texts of the published PDF fact sheet; the sector's "
                    "'What stands out?' is a sector note."
                ),
                "fields": [
                    "factsheet_intro",
                    "factsheet_intro_en",
                    "dilemma_source",
                    "dilemma_source_en",
                    "more_information",
                    "more_information_en",
                    "source",
                    "source_en",
                ],
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)

    @admin.display(description=_("published version"))
    def live_version(self, questionnaire: Questionnaire) -> str:
        version = questionnaire.published_version()
        return str(version.number) if version else "–"


class SectionInline(FrozenAwareInline):
    model = Section
    fields = ["position", "code", "title", "title_en", "condition_question"]
    show_change_link = True


class ScaleInline(FrozenAwareInline):
    model = Scale
    fields = ["code", "label"]
    show_change_link = True


@admin.register(Version)
class VersionAdmin(FrozenAwareAdmin):
    list_display = ["questionnaire", "number", "status", "published_at", "actions_"]
    list_filter = ["status", "questionnaire"]
    search_fields = ["questionnaire__title", "questionnaire__slug", "notes"]
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [SectionInline, ScaleInline]
    actions = ["publish", "new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        if obj is not None:
            return [*self.readonly_fields, "questionnaire", "number"]
        return self.readonly_fields

    def get_urls(self) -> list:
        def view(page: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            """The admin's login check, then the model's view permission, as the
            admin's own pages of a version have."""

            @wraps(page)
            def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                if not self.has_view_permission(request):
                    raise PermissionDenied
                return page(request, *args, **kwargs)

            return self.admin_site.admin_view(checked)

        return [
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="questionnaires_version_preview",
            ),
            path(
                "<int:pk>/diff/",
                view(self.diff_view),
                name="questionnaires_version_diff",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("tools"))
    def actions_(self, version: Version) -> str:
        preview = reverse("admin:questionnaires_version_preview", args=[version.pk])
        diff = reverse("admin:questionnaires_version_diff", args=[version.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            preview,
            _("Preview"),
            diff,
            _("Compare"),
        )

    @admin.action(description=_("Publish the selected draft"))
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return
        version = version_publish(queryset.get())
        self.message_user(request, _("Published %s.") % version, messages.SUCCESS)

    @admin.action(description=_("New version (editable copy)"))
    def new_version(self, request: HttpRequest, queryset: QuerySet) -> Any:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return None
        draft = version_copy(queryset.get())
        self.message_user(request, _("Created draft %s.") % draft, messages.SUCCESS)
        url = reverse("admin:questionnaires_version_change", args=[draft.pk])
        return HttpResponseRedirect(url)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(
            Version.objects.select_related("questionnaire"), pk=pk
        )
        sections = version.sections.prefetch_related(
            "questions__choices",
            "questions__group__scale__points",
            "likert_groups",
            "condition_question",
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview of %s") % version,
            "version": version,
            "sections": sections,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "questionnaires/preview.html", context)

    def diff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(Version, pk=pk)
        others = version.questionnaire.versions.exclude(pk=pk)
        other = others.filter(pk=request.GET.get("other") or 0).first()
        if other is None:
            other = others.filter(number__lt=version.number).first()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare versions of %s") % version.questionnaire,
            "version": version,
            "other": other,
            "others": others,
            "changes": diff_versions(other, version) if other else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "questionnaires/diff.html", context)


class LikertGroupInline(FrozenAwareInline):
    model = LikertGroup
    fields = ["code", "text", "text_en", "scale"]


class QuestionInline(FrozenAwareInline):
    model = Question
    fields = ["position", "code", "type", "role", "text", "required", "group"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(FrozenAwareAdmin):
    list_display = ["title", "code", "version", "position"]
    list_filter = ["version__questionnaire", "version__status"]
    search_fields = ["title", "code"]
    ordering = ["version", "position"]
    inlines = [LikertGroupInline, QuestionInline]
    raw_id_fields = ["condition_question"]


class ChoiceInline(FrozenAwareInline):
    model = Choice
    fields = ["position", "code", "label", "label_en"]


@admin.register(Question)
class QuestionAdmin(FrozenAwareAdmin):
    list_display = ["code", "short_text", "type", "role", "required", "version"]
    list_filter = ["type", "role", "required", "version__questionnaire", "version"]
    search_fields = ["code", "text", "text_en"]
    ordering = ["version", "section__position", "position"]
    inlines = [ChoiceInline]
    raw_id_fields = ["condition_question", "group"]
    list_select_related = ["version__questionnaire"]

    @admin.display(description=_("text"))
    def short_text(self, question: Question) -> str:
        return question.text[:80]


class ScalePointInline(FrozenAwareInline):
    model = ScalePoint
    fields = ["position", "value", "label", "label_en"]


@admin.register(Scale)
class ScaleAdmin(FrozenAwareAdmin):
    list_display = ["label", "code", "version"]
    list_filter = ["version__questionnaire"]
    search_fields = ["label", "code"]
    inlines = [ScalePointInline]
