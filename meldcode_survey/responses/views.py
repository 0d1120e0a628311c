from django.http import HttpRequest, HttpResponse


def landing(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(slug)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponse(status=403)
