"""QR sign-in: the web page shows a short-lived QR code; the signed-in phone app approves it; the
page that asked (and only that browser, which holds a secret) is then signed in."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.crypto import keyed_hash
from qyzmet.core.errors import NotFound
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Account, QrSignIn


@dataclass(frozen=True)
class QrStarted:
    qr: QrSignIn
    token: str  # goes into the QR code
    browser_secret: str  # stays in the browser's session


def _hash(value: str, purpose: str) -> str:
    return keyed_hash(value, purpose=purpose)


def qr_signin_start() -> QrStarted:
    token = secrets.token_urlsafe(24)
    browser_secret = secrets.token_urlsafe(24)
    now = timezone.now()
    qr = QrSignIn.objects.create(
        token_hash=_hash(token, "qr-token"),
        browser_hash=_hash(browser_secret, "qr-browser"),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.QYZMET_QR_TTL_SECONDS),
    )
    return QrStarted(qr=qr, token=token, browser_secret=browser_secret)


def _expired() -> NotFound:
    return NotFound(
        _("This QR code has expired or was already used. Show a new one."),
        code=ErrorCode.QR_EXPIRED,
    )


def qr_signin_approve(*, token: str, account: Account) -> QrSignIn:
    """Called by the phone app of a signed-in citizen who scanned the code."""
    with transaction.atomic():
        qr = (
            QrSignIn.objects.select_for_update()
            .filter(token_hash=_hash(token or "", "qr-token"))
            .first()
        )
        if qr is None or qr.approved_at or qr.consumed_at or timezone.now() >= qr.expires_at:
            raise _expired()
        qr.approved_by = account
        qr.approved_at = timezone.now()
        qr.save(update_fields=["approved_by", "approved_at"])
    return qr


def qr_signin_poll(*, qr_id: str, browser_secret: str) -> tuple[str, Account | None]:
    """("pending"|"approved"|"expired", account). "approved" is returned once: the sign-in is
    consumed by the browser that started it."""
    try:
        key = uuid.UUID(str(qr_id))
    except ValueError:
        return "expired", None
    with transaction.atomic():
        qr = QrSignIn.objects.select_for_update().filter(pk=key).first()
        if qr is None or qr.browser_hash != _hash(browser_secret or "", "qr-browser"):
            return "expired", None
        if qr.consumed_at is not None:
            return "expired", None
        if qr.approved_at is None:
            return ("expired", None) if timezone.now() >= qr.expires_at else ("pending", None)
        qr.consumed_at = timezone.now()
        qr.save(update_fields=["consumed_at"])
        return "approved", qr.approved_by
