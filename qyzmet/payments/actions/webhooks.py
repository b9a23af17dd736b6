"""What gateways tell us about payments: their notifications (webhooks) and the answers to our
status queries, applied to the payment under its row lock by the state machine.

Every notification is recorded by (provider, event id) in the same transaction as its effect, so
a notification delivered again changes nothing. The effect of a success is the credit only
(`actions.moves`): what the layers above do on a paid invoice runs later, in a task, so a
failure there never fails the bank's call.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from qyzmet.core.errors import NotFound, QyzmetError
from qyzmet.core.ids import uuid_or_none
from qyzmet.payments.access import NO_ID
from qyzmet.payments.actions.moves import payment_move_locked
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Payment, WebhookEvent
from qyzmet.payments.providers.gateway import GatewayStatus, get_gateway
from qyzmet.payments.states import OPEN, PaymentReason, move_allowed

logger = logging.getLogger(__name__)
S = Payment.State
# The states a gateway reports that may move a payment.
GATEWAY_STATES = frozenset({S.SUCCEEDED, S.DECLINED, S.FAILED, S.PENDING})


class WebhookOutcome(StrEnum):
    """What became of a gateway's notification or status answer."""

    MOVED = "moved"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    REFUSED = "refused"  # the state machine does not allow the move
    UNKNOWN_PAYMENT = "unknown_payment"
    IGNORED = "ignored"  # a state a gateway does not report
    REF_MISMATCH = "ref_mismatch"
    AMOUNT_MISMATCH = "amount_mismatch"


Outcome = WebhookOutcome


@dataclass(frozen=True)
class WebhookResult:
    outcome: WebhookOutcome
    payment_id: str | None = None


def webhook_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """Take in a gateway notification: verify it, take each event once, move the payment."""
    try:
        gateway = get_gateway(provider)
    except ImproperlyConfigured:
        raise NotFound(code=ErrorCode.GATEWAY_UNKNOWN) from None
    event = gateway.verify_webhook(body, headers)
    seen = WebhookEvent.objects.filter(provider=provider, event_id=event.event_id)
    try:
        with transaction.atomic():
            # The payment's row lock orders the deliveries of its events: a second copy of this
            # event waits here, then finds the first one's record.
            key = uuid_or_none(event.order) or NO_ID
            payment = Payment.objects.select_for_update().filter(pk=key, gateway=provider).first()
            if seen.exists():
                return WebhookResult(outcome=Outcome.DUPLICATE)
            outcome = _apply(payment, event, source=f"webhook:{provider}")
            WebhookEvent.objects.create(
                provider=provider,
                event_id=event.event_id,
                body_sha256=hashlib.sha256(body).hexdigest(),
                payment=payment,
                outcome=outcome,
                processed_at=timezone.now(),
            )
    except IntegrityError:
        # The same event at the same moment elsewhere, for no payment of ours (no row lock to
        # order them): the other copy's record stands.
        if not seen.exists():
            raise
        return WebhookResult(outcome=Outcome.DUPLICATE)
    if outcome not in (Outcome.MOVED, Outcome.UNCHANGED):
        logger.warning("webhook not applied", extra={"event": event.event_id, "outcome": outcome})
    return WebhookResult(outcome=outcome, payment_id=str(payment.pk) if payment else None)


def _apply(payment: Payment | None, answer: GatewayStatus, *, source: str) -> WebhookOutcome:
    """Apply what the gateway says about a locked payment."""
    state = answer.state
    if payment is None:
        return Outcome.UNKNOWN_PAYMENT
    if state not in GATEWAY_STATES:
        return Outcome.IGNORED
    if payment.gateway_ref and payment.gateway_ref != answer.ref:
        return Outcome.REF_MISMATCH
    if state == S.SUCCEEDED and answer.amount_tiyn != payment.amount_tiyn:
        return Outcome.AMOUNT_MISMATCH
    if not payment.gateway_ref:  # the notification overtook the create's answer
        payment.gateway_ref = answer.ref
        payment.save(update_fields=["gateway_ref"])
    if payment.state == state:
        return Outcome.UNCHANGED
    if not move_allowed(payment.state, state):
        return Outcome.REFUSED
    reason = answer.reason if state in (S.DECLINED, S.FAILED) else ""
    payment_move_locked(payment=payment, to_state=state, reason=reason, source=source)
    return Outcome.MOVED


def payment_refresh(*, payment_id: str) -> Payment:
    """Ask the gateway about an open payment and apply the answer; expire it when too old."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.state not in OPEN and payment.state != S.EXPIRED:
        return payment
    answer = None
    if payment.gateway_ref:
        answer = get_gateway(payment.gateway).status(payment.gateway_ref)
    expire_before = timezone.now() - timedelta(minutes=settings.QYZMET_PAYMENT_EXPIRE_MINUTES)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if answer is not None and answer.state in (S.SUCCEEDED, S.DECLINED, S.FAILED):
            _apply(payment, answer, source="refresh")
        elif payment.state in OPEN and payment.created_at < expire_before:
            payment_move_locked(
                payment=payment, to_state=S.EXPIRED, reason=PaymentReason.TIMEOUT, source="refresh"
            )
    return payment


@dataclass(frozen=True)
class SweepReport:
    checked: int
    changed: int


def payments_sweep() -> SweepReport:
    """Refresh the payments that have waited too long for their notification."""
    stale = timezone.now() - timedelta(seconds=settings.QYZMET_PAYMENT_REFRESH_AFTER_SECONDS)
    ids = list(
        Payment.objects.filter(state__in=OPEN, updated_at__lt=stale)
        .order_by("updated_at")
        .values_list("pk", "state")[:500]
    )
    changed = 0
    for pk, state in ids:
        try:
            if payment_refresh(payment_id=str(pk)).state != state:
                changed += 1
        except QyzmetError:
            logger.warning("payment refresh failed", extra={"payment": str(pk)})
    return SweepReport(checked=len(ids), changed=changed)
