from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    """Placeholder until this app's pages are built."""
    return HttpResponse(status=404)
