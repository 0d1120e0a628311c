"""Who may see what: role checks shared by every staff and analyst page.

Anonymous users are sent to the login page; a logged-in user without the role
gets 403. Views use the decorators, templates and queries the predicates.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .roles import ADMINISTRATOR, ANALYST, STAFF


def _role_names(user: Any) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return names


def _in_group(user: Any, name: str) -> bool:
    return name in _role_names(user)


def is_staff_member(user: Any) -> bool:
    """Foundation staff: questionnaires, narratives, coding, every export."""
    return bool(user.is_authenticated and user.is_superuser) or _in_group(user, STAFF)


def is_analyst(user: Any) -> bool:
    """Ministry analysts: aggregates and sector summaries only."""
    return _in_group(user, ANALYST)


def is_administrator(user: Any) -> bool:
    """Administrators manage users and read the audit log."""
    return bool(user.is_authenticated and user.is_superuser) or _in_group(
        user, ADMINISTRATOR
    )


def can_see_dashboard(user: Any) -> bool:
    return is_staff_member(user) or is_analyst(user)


def needs_two_factor(user: Any) -> bool:
    """Every account that can see more than a respondent must use a second factor."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or _role_names(user))


def allowed_sectors(user: Any) -> set[str] | None:
    """The sectors a user may see in pages and files; None: all of them.

    Staff see everything; an analyst limited by an AnalystSectorAccess row sees
    only its sectors; anyone else nothing.
    """
    if is_staff_member(user):
        return None
    if not is_analyst(user):
        return set()
    from .models import AnalystSectorAccess

    access = AnalystSectorAccess.objects.filter(user=user).first()
    return None if access is None else set(access.sectors)


def _role_required(predicate: Callable[[Any], bool]) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _role_required(is_staff_member)
dashboard_access_required = _role_required(can_see_dashboard)
