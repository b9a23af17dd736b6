"""The sandbox bank's own side, for the demo and the tests: its hosted card page and the signed
notifications it sends to our webhook action, as a real bank sends them over the network.

It sits above the actions (it calls `webhook_receive`, as the bank calls our endpoint); the
gateway our actions talk to is `qyzmet.payments.providers.sandbox`, which never imports this.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.payments.actions.webhooks import webhook_receive
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Payment, SandboxTransaction
from qyzmet.payments.providers.sandbox import (
    AWAITING_CARD,
    NAME,
    TEST_CARDS,
    luhn_ok,
    sandbox_state,
    sign,
)

logger = logging.getLogger(__name__)

S = Payment.State


def _card_refused(message: str, code: ErrorCode, field_message: str) -> ValidationFailed:
    return ValidationFailed(
        message,
        code=code,
        details={"fields": [{"field": "card_number", "message": field_message}]},
    )


def sandbox_transaction_get(*, ref: str) -> SandboxTransaction:
    row = SandboxTransaction.objects.filter(ref=ref).first()
    if row is None:
        raise NotFound()
    return row


def sandbox_card_submit(*, ref: str, card_number: str) -> SandboxTransaction:
    """The payer typed a card on the bank's page. The outcome is notified after commit."""
    number = "".join(card_number.split()).replace("-", "")
    if not luhn_ok(number):
        raise _card_refused(
            _("This card number is not valid."), ErrorCode.CARD_NUMBER, _("Check the card number.")
        )
    if number not in TEST_CARDS:
        raise _card_refused(
            _("The sandbox accepts only its test cards."),
            ErrorCode.CARD_NOT_TEST,
            _("Use a test card."),
        )
    outcome, reason = TEST_CARDS[number]
    with transaction.atomic():
        row = SandboxTransaction.objects.select_for_update().filter(ref=ref).first()
        if row is None:
            raise NotFound()
        if row.status != AWAITING_CARD:
            raise Conflict(_("This payment page was already used."), code=ErrorCode.SANDBOX_USED)
        row.status, row.reason, row.card_last4 = outcome, reason, number[-4:]
        row.updated_at = timezone.now()
        row.save(update_fields=["status", "reason", "card_last4", "updated_at"])
        # The notification is a task row written with the bank's decision: both or neither.
        if outcome == S.PENDING:
            delay = timedelta(seconds=settings.QYZMET_PAYMENT_SANDBOX_DELAY_SECONDS)
            sandbox_settle_task.using(run_after=timezone.now() + delay).enqueue(ref)
        else:
            sandbox_notify_task.enqueue(ref, 1)
    return row


def notification(ref: str) -> bytes:
    """The body of the notification of a transaction's present state."""
    row = SandboxTransaction.objects.get(ref=ref)
    state = sandbox_state(row)
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
    body = notification(ref)
    result = webhook_receive(provider=NAME, body=body, headers=sign(body))
    return {"outcome": result.outcome}


@task()
def sandbox_notify_task(ref: str, attempt: int = 1) -> dict[str, Any]:
    """Like a real gateway: an error answer means "try again later", a few times (the worker's
    one retry policy, `qyzmet.core.retries`). `attempt` is read no more."""
    return sandbox_notify(ref)


@task()
def sandbox_settle_task(ref: str) -> dict[str, Any]:
    """The delayed card: the bank decides later (accepts), then notifies."""
    with transaction.atomic():
        row = SandboxTransaction.objects.select_for_update().get(ref=ref)
        if row.status == S.PENDING:
            row.status = S.SUCCEEDED
            row.updated_at = timezone.now()
            row.save(update_fields=["status", "updated_at"])
    return sandbox_notify(ref)
