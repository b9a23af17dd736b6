"""QR sign-in: the web page shows a short-lived QR code; the signed-in phone app approves it; the
page that asked (and only that browser, which holds a secret) is then signed in.

Before approving, the phone is shown who asks (`selectors.qr_signin_describe`): the browser,
the network it asked from (or "this network", the phone's own) and when, so that a code a
phisher passed on from their own browser is recognisable."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qyzmet.core.crypto import keyed_hash
from qyzmet.identity.devices import browser_label, network_label
from qyzmet.identity.models import Account, QrSignIn
from qyzmet.identity.selectors import qr_expired


@dataclass(frozen=True)
class QrStarted:
    qr: QrSignIn
    token: str  # goes into the QR code
    browser_secret: str  # stays in the browser's session


def _hash(value: str, purpose: str) -> str:
    return keyed_hash(value, purpose=purpose)


def qr_signin_start(*, user_agent: str = "", client: str = "") -> QrStarted:
    """A new QR code for the browser with `user_agent` at address `client`, of which only a
    label and the network are kept, to show the phone."""
    token = secrets.token_urlsafe(24)
    browser_secret = secrets.token_urlsafe(24)
    now = timezone.now()
    qr = QrSignIn.objects.create(
        token_hash=_hash(token, "qr-token"),
        browser_hash=_hash(browser_secret, "qr-browser"),
        browser=browser_label(user_agent)[:80],
        network=network_label(client),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.QYZMET_QR_TTL_SECONDS),
    )
    return QrStarted(qr=qr, token=token, browser_secret=browser_secret)


def qr_signin_approve(*, token: str, account: Account) -> QrSignIn:
    """Called by the phone app of a signed-in citizen who scanned the code (and was shown
    `qr_signin_describe`'s answer first)."""
    with transaction.atomic():
        qr = (
            QrSignIn.objects.select_for_update()
            .filter(token_hash=_hash(token or "", "qr-token"))
            .first()
        )
        if qr is None or qr.approved_at or qr.consumed_at or timezone.now() >= qr.expires_at:
            raise qr_expired()
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
