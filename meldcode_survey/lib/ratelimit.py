"""The client's address, and rate limits by it (django-ipware, django-ratelimit).

The address is the one the trusted reverse proxies vouch for. Behind
TRUSTED_PROXY_COUNT proxies, each of which appends the address it received the
request from to X-Forwarded-For, the client is that many entries from the right
of the header; whatever stands to the left of it came from the client itself
and is ignored, so a forged header changes nothing. With no trusted proxy the
header is ignored altogether and the client is REMOTE_ADDR. django-axes
(AXES_CLIENT_IP_CALLABLE) and django-ratelimit (RATELIMIT_IP_META_KEY) both
take the address from `client_address`.

django-ratelimit keeps its counters in the cache under a hash of the address;
the address is never stored with anything. Limits are generous, so that a team
answering from one office is never blocked.
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str:
    """The client's address as the trusted proxies give it (see the module)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        # django-ipware counts the proxies listed after the client; the last
        # proxy is REMOTE_ADDR and is not listed.
        address, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return str(address)
    return str(request.META.get("REMOTE_ADDR", ""))


def is_limited(request: HttpRequest, scope: str, *, rate: str) -> bool:
    """Count one hit for this client in `scope`; True once over `rate` ("20/10m")."""
    return bool(
        is_ratelimited(request, group=scope, key="ip", rate=rate, increment=True)
    )


def is_over(request: HttpRequest, scope: str, *, rate: str) -> bool:
    """Whether the client is already over `rate` in `scope`, without counting."""
    return bool(
        is_ratelimited(request, group=scope, key="ip", rate=rate, increment=False)
    )
