"""A fixed-window rate limit kept in the cache only.

The client address is hashed into the cache key and never stored with anything;
limits are generous so that a team answering from one office is never blocked.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(request: HttpRequest, scope: str, window: int) -> str:
    bucket = int(time.time() // window)
    raw = f"{scope}:{client_address(request)}:{bucket}".encode()
    return "ratelimit:" + hashlib.sha256(raw).hexdigest()


def is_limited(request: HttpRequest, scope: str, *, limit: int, window: int) -> bool:
    """Count one hit for this client in `scope`; True once over `limit` per window."""
    key = _key(request, scope, window)
    cache.add(key, 0, timeout=window)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        hits = 1
    return hits > limit


def is_over(request: HttpRequest, scope: str, *, limit: int, window: int) -> bool:
    """Whether the client is already over the limit, without counting a hit."""
    return (cache.get(_key(request, scope, window)) or 0) > limit
