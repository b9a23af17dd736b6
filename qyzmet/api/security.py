"""Bearer-token authentication for the phone app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from qyzmet.identity.actions.sessions import access_token_authenticate
from qyzmet.identity.models import Account, AuthSession


class AccessToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> AuthSession:
        session = access_token_authenticate(token=token)
        request.user = session.account
        return session


def current_account(request: HttpRequest) -> Account:
    session: Any = request.auth  # type: ignore[attr-defined]
    account: Account = session.account
    return account


def current_session(request: HttpRequest) -> AuthSession:
    session: AuthSession = request.auth  # type: ignore[attr-defined]
    return session


def optional_account(request: HttpRequest) -> Account | None:
    """For endpoints open to anyone: the signed-in caller if the request carries a bearer
    token (a wrong one is refused, not ignored), else None."""
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    if not header.lower().startswith("bearer "):
        return None
    return access_token_authenticate(token=header[7:].strip()).account
