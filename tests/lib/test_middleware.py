"""The language comes from the cookie, so every response varies on it."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from meldcode_survey.lib.middleware import LanguageCookieMiddleware


def _through(response: HttpResponse) -> HttpResponse:
    return LanguageCookieMiddleware(lambda request: response)(RequestFactory().get("/"))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "Cookie"),
        ("Accept-Encoding", "Accept-Encoding, Cookie"),
        ("cookie", "cookie"),  # header names are case-insensitive
    ],
)
def test_the_response_varies_on_the_cookie_once(before, after):
    response = HttpResponse()
    if before is not None:
        response["Vary"] = before

    assert _through(response)["Vary"] == after
