"""Ties a browser's Django session to its `AuthSession`, so that ending it anywhere ("my
sessions", idle or absolute timeout) signs the browser out at its next request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from qyzmet.identity.actions.sessions import web_session_check

SESSION_KEY = "qyzmet_auth_session"


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
