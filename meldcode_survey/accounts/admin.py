"""Users in the admin: administrators manage accounts, roles and analysts'
sectors, but only a superuser can make or change a superuser.

A new account is made without a password: the administrator is shown its
invitation link (and it is e-mailed when the account has an address), with
which the new user chooses a password and links an authenticator app. The
"Send an invitation link" action makes a new one (invitations.py).

Every add, change and delete of a user, a role or an authenticator app made
here is audited by these admins (audit.admin_hooks), as is a password changed
on the admin's own page.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey import audit
from meldcode_survey.audit.admin_hooks import AuditedAdminMixin, added_and_removed
from meldcode_survey.audit.models import Action

from .invitations import invite
from .models import AnalystSectorAccess
from .roles import permission_labels

# User fields whose change is recorded; the password only as "changed".
USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
)


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
class AccountAdmin(AuditedAdminMixin, UserAdmin):
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

    def audit_state(self, user: Any) -> dict[str, Any]:
        access = AnalystSectorAccess.objects.filter(user=user).first()
        return {
            **User.objects.filter(pk=user.pk).values(*USER_FIELDS, "password").get(),
            "groups": list(user.groups.values_list("name", flat=True)),
            "permissions": permission_labels(user.user_permissions.all()),
            "sectors": list(access.sectors) if access else None,
        }

    def audit_added(self, request: HttpRequest, user: Any) -> None:
        flags = {"is_staff": user.is_staff, "is_superuser": user.is_superuser}
        audit.record(request.user, Action.USER_CREATED, user, **flags)

    def audit_changed(
        self, request: HttpRequest, user: Any, before: dict, after: dict
    ) -> None:
        details: dict[str, Any] = {}
        changes: dict[str, Any] = {
            field: {"from": before[field], "to": after[field]}
            for field in USER_FIELDS
            if before[field] != after[field]
        }
        if before["password"] != after["password"]:
            changes["password"] = "changed"
        if changes:
            details["changes"] = changes
        if permissions := added_and_removed(
            before["permissions"], after["permissions"]
        ):
            details["permissions"] = permissions
        if details:
            audit.record(request.user, Action.USER_CHANGED, user, **details)
        if roles := added_and_removed(before["groups"], after["groups"]):
            audit.record(request.user, Action.USER_ROLES_CHANGED, user, **roles)
        if before["sectors"] != after["sectors"]:
            sectors = after["sectors"] or []
            audit.record(
                request.user, Action.USER_SECTORS_CHANGED, user, sectors=sectors
            )

    def audit_deleted(self, request: HttpRequest, user: Any) -> None:
        username = user.get_username()
        audit.record(request.user, Action.USER_DELETED, user, username=username)

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


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(AuditedAdminMixin, GroupAdmin):
    """The roles (Django groups); creating, renaming, deleting a role and
    changing its permissions are audited."""

    def audit_state(self, group: Group) -> dict[str, Any]:
        return {
            "name": Group.objects.filter(pk=group.pk)
            .values_list("name", flat=True)
            .get(),
            "permissions": permission_labels(group.permissions.all()),
        }

    def audit_added(self, request: HttpRequest, group: Group) -> None:
        details: dict[str, Any] = {"created": True}
        if permissions := permission_labels(group.permissions.all()):
            details["permissions"] = {"added": permissions}
        audit.record(request.user, Action.ROLE_CHANGED, group, **details)

    def audit_changed(
        self, request: HttpRequest, group: Group, before: dict, after: dict
    ) -> None:
        details: dict[str, Any] = {}
        if before["name"] != after["name"]:
            details["name"] = {"from": before["name"], "to": after["name"]}
        if permissions := added_and_removed(
            before["permissions"], after["permissions"]
        ):
            details["permissions"] = permissions
        if details:
            audit.record(request.user, Action.ROLE_CHANGED, group, **details)

    def audit_deleted(self, request: HttpRequest, group: Group) -> None:
        audit.record(request.user, Action.ROLE_CHANGED, group, deleted=True)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAppAdmin(AuditedAdminMixin, TOTPDeviceAdmin):
    """django-otp's admin. An app added here, or given another user, secret or
    confirmation, is an enrolment outside the set-up page, and audited as one
    (which fields changed, never the secret); removing one is a reset."""

    def audit_state(self, device: TOTPDevice) -> dict[str, Any]:
        return {
            "user": device.user_id,
            "key": device.key,
            "confirmed": device.confirmed,
        }

    def audit_added(self, request: HttpRequest, device: TOTPDevice) -> None:
        _enrolled_in_admin(request, device)

    def audit_changed(
        self, request: HttpRequest, device: TOTPDevice, before: dict, after: dict
    ) -> None:
        if changed := sorted(k for k in after if before.get(k) != after[k]):
            _enrolled_in_admin(request, device, changed=changed)

    def audit_deleted(self, request: HttpRequest, device: TOTPDevice) -> None:
        audit.record(request.user, Action.OTP_RESET, device.user, device=device.name)


def _enrolled_in_admin(
    request: HttpRequest, device: TOTPDevice, **details: Any
) -> None:
    audit.record(
        request.user,
        Action.OTP_ENROLLED,
        device.user,
        device=device.name,
        confirmed=device.confirmed,
        via="admin",
        **details,
    )


class AdminSite(OTPAdminSite):
    """The admin site: a second factor required (django-otp), and a password
    changed on the admin's own page audited."""

    def password_change(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            changes = {"password": "changed"}
            audit.record(
                request.user, Action.USER_CHANGED, request.user, changes=changes
            )
        return response
