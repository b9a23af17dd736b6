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
- `QYZMET_OVERLOAD_LANES` (none): lanes of their own for expensive posts (sign-in and
  registration, whose password hashes are deliberately slow), each
  `{"name", "paths": regex, "slots": n, "per_client": m}`. A request other than GET, HEAD or
  OPTIONS whose path matches takes a slot of its lane instead of one of the `QYZMET_MAX_INFLIGHT`
  slots, so however many of them arrive, other requests keep their slots; beyond `slots` it gets
  the 503 at once, and beyond `per_client` requests of one client address
  (`core.client.client_address`) in flight in the lane, a 429 with `Retry-After: 1` at once.
- `QYZMET_OVERLOAD_TEMPLATE` (none): the refusal page outside /api/ (the site's own 503 page),
  rendered once per language without a request, so it needs neither the database nor a session;
  without it, or should it fail to render, a minimal page.

Put it first in `MIDDLEWARE`, so a refusal does no other work. The slot is released when the
view returns: a streamed body is sent after that and is not counted.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from qyzmet.core.client import client_address
from qyzmet.core.errors import ErrorCode, QyzmetError, RateLimited, ServiceUnavailable

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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Lane:
    """Slots of their own for the requests whose path matches `paths` (see the module)."""

    name: str
    paths: re.Pattern[str]
    slots: threading.BoundedSemaphore
    per_client: int
    in_flight: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_setting(cls, entry: dict[str, Any]) -> Lane:
        return cls(
            name=str(entry["name"]),
            paths=re.compile(str(entry["paths"])),
            slots=threading.BoundedSemaphore(max(1, int(entry["slots"]))),
            per_client=max(1, int(entry.get("per_client") or entry["slots"])),
        )

    def enter(self, client: str) -> bool:
        """Take a place for `client`, unless it has `per_client` requests in flight here."""
        with self.lock:
            if self.in_flight[client] >= self.per_client:
                return False
            self.in_flight[client] += 1
            return True

    def leave(self, client: str) -> None:
        with self.lock:
            self.in_flight[client] -= 1
            if self.in_flight[client] <= 0:
                del self.in_flight[client]


def overloaded_response(
    request: HttpRequest, error: QyzmetError | None = None, retry_after: int = RETRY_AFTER_SECONDS
) -> HttpResponse:
    """The refusal, in the caller's language: the one error shape under /api/, a page otherwise.
    Built without the database, and the page once per language, so it stays cheap when everything
    else is busy."""
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        error = error or Overloaded()
        response: HttpResponse
        if request.path_info.startswith("/api/"):
            response = JsonResponse(error.as_dict(), status=error.status)
        else:
            page = refusal_page(str(error.message))
            response = HttpResponse(page, status=error.status, content_type="text/html")
    response["Retry-After"] = str(retry_after)
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
        lanes: Iterable[dict[str, Any]] = getattr(settings, "QYZMET_OVERLOAD_LANES", ())
        self.lanes = [Lane.from_setting(entry) for entry in lanes]
        self.refused = 0
        self._counter_lock = threading.Lock()
        self._logged_at = float("-inf")

    def is_exempt(self, request: HttpRequest) -> bool:
        return (request.path_info.rstrip("/") or "/") in self.exempt_paths

    def lane_of(self, request: HttpRequest) -> Lane | None:
        if request.method in SAFE_METHODS:
            return None
        return next((lane for lane in self.lanes if lane.paths.match(request.path_info)), None)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.is_exempt(request):
            return self.get_response(request)
        lane = self.lane_of(request)
        if lane is not None:
            return self._in_lane(lane, request)
        if not self.slots.acquire(blocking=False):
            self._count_refusal()
            return overloaded_response(request)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    def _in_lane(self, lane: Lane, request: HttpRequest) -> HttpResponse:
        client = client_address(request)
        if not lane.enter(client):
            self._count_refusal()
            return overloaded_response(request, RateLimited(retry_after=RETRY_AFTER_SECONDS))
        try:
            if not lane.slots.acquire(blocking=False):
                self._count_refusal()
                return overloaded_response(request)
            try:
                return self.get_response(request)
            finally:
                lane.slots.release()
        finally:
            lane.leave(client)

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
