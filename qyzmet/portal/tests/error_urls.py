"""The site's URLs, with addresses that fail on purpose (error page tests). The site's error
handlers are named, not imported, as an interface imports no other."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a broken request")


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def read_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(len(request.POST)))


urlpatterns = [
    path("test-errors/400", suspicious),
    path("test-errors/403", refuse),
    path("test-errors/500", crash),
    path("test-errors/form", read_form),
    path("", include("config.urls")),
]
handler400 = "config.urls.handler400"
handler403 = "config.urls.handler403"
handler404 = "config.urls.handler404"
handler500 = "config.urls.handler500"
