"""Who may see what: role checks shared by every staff and analyst page.

Anonymous users are sent to the login page; a logged-in user without the role
gets 403. Views use the decorators, templates and queries the predicates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .roles import ADMINISTRATOR, ANALYST, STAFF

# Whom a request comes from: an account, or nobody logged in (request.user).
AnyUser = User | AnonymousUser
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def _role_names(user: AnyUser) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names  # type: ignore[attr-defined]  # per request
    return names


def _in_group(user: AnyUser, name: str) -> bool:
    return name in _role_names(user)


def is_staff_member(user: AnyUser) -> bool:
    """Foundation staff: questionnaires, narratives, coding, every export."""
    return bool(user.is_authenticated and user.is_superuser) or _in_group(user, STAFF)


def is_analyst(user: AnyUser) -> bool:
    """Ministry analysts: aggregates and sector summaries only."""
    return _in_group(user, ANALYST)


def is_administrator(user: AnyUser) -> bool:
    """Administrators manage users and read the audit log."""
    return bool(user.is_authenticated and user.is_superuser) or _in_group(
        user, ADMINISTRATOR
    )


def can_see_dashboard(user: AnyUser) -> bool:
    return is_staff_member(user) or is_analyst(user)


def needs_two_factor(user: AnyUser) -> bool:
    """Every account that can see more than a respondent must use a second factor."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or _role_names(user))


def allowed_sectors(user: AnyUser) -> set[str] | None:
    """The sectors a user may see in pages and files; None: all of them.

    Staff see everything; an analyst limited by an AnalystSectorAccess row sees
    only its sectors; anyone else nothing.
    """
    if is_staff_member(user):
        return None
    if not user.is_authenticated or not is_analyst(user):
        return set()
    from .models import AnalystSectorAccess

    access = AnalystSectorAccess.objects.filter(user=user).first()
    return None if access is None else set(access.sectors)


@dataclass(frozen=True)
class FigureAccess:
    """What of the figures a user may see: the one rule for pages and files.

    The dashboard pages and every export made for the user apply this same
    object, so a figure a page withholds is withheld from the files too.
    """

    sectors: frozenset[str] | None  # the sectors shown; None: all of them
    unsuppressed: bool  # staff: true small counts, labelled

    @property
    def all_sectors(self) -> bool:
        """Whether figures of all sectors together are shown: the all-sectors
        totals, and each sector's differences with all sectors."""
        return self.sectors is None

    def may_see(self, sector: str) -> bool:
        return self.sectors is None or sector in self.sectors


def figure_access(user: AnyUser) -> FigureAccess:
    """The figures `user` may see in pages and in files alike."""
    sectors = allowed_sectors(user)
    return FigureAccess(
        sectors=None if sectors is None else frozenset(sectors),
        unsuppressed=is_staff_member(user),
    )


def limited_sectors() -> set[str]:
    """Every sector some analyst is limited to (files are made for them too)."""
    from .models import AnalystSectorAccess

    found: set[str] = set()
    for sectors in AnalystSectorAccess.objects.values_list("sectors", flat=True):
        found.update(sectors)
    return found


def logged_in_user(request: HttpRequest) -> User:
    """The account behind a view that the role decorators let through."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def _role_required(predicate: Callable[[AnyUser], bool]) -> Callable[[_View], _View]:
    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(_View, wrapped)

    return decorator


staff_required = _role_required(is_staff_member)
dashboard_access_required = _role_required(can_see_dashboard)
