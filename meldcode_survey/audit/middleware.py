"""Make the request's user the actor of audit entries written during it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .services import current_actor


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_actor.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)
