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
`QYZMET_PAYMENT_SANDBOX_SECRET`) and delivered by a task that calls the same action as
`POST /api/v1/payments/webhooks/sandbox`, without the network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.payments.models import SandboxTransaction
from qyzmet.payments.providers.gateway import (
    DECLINED,
    FAILED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    GatewayCreated,
    GatewayError,
    GatewayEvent,
    GatewayStatus,
    GatewayTransaction,
    WebhookRejected,
    register,
)

if TYPE_CHECKING:
    from qyzmet.payments.models import Payment

logger = logging.getLogger(__name__)

NAME = "sandbox"
AWAITING_CARD = "awaiting_card"
CARD_ACCEPT = "4242424242424242"
CARD_DECLINE = "4000000000000002"
CARD_DELAY = "4000000000000036"
CARD_FAIL = "4000000000000119"
TEST_CARDS = {
    CARD_ACCEPT: (SUCCEEDED, ""),
    CARD_DECLINE: (DECLINED, "insufficient_funds"),
    CARD_DELAY: (PENDING, ""),
    CARD_FAIL: (FAILED, "gateway_error"),
}
SIGNATURE_HEADER = "Sandbox-Signature"
DELIVERY_ATTEMPTS = 5


def _secret() -> bytes:
    secret: str = settings.QYZMET_PAYMENT_SANDBOX_SECRET
    if not secret:
        raise WebhookRejected(code="webhook_not_configured")
    return secret.encode()


def sign(body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers a sandbox notification carries."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(_secret(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"t={stamp},v1={digest}"}


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


@register(NAME)
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
            raise GatewayError(code="gateway_unknown_ref")
        state = PENDING if row.status == AWAITING_CARD else row.status
        return GatewayStatus(ref=ref, state=state, amount_tiyn=row.amount_tiyn, reason=row.reason)

    def refund(self, ref: str, *, amount_tiyn: int) -> str:
        with transaction.atomic():
            row = SandboxTransaction.objects.select_for_update().filter(ref=ref).first()
            if row is None or row.status not in (SUCCEEDED, REFUNDED):
                raise GatewayError(code="gateway_refund_refused")
            if amount_tiyn <= 0 or row.refunded_tiyn + amount_tiyn > row.amount_tiyn:
                raise GatewayError(code="gateway_refund_refused")
            row.refunded_tiyn += amount_tiyn
            if row.refunded_tiyn == row.amount_tiyn:
                row.status = REFUNDED
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
            raise WebhookRejected(code="webhook_signature")
        expected = hmac.new(_secret(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            raise WebhookRejected(code="webhook_signature")
        tolerance = settings.QYZMET_PAYMENT_WEBHOOK_TOLERANCE_SECONDS
        if abs(time.time() - int(stamp)) > tolerance:
            raise WebhookRejected(code="webhook_too_old")
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
            raise WebhookRejected(code="webhook_malformed") from exc

    def transactions(self, on: date) -> list[GatewayTransaction]:
        return [
            GatewayTransaction(
                ref=row.ref,
                order=row.order,
                amount_tiyn=row.amount_tiyn,
                state=PENDING if row.status == AWAITING_CARD else row.status,
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


# --- The bank's side: the hosted card page and the notifications ------------------------------


def sandbox_transaction_get(*, ref: str) -> SandboxTransaction:
    row = SandboxTransaction.objects.filter(ref=ref).first()
    if row is None:
        raise NotFound()
    return row


def sandbox_card_submit(*, ref: str, card_number: str) -> SandboxTransaction:
    """The payer typed a card on the bank's page. The outcome is notified after commit."""
    number = "".join(card_number.split()).replace("-", "")
    if not luhn_ok(number):
        raise ValidationFailed(
            _("This card number is not valid."),
            code="card_number",
            details={"fields": [{"field": "card_number", "message": _("Check the card number.")}]},
        )
    if number not in TEST_CARDS:
        raise ValidationFailed(
            _("The sandbox accepts only its test cards."),
            code="card_not_test",
            details={"fields": [{"field": "card_number", "message": _("Use a test card.")}]},
        )
    outcome, reason = TEST_CARDS[number]
    with transaction.atomic():
        row = SandboxTransaction.objects.select_for_update().filter(ref=ref).first()
        if row is None:
            raise NotFound()
        if row.status != AWAITING_CARD:
            raise Conflict(_("This payment page was already used."), code="sandbox_used")
        row.status, row.reason, row.card_last4 = outcome, reason, number[-4:]
        row.updated_at = timezone.now()
        row.save(update_fields=["status", "reason", "card_last4", "updated_at"])
        # The notification is a task row written with the bank's decision: both or neither.
        if outcome == PENDING:
            delay = timedelta(seconds=settings.QYZMET_PAYMENT_SANDBOX_DELAY_SECONDS)
            sandbox_settle_task.using(run_after=timezone.now() + delay).enqueue(ref)
        else:
            sandbox_notify_task.enqueue(ref, 1)
    return row


def notification(ref: str) -> bytes:
    """The body of the notification of a transaction's present state."""
    row = SandboxTransaction.objects.get(ref=ref)
    state = PENDING if row.status == AWAITING_CARD else row.status
    payload: dict[str, Any] = {
        "id": f"evt_{row.ref}_{state}",
        "ref": row.ref,
        "order": row.order,
        "state": state,
        "amount_tiyn": row.amount_tiyn,
        "reason": row.reason,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def sandbox_notify(ref: str) -> dict[str, Any]:
    """Deliver the signed notification of `ref` to our webhook action, as the bank would."""
    from qyzmet.payments.actions import webhook_receive  # the bank calls us: no import cycle

    body = notification(ref)
    result = webhook_receive(provider=NAME, body=body, headers=sign(body))
    return {"outcome": result.outcome}


@task()
def sandbox_notify_task(ref: str, attempt: int = 1) -> dict[str, Any]:
    try:
        return sandbox_notify(ref)
    except Exception:
        # Like a real gateway: an error answer means "try again later", a few times.
        if attempt < DELIVERY_ATTEMPTS:
            later = timezone.now() + timedelta(seconds=30 * attempt)
            sandbox_notify_task.using(run_after=later).enqueue(ref, attempt + 1)
        logger.exception("sandbox notification failed", extra={"ref": ref, "attempt": attempt})
        raise


@task()
def sandbox_settle_task(ref: str) -> dict[str, Any]:
    """The delayed card: the bank decides later (accepts), then notifies."""
    with transaction.atomic():
        row = SandboxTransaction.objects.select_for_update().get(ref=ref)
        if row.status == PENDING:
            row.status = SUCCEEDED
            row.updated_at = timezone.now()
            row.save(update_fields=["status", "updated_at"])
    return sandbox_notify(ref)
