"""Session hardening for staff and analysts: idle timeout, required second
factor, and no caching of pages with personal data.

Respondents are anonymous: none of this asks them to log in, and their drafts
live server-side whatever happens to a session.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from meldcode_survey import audit
from meldcode_survey.audit.models import Action

from .access import needs_two_factor

LAST_ACTIVITY = "_last_activity"
# URL names (namespace:name) a signed-in user may reach before the second factor.
BEFORE_SECOND_FACTOR = {
    ":login",
    ":logout",
    ":set_language",
    ":healthz",
    ":admin_login",
    "admin:login",
    "admin:logout",
    "accounts:verify",
    "accounts:setup",
    "accounts:invitation",
    "accounts:session_status",
    "accounts:session_extend",
}
# Requests that read the session state without counting as activity.
PASSIVE = {"accounts:session_status"}
GRACE = 10 * 60
# How often page views renew the activity stamp, at most (a tenth of the
# timeout for short ones); see IdleTimeoutMiddleware._touch.
ACTIVITY_RESOLUTION = 60
# "Stay logged in": always restarts the clock.
EXTEND = "accounts:session_extend"


def _view_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}"


def seconds_left(request: HttpRequest) -> int:
    """Seconds until the idle timeout ends this session."""
    last = request.session.get(LAST_ACTIVITY)
    if last is None:
        return settings.SESSION_IDLE_TIMEOUT
    return max(0, int(settings.SESSION_IDLE_TIMEOUT - (time.time() - last)))


class IdleTimeoutMiddleware:
    """Log a signed-in user out after SESSION_IDLE_TIMEOUT seconds without a
    request. Works without JavaScript; static/js/session-timeout.js only warns
    before and lets the user extend."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            view = _view_name(request)
            if seconds_left(request) <= 0:
                return self._expire(request, view in PASSIVE)
            if view not in PASSIVE:
                self._touch(request, always=view == EXTEND)
        return self.get_response(request)

    @staticmethod
    def _touch(request: HttpRequest, always: bool) -> None:
        """Note the activity; page views at most once per resolution.

        Each note is a session write (a database commit); a coarser stamp only
        ends an idle session up to that much earlier, never later.
        """
        now = time.time()
        resolution = min(ACTIVITY_RESOLUTION, settings.SESSION_IDLE_TIMEOUT / 10)
        if not always and now - request.session.get(LAST_ACTIVITY, 0) < resolution:
            return
        request.session[LAST_ACTIVITY] = now
        # The stored session outlives the timeout a little, so that the next
        # request can still say why the user was logged out.
        request.session.set_expiry(settings.SESSION_IDLE_TIMEOUT + GRACE)

    def _expire(self, request: HttpRequest, passive: bool) -> HttpResponse:
        audit.record(request.user, Action.SESSION_EXPIRED)
        logout(request)
        if passive:
            return JsonResponse({"authenticated": False, "remaining": 0})
        messages.info(
            request,
            _("You have been logged out after %(minutes)d minutes without activity.")
            % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60},
        )
        return redirect_to_login(request.get_full_path())


class TwoFactorRequiredMiddleware:
    """Every account with a role must pass its second factor (TOTP) before any
    page other than logging in and setting up the authenticator app."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            needs_two_factor(user)
            and not user.is_verified()  # type: ignore[union-attr]  # django_otp
            and _view_name(request) not in BEFORE_SECOND_FACTOR
        ):
            step = "accounts:verify" if user_has_device(user) else "accounts:setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(step)}?{query}")
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages seen by a signed-in user and the respondent's pages may show
    narratives or other personal data: no browser or proxy may keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        respondent = match is not None and match.namespace == "responses"
        if respondent or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
