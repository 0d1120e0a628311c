"""The site's Content-Security-Policy, built once per process, is the header
django-csp builds; a view that changes the policy still gets its own."""

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
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


def _same_as_django_csp(view) -> dict[str, str]:  # noqa: ANN001
    """The CSP headers of our middleware, checked against django-csp's own."""
    ours, theirs = (_served(m, view) for m in (SitePolicyCSPMiddleware, CSPMiddleware))
    headers = (HEADER, HEADER_REPORT_ONLY)
    found = {h: _directives(ours[h]) for h in headers if h in ours}
    assert found == {h: _directives(theirs[h]) for h in headers if h in theirs}
    return {h: ours[h] for h in headers if h in ours}


def test_a_page_that_uses_a_nonce_gets_it_in_its_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    nonces = []

    def view(request):
        nonces.append(str(request.csp_nonce))
        return HttpResponse("ok")

    first, second = (_served(SitePolicyCSPMiddleware, view)[HEADER] for _ in "12")
    theirs = _served(CSPMiddleware, view)[HEADER]
    assert f"'nonce-{nonces[0]}'" in first and f"'nonce-{nonces[1]}'" in second
    assert nonces[0] != nonces[1]  # a new one for every request
    assert first.replace(nonces[0], "N") == theirs.replace(nonces[2], "N")


def test_a_report_only_policy_is_sent_as_django_csp_sends_it(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": [SELF], "report-uri": "/csp-report/"}
    }

    def view(request):
        return HttpResponse("ok")

    headers = _same_as_django_csp(view)
    assert "report-uri /csp-report/" in headers[HEADER_REPORT_ONLY]
    assert HEADER in headers  # the enforced policy stays


def test_an_excluded_path_gets_no_policy(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/q/"],
        "DIRECTIVES": {"default-src": [SELF]},
    }

    def view(request):
        return HttpResponse("ok")

    assert _same_as_django_csp(view) == {}
