from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from meldcode_survey.audit.admin_hooks import AuditedAdminMixin
from meldcode_survey.review.services import ensure_default_codebook

from .models import (
    Choice,
    LikertGroup,
    Question,
    Questionnaire,
    Scale,
    ScalePoint,
    Section,
    Version,
    VersionContent,
)
from .queries import diff_versions, previous_version, stale_english
from .services import (
    publish_problems,
    version_copy,
    version_publish,
    version_record_created,
)

FROZEN_MESSAGE = _(
    "This version has been published and is frozen: nothing in it can be changed or "
    "deleted. Use the “New version” button on the version's page to make an "
    "editable copy."
)

# What the admin pages of this app edit.
Content = Questionnaire | Version | VersionContent

# How each kind of version content reaches its version, for limiting choices.
VERSION_LOOKUPS = {
    Question: "version",
    Section: "version",
    Scale: "version",
    LikertGroup: "section__version",
}


def _is_frozen(obj: Content | None) -> bool:
    if obj is None:
        return False
    if isinstance(obj, Version):
        return obj.is_frozen
    if isinstance(obj, Questionnaire):
        return obj.has_frozen_versions()
    return obj.owning_version().is_frozen


def _version_of(obj: Content | None) -> Version | None:
    if obj is None or isinstance(obj, Questionnaire):
        return None
    if isinstance(obj, Version):
        return obj
    return obj.owning_version()


def limit_to_version(form: type[ModelForm], version: Version | None) -> None:
    """Offer only content of `version` in the form's choices (the form class is
    made for this request, so changing its fields affects no other)."""
    if version is None:
        return
    for field in form.base_fields.values():
        if not isinstance(field, ModelChoiceField):
            continue
        queryset = field.queryset
        if queryset is not None and queryset.model in VERSION_LOOKUPS:
            lookup = VERSION_LOOKUPS[queryset.model]
            field.queryset = queryset.filter(**{lookup: version})


def _warn_stale_english(request: HttpRequest, version: Version | None) -> None:
    """After an edit of a draft: name the texts reworded in Dutch whose English
    is still that of the version before (publishing refuses them too)."""
    if version is None or version.is_frozen:
        return
    previous = previous_version(version)
    if previous is None:
        return
    for message in stale_english(previous, version):
        messages.warning(request, message)


def _draft_choices(
    db_field: ForeignKey[Any, Any], kw: dict[str, Any]
) -> dict[str, Any]:
    """Before the version is known (an add page), offer drafts' content only."""
    model = db_field.related_model
    if model is Version:
        kw["queryset"] = Version.objects.filter(status=Version.Status.DRAFT)
    elif model in VERSION_LOOKUPS:
        lookup = f"{VERSION_LOOKUPS[model]}__status"
        kw["queryset"] = model._default_manager.filter(**{lookup: Version.Status.DRAFT})
    return kw


class FrozenAwareInline(admin.TabularInline):
    extra = 0

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kw: Any
    ) -> ModelChoiceField | None:
        kw = _draft_choices(db_field, kw)
        return super().formfield_for_foreignkey(db_field, request, **kw)

    def get_formset(
        self, request: HttpRequest, obj: Content | None = None, **kwargs: Any
    ):
        formset = super().get_formset(request, obj, **kwargs)
        limit_to_version(formset.form, _version_of(obj))
        return formset

    def has_add_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
        return super().has_add_permission(request, obj) and not _is_frozen(obj)

    def has_change_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)


