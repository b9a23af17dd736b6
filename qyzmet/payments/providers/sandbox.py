"""The sandbox gateway: a bank that works offline, for the demo and the tests.

It keeps its own ledger (`SandboxTransaction`), which is what reconciliation compares ours with.
The payer types a test card on its hosted page (demo mode only); the card decides what happens:

| card | outcome |
|---|---|
| 4242 4242 4242 4242 | accepted |
| 4000 0000 0000 0002 | declined: insufficient funds |
| 4000 0000 0000 0036 | delayed: stays pending, accepted and notified later |
| 4000 0000 0000 0119 | gateway error: the payment fails |

Notifications are signed like a real gateway's (HMAC-SHA256 over "<timestamp>.<raw body>" with
`QYZMET_PAYMENT_SANDBOX_SECRET`). The bank's own side (its card page, its notifications, which
call the same action as `POST /api/v1/payments/webhooks/sandbox` without the network) is
`qyzmet.payments.sandbox_bank`: this module is only the gateway our actions talk to.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qyzmet.core.calendar import local_today
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Payment, SandboxTransaction
from qyzmet.payments.providers.gateway import (
    GatewayCreated,
    GatewayError,
    GatewayEvent,
    GatewayStatus,
    GatewayTransaction,
    WebhookRejected,
)
from qyzmet.payments.states import PaymentReason

S = Payment.State
NAME = "sandbox"
AWAITING_CARD = "awaiting_card"
CARD_ACCEPT = "4242424242424242"
CARD_DECLINE = "4000000000000002"
CARD_DELAY = "4000000000000036"
CARD_FAIL = "4000000000000119"
TEST_CARDS = {
    CARD_ACCEPT: (S.SUCCEEDED, ""),
    CARD_DECLINE: (S.DECLINED, PaymentReason.INSUFFICIENT_FUNDS),
    CARD_DELAY: (S.PENDING, ""),
    CARD_FAIL: (S.FAILED, PaymentReason.GATEWAY_ERROR),
}
SIGNATURE_HEADER = "Sandbox-Signature"


def _secret() -> bytes:
    secret: str = settings.QYZMET_PAYMENT_SANDBOX_SECRET
    if not secret:
        raise WebhookRejected(code=ErrorCode.WEBHOOK_NOT_CONFIGURED)
    return secret.encode()


def sign(body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers a sandbox notification carries."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(_secret(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"t={stamp},v1={digest}"}


def sandbox_state(row: SandboxTransaction) -> str:
    """The transaction's state in gateway words: a page awaiting its card is still pending."""
    return S.PENDING if row.status == AWAITING_CARD else row.status


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class SandboxGateway:
    name = NAME

    def create(self, payment: Payment, *, return_url: str) -> GatewayCreated:
        ref = f"sbx_{secrets.token_hex(10)}"
        SandboxTransaction.objects.create(
            ref=ref,
            order=str(payment.id),
            amount_tiyn=payment.amount_tiyn,
            status=AWAITING_CARD,
            return_url=return_url,
            day=local_today(),
        )
        return GatewayCreated(ref=ref, redirect_url=f"/sandbox/pay/{ref}")

    def status(self, ref: str) -> GatewayStatus:
        row = SandboxTransaction.objects.filter(ref=ref).first()
        if row is None:
            raise GatewayError(code=ErrorCode.GATEWAY_UNKNOWN_REF)
        return GatewayStatus(
            ref=ref, state=sandbox_state(row), amount_tiyn=row.amount_tiyn, reason=row.reason
        )

    def refund(self, ref: str, *, amount_tiyn: int) -> str:
        with transaction.atomic():
            row = SandboxTransaction.objects.select_for_update().filter(ref=ref).first()
            if row is None or row.status not in (S.SUCCEEDED, S.REFUNDED):
                raise GatewayError(code=ErrorCode.GATEWAY_REFUND_REFUSED)
            if amount_tiyn <= 0 or row.refunded_tiyn + amount_tiyn > row.amount_tiyn:
                raise GatewayError(code=ErrorCode.GATEWAY_REFUND_REFUSED)
            row.refunded_tiyn += amount_tiyn
            if row.refunded_tiyn == row.amount_tiyn:
                row.status = S.REFUNDED
            row.updated_at = timezone.now()
            row.save(update_fields=["refunded_tiyn", "status", "updated_at"])
        return f"{ref}-r{secrets.token_hex(4)}"

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        lowered = {k.lower(): v for k, v in headers.items()}
        parts = dict(
            item.split("=", 1)
            for item in lowered.get(SIGNATURE_HEADER.lower(), "").split(",")
            if "=" in item
        )
        stamp, given = parts.get("t", ""), parts.get("v1", "")
        if not stamp.isdigit() or not given:
            raise WebhookRejected(code=ErrorCode.WEBHOOK_SIGNATURE)
        expected = hmac.new(_secret(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            raise WebhookRejected(code=ErrorCode.WEBHOOK_SIGNATURE)
        tolerance = settings.QYZMET_PAYMENT_WEBHOOK_TOLERANCE_SECONDS
        if abs(time.time() - int(stamp)) > tolerance:
            raise WebhookRejected(code=ErrorCode.WEBHOOK_TOO_OLD)
        try:
            data = json.loads(body)
            return GatewayEvent(
                event_id=str(data["id"]),
                ref=str(data["ref"]),
                order=str(data["order"]),
                state=str(data["state"]),
                amount_tiyn=int(data["amount_tiyn"]),
                reason=str(data.get("reason", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected(code=ErrorCode.WEBHOOK_MALFORMED) from exc

    def transactions(self, on: date) -> list[GatewayTransaction]:
        return [
            GatewayTransaction(
                ref=row.ref,
                order=row.order,
                amount_tiyn=row.amount_tiyn,
                state=sandbox_state(row),
                refunded_tiyn=row.refunded_tiyn,
            )
            for row in SandboxTransaction.objects.filter(day=on).order_by("id")
        ]

    def check_config(self) -> list[str]:
        problems = []
        if not settings.QYZMET_PAYMENT_SANDBOX_SECRET:
            problems.append("QYZMET_PAYMENT_SANDBOX_SECRET is not set")
        if not settings.QYZMET_DEMO:
            problems.append("the sandbox gateway runs only in demo mode")
        return problems
