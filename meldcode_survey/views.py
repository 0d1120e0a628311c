"""Project-level pages: home, health check, accessibility statement, errors
(server error, bad request, CSRF failure)."""

import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from meldcode_survey.questionnaires.models import Questionnaire
from meldcode_survey.responses.views import page_after_csrf_failure


def home(request: HttpRequest) -> HttpResponse:
    candidates = Questionnaire.objects.filter(versions__status="published")
    questionnaires = [q for q in candidates if q.is_open()]
    return render(request, "home.html", {"questionnaires": questionnaires})


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means "down"
        return f"down: {type(error).__name__}"
    return "ok"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "not configured (tasks run in-process)"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as error:
        return f"down: {type(error).__name__}"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status. Only a database failure makes this unhealthy:
    respondents can answer and submit while the broker is down."""
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": database,
            "broker": broker,
        },
        status=200 if healthy else 503,
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (toegankelijkheidsverklaring)."""
    return render(request, "accessibility.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler; while the database is unreachable (a restart, a failover)
    it answers 503 with a page that says saved answers are kept."""
    from django.template.loader import render_to_string

    if _database_unreachable(sys.exc_info()[1]):
        return _unavailable()
    response = HttpResponse(render_to_string("500.html"), status=500)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 handler. Django reports a session it could not save as
    "interrupted" (400) even when the database was unreachable: that is the
    503 case, and pressing again works once the database is back."""
    from django.views.defaults import bad_request as default

    if _database_unreachable(exception):
        return _unavailable()
    return default(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The site's CSRF failure view (settings.CSRF_FAILURE_VIEW): a respondent's
    page is shown again with what they posted; anything else asks to reload."""
    response = page_after_csrf_failure(request)
    if response is not None:
        return response
    context = {
        "title": _("Your session has expired"),
        "message": _("Please go back, reload the page and try again."),
    }
    return render(request, "403_csrf.html", context, status=403)


def _database_unreachable(error: BaseException | None) -> bool:
    """Whether the error is, or was caused by, a lost database connection."""
    from django.db import InterfaceError, OperationalError

    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unavailable() -> HttpResponse:
    from django.template.loader import render_to_string

    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response
