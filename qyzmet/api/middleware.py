"""Every error under /api/ in the one error shape, also those answered before an endpoint runs.

Django answers an unknown path (404), a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (413), an
address over `QYZMET_MAX_URL_LENGTH` (414) and an unhandled exception (500) with the site's error
pages, and django-ninja answers a method a path does not take (405) with plain text; under /api/
this middleware puts `{"code", "message", "details"}` in their place, in the caller's language
(it sits after `LocaleMiddleware`). The overload guard's 503 is already the shape.

A body whose declared length is over `DATA_UPLOAD_MAX_MEMORY_SIZE` (file uploads aside, which
their endpoints bound) is answered 413 before anything reads it, whatever `DEBUG` says (Django's
debug page would make it a 400).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from qyzmet.api.errors import error_for_status

API_PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After")


def is_error_shape(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def body_too_large(request: HttpRequest) -> int:
    """413 for a declared body over the limit, 400 for a length that is not a number, else 0."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or (request.content_type or "").startswith("multipart/"):
        return 0
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 400
    return 413 if length > limit else 0


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            refused = body_too_large(request)
            if refused:
                return JsonResponse(error_for_status(refused).as_dict(), status=refused)
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or is_error_shape(response)
        ):
            return response
        error = error_for_status(response.status_code)
        allowed = response.get("Allow")
        if allowed:
            error.details = {"allowed": sorted(m.strip() for m in allowed.split(",") if m.strip())}
        retry_after = response.get("Retry-After", "")
        if retry_after.isascii() and retry_after.isdigit():
            error.details = {"retry_after": int(retry_after)}
        shaped = JsonResponse(error.as_dict(), status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                shaped[name] = response[name]
        return shaped
