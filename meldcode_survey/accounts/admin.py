"""Users in the admin: administrators manage accounts, roles and analysts'
sectors, but only a superuser can make or change a superuser."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import SECTORS, AnalystSectorAccess

User = get_user_model()


def sector_choices() -> list[tuple[str, Any]]:
    """The known sectors, plus codes used by any questionnaire's sector question."""
    from meldcode_survey.questionnaires.models import Choice, Question

    choices = dict(SECTORS)
    used = Choice.objects.filter(question__role=Question.Role.SECTOR).values_list(
        "code", "label"
    )
    for code, label in used:
        choices.setdefault(code, label)
    return sorted(choices.items())


class AnalystSectorAccessForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        label=_("sectors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave the whole block out (or delete it) to allow every sector."),
    )

    class Meta:
        model = AnalystSectorAccess
        fields = ["sectors"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sectors"].choices = sector_choices()


class AnalystSectorAccessInline(admin.StackedInline):
    model = AnalystSectorAccess
    form = AnalystSectorAccessForm
    can_delete = True
    max_num = 1
    extra = 0
    verbose_name = _("limit to sectors (analysts)")


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    inlines = [AnalystSectorAccessInline]
    list_display = ["username", "email", "is_active", "is_staff", "roles", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]

    @admin.display(description=_("roles"))
    def roles(self, user: Any) -> str:
        return ", ".join(group.name for group in user.groups.all())

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def _touches_superuser(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._touches_superuser(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._touches_superuser(request, obj):
            return False
        return super().has_delete_permission(request, obj)
