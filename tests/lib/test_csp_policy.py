"""The site's Content-Security-Policy, built once per process, is the header
django-csp builds; a view that changes the policy still gets its own."""

from csp.constants import HEADER
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from meldcode_survey.lib.middleware import SitePolicyCSPMiddleware


def _directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


def _served(middleware_class, view):
    request = RequestFactory().get("/q/brede-reflectie/")
    middleware = middleware_class(view)
    return middleware(request)


def test_the_cached_header_is_django_csp_s(db):
    def view(request):
        return HttpResponse("ok")

    ours = _served(SitePolicyCSPMiddleware, view)[HEADER]
    theirs = _served(CSPMiddleware, view)[HEADER]
    assert _directives(ours) == _directives(theirs) == _directives(build_policy())
    assert "frame-ancestors 'none'" in ours


def test_a_view_that_changes_the_policy_gets_its_own(db):
    @csp_update({"img-src": ["https://example.org"]})
    def view(request):
        return HttpResponse("ok")

    header = _served(SitePolicyCSPMiddleware, view)[HEADER]
    assert "https://example.org" in header


def test_a_changed_setting_is_seen(settings):
    def view(request):
        return HttpResponse("ok")

    _served(SitePolicyCSPMiddleware, view)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert _served(SitePolicyCSPMiddleware, view)[HEADER] == "default-src 'none'"
