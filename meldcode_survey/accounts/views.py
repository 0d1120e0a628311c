"""Logging in: password, then the second factor (TOTP), and the idle timeout.

After the password, an account with a role goes to `verify`; TwoFactorRequired-
Middleware keeps it from every other page until then. A new account starts at
its invitation link (`invitation`): it chooses its password there and goes on
to `setup` to link an authenticator app, which only such a session may do
(see invitations.py).
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey import audit
from meldcode_survey.audit.models import Action

from .access import AnyUser, can_see_dashboard, needs_two_factor
from .forms import TokenForm
from .invitations import allow_enrolment, end_enrolment, invitation_tokens, may_enrol
from .middleware import seconds_left


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return wanted
    return settings.LOGIN_REDIRECT_URL


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _confirmed_device(user: AnyUser) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class LoginView(auth_views.LoginView):
    """Django's login (django-axes counts the failures), then the second factor."""

    def get_default_redirect_url(self) -> str:
        """Analysts and staff land on the dashboard, everyone else at home."""
        if can_see_dashboard(self.request.user):
            return reverse("dashboard:index")
        return super().get_default_redirect_url()

    def get_success_url(self) -> str:
        url = super().get_success_url()
        user = self.request.user
        if not needs_two_factor(user):
            return url
        step = "accounts:verify" if _confirmed_device(user) else "accounts:setup"
        return _with_next(reverse(step), url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context


def _signed_in_with(request: HttpRequest, device: TOTPDevice, action: str) -> None:
    otp_login(request, device)
    # A new session key for the raised privilege.
    request.session.cycle_key()
    audit.record(request.user, action)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: the code from the authenticator app."""
    next_url = _next_url(request)
    if request.user.is_verified():  # type: ignore[union-attr]  # django_otp
        return redirect(next_url)
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(_with_next(reverse("accounts:setup"), next_url))
    form = TokenForm(request.POST or None)
    if form.is_bound and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        accepted = allowed and verify_token(
            request.user, device.persistent_id, form.cleaned_data["token"]
        )
        if accepted:
            _signed_in_with(request, accepted, Action.OTP_VERIFIED)
            return redirect(next_url)
        audit.record(request.user, Action.OTP_FAILED, throttled=not allowed)
        form.add_error("token", _refusal(allowed))
    context = {"form": form, "next": next_url}
    return render(
        request, "accounts/verify.html", context, status=400 if form.is_bound else 200
    )


def _refusal(allowed: bool) -> str:
    if not allowed:
        return _(
            "Too many wrong codes in a row. Wait a little, then enter the code "
            "the app shows at that moment."
        )
    return _("This code is not right or has expired. Enter the code the app shows now.")


class InvitationView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, then link an authenticator app.

    Django's password-reset page with the invitation's own tokens: the token
    moves from the URL into the session before the form is shown, and the link
    stops working once the password is set.
    """

    template_name = "accounts/invitation.html"
    token_generator = invitation_tokens
    reset_url_token = "set-password"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("accounts:setup")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        changes = {"password": "changed"}
        audit.record(form.user, Action.USER_CHANGED, form.user, changes=changes)
        allow_enrolment(self.request)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Link an authenticator app: scan the QR code (or type the key), confirm
    with a code. Only while no app is linked, and only in the session that came
    through an invitation link; an administrator can send a new one."""
    next_url = _next_url(request)
    if _confirmed_device(request.user) is not None:
        return redirect(_with_next(reverse("accounts:verify"), next_url))
    if not may_enrol(request):
        return render(request, "accounts/setup_refused.html", status=403)
    user = request.user
    assert user.is_authenticated  # login_required
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if form.is_bound and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            end_enrolment(request)
            _signed_in_with(request, device, Action.OTP_ENROLLED)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(next_url)
        form.add_error("token", _refusal(True))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(
            scale=5, border=2
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(
        request, "accounts/setup.html", context, status=400 if form.is_bound else 200
    )


def _session_state(request: HttpRequest) -> JsonResponse:
    authenticated = request.user.is_authenticated
    return JsonResponse(
        {
            "authenticated": authenticated,
            "remaining": seconds_left(request) if authenticated else 0,
            "warning": settings.SESSION_IDLE_WARNING,
        }
    )


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """How long the session has left; does not count as activity."""
    return _session_state(request)


@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """ "Stay logged in": any request counts as activity (IdleTimeoutMiddleware)."""
    return _session_state(request)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page django-axes shows once a username and address are locked out."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
