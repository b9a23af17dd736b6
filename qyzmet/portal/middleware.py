"""The portal's middleware: `AuthSessionMiddleware` ties a browser's Django session to its
`AuthSession`, so that ending it anywhere ("my sessions", idle or absolute timeout) signs the
browser out at its next request; `UrlLengthMiddleware` answers an over-long address with 414."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from qyzmet.identity.actions.sessions import web_session_check
from qyzmet.portal.views_errors import error_page

SESSION_KEY = "qyzmet_auth_session"
DEFAULT_MAX_URL_LENGTH = 4096


class AuthSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "person_id", None):
            session_id = request.session.get(SESSION_KEY)
            alive = web_session_check(session_id=session_id) if session_id else None
            if alive is None:
                logout(request)
            else:
                request.auth_session = alive  # type: ignore[attr-defined]
        return self.get_response(request)


class UrlLengthMiddleware:
    """Answer an address longer than `QYZMET_MAX_URL_LENGTH` characters (path and query) with
    the 414 page, below the web server's own limit on the request line (`manage.py serve` sets
    gunicorn's higher), so the reader gets our page instead of the server's bare 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = int(getattr(settings, "QYZMET_MAX_URL_LENGTH", DEFAULT_MAX_URL_LENGTH))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if len(request.get_full_path()) > self.limit:
            return error_page(request, 414)
        return self.get_response(request)
