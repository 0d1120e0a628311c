"""Users in the admin: administrators manage accounts, roles and analysts'
sectors, but only a superuser can make or change a superuser.

A new account is made without a password: the administrator is shown its
invitation link (and it is e-mailed when the account has an address), with
which the new user chooses a password and links an authenticator app. The
"Send an invitation link" action makes a new one (invitations.py).
"""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meldcode_survey import audit
from meldcode_survey.audit.models import Action

from .invitations import invitation_url, send_invitation
from .models import SECTORS, AnalystSectorAccess


def sector_choices() -> list[tuple[str, str | Promise]]:
    """The known sectors, plus codes used by any questionnaire's sector question."""
    from meldcode_survey.questionnaires.models import Choice, Question

    choices: dict[str, str | Promise] = dict(SECTORS)
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
        sectors = cast(forms.MultipleChoiceField, self.fields["sectors"])
        sectors.choices = sector_choices()


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

    def save(self, commit: bool = True) -> User:
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
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            if self.has_change_permission(request, user):
                self._invite(request, user)

    def get_inlines(self, request: HttpRequest, obj: User | None = None) -> Any:
        # A new account is only a name and an address; roles and sectors follow.
        return [] if obj is None else super().get_inlines(request, obj)

    def response_add(self, request: HttpRequest, obj: User, *args: Any) -> HttpResponse:
        self._invite(request, obj)
        return super().response_add(request, obj, *args)

    def _invite(self, request: HttpRequest, user: User) -> None:
        """Show the administrator the user's invitation link; e-mail it too."""
        url = invitation_url(user, request)
        sent = send_invitation(user, url)
        audit.record(request.user, Action.USER_CHANGED, user, invitation_sent=True)
        message = gettext("Invitation link for %(user)s: %(url)s") % {
            "user": user.get_username(),
            "url": url,
        }
        if sent:
            message += " " + gettext("It has been e-mailed to %(email)s.") % {
                "email": user.email
            }
        self.message_user(request, message, messages.INFO)

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(
        self, request: HttpRequest, obj: User | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def _touches_superuser(self, request: HttpRequest, obj: User | None) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        if self._touches_superuser(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        if self._touches_superuser(request, obj):
            return False
        return super().has_delete_permission(request, obj)
