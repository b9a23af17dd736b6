"""Signed-in sessions: browsers (Django session cookie) and phone apps (access + refresh tokens).

An access token is short-lived and signed (no database row), but every use also checks that its
session has not been ended, so "end this session" takes effect at once. A refresh token is
random, stored as a keyed hash, single use and rotated on every refresh; presenting a used one
ends the whole session, because only a thief or a replay would.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.client import client_fingerprint
from qyzmet.core.crypto import keyed_hash
from qyzmet.core.errors import NotAuthenticated, NotFound
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Account, AuthSession, RefreshToken
from qyzmet.identity.selectors import device_hash

ACCESS_SALT = "qyzmet.identity.access-token"
ACCESS_PREFIX = "qa."
REFRESH_PREFIX = "qr."
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


def _refresh_hash(token: str) -> str:
    return keyed_hash(token, purpose="refresh-token")


def session_start(
    *,
    account: Account,
    kind: str,
    method: str,
    device: str = "",
    client: str = "",
    language: str = "",
    device_id: str = "",
) -> AuthSession:
    """Record a sign-in. The language the citizen signed in with becomes the language of their
    messages (SMS, e-mail). `device_id` is the device's own id (the browser's device cookie, the
    app's device header): the device is known to the account from now on."""
    now = timezone.now()
    if language and language != account.language:
        account.language = language
        account.save(update_fields=["language"])
    lifetime = (
        timedelta(days=settings.QYZMET_APP_SESSION_DAYS)
        if kind == AuthSession.Kind.APP
        else timedelta(hours=settings.QYZMET_SESSION_ABSOLUTE_HOURS)
    )
    return AuthSession.objects.create(
        account=account,
        kind=kind,
        method=method,
        device=(device or "")[:200],
        device_hash=device_hash(device_id),
        client_hash=client_fingerprint(client),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )


def _access_token(session: AuthSession) -> str:
    return ACCESS_PREFIX + signing.dumps(
        {"s": str(session.id), "a": session.account_id}, salt=ACCESS_SALT, compress=False
    )


@transaction.atomic
def app_tokens_issue(*, session: AuthSession) -> TokenPair:
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    RefreshToken.objects.create(session=session, token_hash=_refresh_hash(refresh))
    return TokenPair(
        access_token=_access_token(session),
        refresh_token=refresh,
        expires_in=settings.QYZMET_ACCESS_TOKEN_SECONDS,
        session_id=str(session.id),
    )


def app_sign_in(
    *,
    account: Account,
    method: str,
    device: str,
    client: str,
    language: str = "",
    device_id: str = "",
) -> TokenPair:
    with transaction.atomic():
        session = session_start(
            account=account,
            kind=AuthSession.Kind.APP,
            method=method,
            device=device,
            client=client,
            language=language,
            device_id=device_id,
        )
        return app_tokens_issue(session=session)


def _session_alive(session: AuthSession, now: datetime) -> bool:
    if session.ended_at is not None or now >= session.expires_at:
        return False
    if session.kind == AuthSession.Kind.WEB:
        idle = timedelta(minutes=settings.QYZMET_SESSION_IDLE_MINUTES)
        return now - session.last_seen_at < idle
    return True


def _touch(session: AuthSession, now: datetime) -> None:
    if now - session.last_seen_at >= TOUCH_EVERY:
        session.last_seen_at = now
        AuthSession.objects.filter(pk=session.pk).update(last_seen_at=now)


def access_token_authenticate(*, token: str) -> AuthSession:
    """The session behind a bearer access token, or NotAuthenticated."""
    refused = NotAuthenticated(
        _("Your sign-in has expired. Please sign in again."), code=ErrorCode.TOKEN_INVALID
    )
    if not token.startswith(ACCESS_PREFIX):
        raise refused
    try:
        data = signing.loads(
            token[len(ACCESS_PREFIX) :],
            salt=ACCESS_SALT,
            max_age=settings.QYZMET_ACCESS_TOKEN_SECONDS,
        )
        session_id = uuid.UUID(data["s"])
    except (signing.BadSignature, KeyError, ValueError, TypeError) as exc:
        raise refused from exc
    session = (
        AuthSession.objects.select_related("account")  # the person (decrypted) only on demand
        .filter(pk=session_id, account_id=data.get("a"))
        .first()
    )
    now = timezone.now()
    if session is None or not _session_alive(session, now) or not session.account.is_active:
        raise refused
    _touch(session, now)
    return session


def app_tokens_refresh(*, refresh_token: str) -> TokenPair:
    refused = NotAuthenticated(
        _("Your sign-in has expired. Please sign in again."), code=ErrorCode.REFRESH_INVALID
    )
    now = timezone.now()
    reused = False
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .select_related("session")
            .filter(token_hash=_refresh_hash(refresh_token or ""))
            .first()
        )
        if row is None:
            raise refused
        session = row.session
        if row.used_at is not None:
            reused = True
        elif not _session_alive(session, now):
            raise refused
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            _touch(session, now)
            return app_tokens_issue(session=session)
    if reused:  # outside the block above so the ending commits even though we refuse
        session_end(session=session, reason="refresh_reuse")
    raise refused


def session_end(*, session: AuthSession, reason: str) -> None:
    if session.ended_at is None:
        session.ended_at = timezone.now()
        session.end_reason = reason
        session.save(update_fields=["ended_at", "end_reason"])


def web_session_check(*, session_id: str) -> AuthSession | None:
    """The live web session recorded in a browser's cookie session, touched; None if over."""
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        return None
    session = AuthSession.objects.filter(pk=key, kind=AuthSession.Kind.WEB).first()
    now = timezone.now()
    if session is None or not _session_alive(session, now):
        if session is not None and session.ended_at is None:
            session_end(session=session, reason="timeout")
        return None
    _touch(session, now)
    return session


def access_session_by_id(*, account: Account, session_id: str) -> AuthSession:
    """The one way to reach a session by id: someone else's is indistinguishable from none."""
    try:
        key = uuid.UUID(str(session_id))
    except ValueError as exc:
        raise NotFound() from exc
    session = AuthSession.objects.filter(pk=key, account=account, ended_at__isnull=True).first()
    if session is None:
        raise NotFound()
    return session


def session_list_for_account(*, account: Account) -> list[AuthSession]:
    now = timezone.now()
    sessions = AuthSession.objects.filter(
        account=account, ended_at__isnull=True, expires_at__gt=now
    ).order_by("-last_seen_at")
    return [s for s in sessions if _session_alive(s, now)]
