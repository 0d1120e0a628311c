"""Middleware shared by all apps."""

from collections.abc import Callable
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageCookieMiddleware:
    """Dutch unless the visitor chose English with the language switch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    the platform speaks Dutch first, also to professionals whose browser is set
    to English, and the switch in the header is the one way to change it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# What a view's csp_* decorators leave on a response: then django-csp builds it.
_POLICY_CHANGES = tuple(
    f"_csp_{part}{suffix}"
    for part in ("config", "update", "replace")
    for suffix in ("", "_ro")
)
_HEADERS = (
    (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
)


@cache
def _site_policy(report_only: bool) -> str:
    return build_policy(report_only=report_only)


@receiver(setting_changed)
def _forget_site_policy(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once per process.

    django-csp builds the header from the settings on every response, which costs
    more than the rest of a respondent's middleware together. A response whose
    view changed the policy (the csp_* decorators) or a request that used a nonce
    gets django-csp's own treatment; every other one the same header, cached.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _POLICY_CHANGES
        ):
            return super().process_response(request, response)
        debug_page = response.status_code in (500, 404) and settings.DEBUG
        if debug_page:
            return response
        for header, setting, exempt, report_only in _HEADERS:
            policy = _site_policy(report_only)
            prefixes = (getattr(settings, setting, None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            ) or ()
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(  # type: ignore[attr-defined]
            self._csp_nonce_post_response
        )
        return response
