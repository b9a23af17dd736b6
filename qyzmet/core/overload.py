"""Overload guard: a bounded number of requests in flight per process; any request beyond it is
refused at once with 503 and `Retry-After: 1` instead of waiting in a queue without end.

A refusal touches neither the database nor a view, so a flood is answered soon, mostly with
refusals, instead of every request waiting its turn behind all the others; clients (the phone
app, a load balancer) learn quickly that they should come back later or go elsewhere.

Settings (read once, when the middleware is built):

- `QYZMET_MAX_INFLIGHT` (64): requests one process runs at the same time. Only requests that
  have reached Django count. Gunicorn's gthread worker hands a request to Django only when one of
  its `--threads` is free and keeps the rest in its own queue, which no middleware can see; so
  the guard engages only when gunicorn runs more threads than this limit, and the threads above
  the limit then do nothing but refuse quickly what would otherwise wait (measurements in
  docs/performance.md).
- `QYZMET_OVERLOAD_EXEMPT_PATHS` (`("/healthz",)`): paths never refused, so that a load balancer's
  health check tells "busy" apart from "down".
- `QYZMET_OVERLOAD_TEMPLATE` (none): the refusal page outside /api/ (the site's own 503 page),
  rendered once per language without a request, so it needs neither the database nor a session;
  without it, or should it fail to render, a minimal page.

Put it first in `MIDDLEWARE`, so a refusal does no other work. The slot is released when the
view returns: a streamed body is sent after that and is not counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from qyzmet.core.errors import ErrorCode, ServiceUnavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 1
LOG_EVERY_SECONDS = 10.0
DEFAULT_MAX_INFLIGHT = 64
DEFAULT_EXEMPT_PATHS: tuple[str, ...] = ("/healthz",)


class Overloaded(ServiceUnavailable):
    code: str = ErrorCode.OVERLOADED


_pages: dict[tuple[str, str], str] = {}
_pages_lock = threading.Lock()


def refusal_page(message: str) -> str:
    """The refusal page in the active language: the configured template, rendered once."""
    language = translation.get_language()
    template = getattr(settings, "QYZMET_OVERLOAD_TEMPLATE", "")
    page = _pages.get((template, language))
    if page is not None:
        return page
    try:
        page = render_to_string(template) if template else ""
    except Exception:
        logger.exception("overload page could not be rendered", extra={"template": template})
        page = ""
    if not page:
        page = (
            f'<!doctype html>\n<html lang="{escape(language)}">'
            '<head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Qyzmet</title></head><body><main><h1>Qyzmet</h1><p>{escape(message)}</p>"
            "</main></body></html>\n"
        )
    with _pages_lock:
        _pages[(template, language)] = page
    return page


def overloaded_response(request: HttpRequest) -> HttpResponse:
    """The refusal, in the caller's language: the one error shape under /api/, a page otherwise.
    Built without the database, and the page once per language, so it stays cheap when everything
    else is busy."""
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        error = Overloaded()
        response: HttpResponse
        if request.path_info.startswith("/api/"):
            response = JsonResponse(error.as_dict(), status=error.status)
        else:
            page = refusal_page(str(error.message))
            response = HttpResponse(page, status=error.status, content_type="text/html")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"  # SecurityMiddleware does not run for it
    response["Content-Language"] = language
    return response


class OverloadGuardMiddleware:
    """Admit at most `QYZMET_MAX_INFLIGHT` requests at once in this process; refuse the rest."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = max(1, int(getattr(settings, "QYZMET_MAX_INFLIGHT", DEFAULT_MAX_INFLIGHT)))
        exempt: Iterable[str] = getattr(
            settings, "QYZMET_OVERLOAD_EXEMPT_PATHS", DEFAULT_EXEMPT_PATHS
        )
        self.exempt_paths = frozenset(path.rstrip("/") or "/" for path in exempt)
        self.slots = threading.BoundedSemaphore(self.limit)
        self.refused = 0
        self._counter_lock = threading.Lock()
        self._logged_at = float("-inf")

    def is_exempt(self, request: HttpRequest) -> bool:
        return (request.path_info.rstrip("/") or "/") in self.exempt_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.is_exempt(request):
            return self.get_response(request)
        if not self.slots.acquire(blocking=False):
            self._count_refusal()
            return overloaded_response(request)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    def _count_refusal(self) -> None:
        now = time.monotonic()
        with self._counter_lock:
            self.refused += 1
            if now - self._logged_at < LOG_EVERY_SECONDS:
                return
            self._logged_at = now
            refused = self.refused
        logger.warning(
            "overloaded: refusing requests",
            extra={"max_inflight": self.limit, "refused_total": refused},
        )