class FrozenAwareAdmin(admin.ModelAdmin):
    """Shows content of a published version read-only, with a clear message."""

    def has_change_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
        return super().has_change_permission(request, obj) and not _is_frozen(obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
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

    def get_form(
        self,
        request: HttpRequest,
        obj: Content | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        limit_to_version(form, _version_of(obj))
        return form

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kw: Any
    ) -> ModelChoiceField | None:
        kw = _draft_choices(db_field, kw)
        return super().formfield_for_foreignkey(db_field, request, **kw)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        _warn_stale_english(request, _version_of(form.instance))


class VersionInline(admin.TabularInline):
    model = Version
    readonly_fields = ("number", "status", "published_at", "link")
    fields = readonly_fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
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
                "fields": list(Questionnaire.FACTSHEET_FIELDS),
            },
        ),
    ]

    def has_delete_permission(
        self, request: HttpRequest, obj: Content | None = None
    ) -> bool:
        return super().has_delete_permission(request, obj) and not _is_frozen(obj)

    def save_model(
        self, request: HttpRequest, obj: Questionnaire, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            ensure_default_codebook(obj)

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
class VersionAdmin(AuditedAdminMixin, FrozenAwareAdmin):
    """A version added here is audited; publishing and copying go through the
    services, which audit them."""

    list_display = ["questionnaire", "number", "status", "published_at", "actions_"]
    list_filter = ["status", "questionnaire"]
    search_fields = ["questionnaire__title", "questionnaire__slug", "notes"]
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [SectionInline, ScaleInline]
    actions = ["publish", "new_version"]

    def audit_added(self, request: HttpRequest, version: Version) -> None:
        version_record_created(version, request.user)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Content | None = None
    ) -> list[str]:
        if obj is not None:
            return [*self.readonly_fields, "questionnaire", "number"]
        return self.readonly_fields

    def get_urls(self) -> list:
        def view(page: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            """The admin's login check, then the model's view permission, as the
            admin's own pages of a version have."""

            @wraps(page)
            def checked(
                request: HttpRequest, *args: Any, **kwargs: Any
            ) -> HttpResponse:
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
            path(
                "<int:pk>/publish/",
                view(self.publish_view),
                name="questionnaires_version_publish",
            ),
            path(
                "<int:pk>/new-version/",
                view(self.new_version_view),
                name="questionnaires_version_new",
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

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        version = self.get_object(request, object_id)
        extra = {
            "can_publish": self._may_publish(request, version),
            "can_copy": self.has_add_permission(request),
            "publish_problems": (
                publish_problems(version) if version and not version.is_frozen else []
            ),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra)

    def _may_publish(self, request: HttpRequest, version: Version | None) -> bool:
        """Publishing changes the version's status, so it takes the change
        permission on versions (the frozen version's page is read-only)."""
        return (
            version is not None
            and version.status != Version.Status.PUBLISHED
            and super(FrozenAwareAdmin, self).has_change_permission(request)
        )

    @admin.action(description=_("Publish the selected draft"))
    def publish(
        self, request: HttpRequest, queryset: QuerySet[Version]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return None
        url = reverse("admin:questionnaires_version_publish", args=[queryset.get().pk])
        return HttpResponseRedirect(url)

    @admin.action(description=_("New version (editable copy)"))
    def new_version(
        self, request: HttpRequest, queryset: QuerySet[Version]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return None
        return self._copy(request, queryset.get())

    def _copy(self, request: HttpRequest, version: Version) -> HttpResponse:
        draft = version_copy(version)
        self.message_user(request, _("Created draft %s.") % draft, messages.SUCCESS)
        url = reverse("admin:questionnaires_version_change", args=[draft.pk])
        return HttpResponseRedirect(url)

    def new_version_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Confirm, then make an editable copy of the version."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version, pk=pk)
        if request.method == "POST":
            return self._copy(request, version)
        return self._confirm_page(request, version, "questionnaires/new_version.html")

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Publish after a confirmation page that says what will happen; a version
        that is not fit to publish gets the list of what is wrong instead."""
        version = get_object_or_404(
            Version.objects.select_related("questionnaire"), pk=pk
        )
        if not self._may_publish(request, version):
            raise PermissionDenied
        if request.method == "POST":
            try:
                version = version_publish(
                    version, reopen=bool(request.POST.get("reopen"))
                )
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(
                    request, _("Published %s.") % version, messages.SUCCESS
                )
                url = reverse("admin:questionnaires_version_change", args=[pk])
                return HttpResponseRedirect(url)
        return self._confirm_page(
            request,
            version,
            "questionnaires/publish.html",
            problems=publish_problems(version),
            live=version.questionnaire.published_version(),
        )

    def _confirm_page(
        self, request: HttpRequest, version: Version, template: str, **extra: Any
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Are you sure?"),
            "version": version,
            "opts": self.model._meta,
            **extra,
        }
        return TemplateResponse(request, template, context)

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
    fields = [
        "position",
        "code",
        "type",
        "role",
        "text",
        "text_en",
        "required",
        "group",
    ]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(FrozenAwareAdmin):
    list_display = ["title", "code", "version", "position"]
    list_filter = ["version__questionnaire", "version__status"]
    search_fields = ["title", "code"]
    ordering = ["version", "position"]
    inlines = [LikertGroupInline, QuestionInline]


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
