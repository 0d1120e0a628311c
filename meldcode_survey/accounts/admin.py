"""Users in the admin: administrators manage accounts, roles and analysts'
sectors, but only a superuser can make or change a superuser.

A new account is made without a password: the administrator is shown its
invitation link (and it is e-mailed when the account has an address), with
which the new user chooses a password and links an authenticator app. The
"Send an invitation link" action makes a new one (invitations.py).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .invitations import invite
from .models import AnalystSectorAccess

User = get_user_model()


def sector_choices() -> list[tuple[str, str]]:
    """The codes of every questionnaire's sector question, with their labels."""
    from meldcode_survey.questionnaires.sectors import sector_labels

    return sorted(sector_labels().items())


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


class InvitedUserCreationForm(forms.ModelForm):
    """A new account without a password: it chooses one through its invitation."""

    class Meta:
        model = User
        fields = ["username", "email"]

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    inlines = [AnalystSectorAccessInline]
    list_display = ["username", "email", "is_active", "is_staff", "roles", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    add_form = InvitedUserCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email")}),)
    actions = ["send_invitation"]

    @admin.action(description=_("Send an invitation link"), permissions=["change"])
    def send_invitation(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            if self.has_change_permission(request, user):
                self._invite(request, user)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new account is only a name and an address; roles and sectors follow.
        return [] if obj is None else super().get_inlines(request, obj)

    def response_add(self, request: HttpRequest, obj: Any, *args: Any) -> HttpResponse:
        self._invite(request, obj)
        return super().response_add(request, obj, *args)

    def _invite(self, request: HttpRequest, user: Any) -> None:
        """Show the administrator the user's invitation link; e-mail it too."""
        invitation = invite(user, actor=request.user, request=request)
        message = gettext("Invitation link for %(user)s: %(url)s") % {
            "user": user.get_username(),
            "url": invitation.url,
        }
        if invitation.emailed:
            message += " " + gettext("It has been e-mailed to %(email)s.") % {
                "email": user.email
            }
        self.message_user(request, message, messages.INFO)

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
