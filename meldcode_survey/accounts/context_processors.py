from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .access import can_see_dashboard


def session_timeout(request: HttpRequest) -> dict[str, Any]:
    """The idle timeout, for the warning in base.html."""
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_idle_warning": settings.SESSION_IDLE_WARNING,
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether the header links to the dashboard, its sectors and downloads."""
    user = getattr(request, "user", None)
    shows = bool(user is not None and user.is_authenticated and can_see_dashboard(user))
    return {"nav_dashboard": shows}
