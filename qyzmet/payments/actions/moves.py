"""A payment's moves by the state machine (`qyzmet.payments.states`) and what a move causes:
the credit on `succeeded` (invoices paid, one receipt, the paid hooks enqueued) and the payer's
message, all in the mover's transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.errors import NotFound
from qyzmet.core.ids import uuid_or_none
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import notification_recipient
from qyzmet.notifications.actions import notify
from qyzmet.payments.access import NO_ID
from qyzmet.payments.codes import code_new
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.hooks import paid_hooks_enqueue
from qyzmet.payments.models import Invoice, Payment, PaymentEvent, Receipt
from qyzmet.payments.selectors import description_in
from qyzmet.payments.states import move_check

logger = logging.getLogger(__name__)
S = Payment.State


def payment_move(*, payment_id: str, to_state: str, reason: str = "", source: str) -> Payment:
    """Move a payment by the state machine (an impossible move is a `Conflict`)."""
    with transaction.atomic():
        key = uuid_or_none(payment_id) or NO_ID
        payment = Payment.objects.select_for_update().filter(pk=key).first()
        if payment is None:
            raise NotFound(_("This payment was not found."), code=ErrorCode.PAYMENT_NOT_FOUND)
        payment_move_locked(payment=payment, to_state=to_state, reason=reason, source=source)
    return payment


def payment_move_locked(
    *, payment: Payment, to_state: str, reason: str, source: str, also: tuple[str, ...] = ()
) -> bool:
    """Move a payment the caller has locked (saving the fields in `also` with it); credit it on
    success. False when it is already there."""
    if payment.state == to_state:
        return False
    move_check(payment.state, to_state)
    from_state, now = payment.state, timezone.now()
    payment.state, payment.reason, payment.updated_at = to_state, reason, now
    payment.save(update_fields=["state", "reason", "updated_at", *also])
    PaymentEvent.objects.create(
        payment=payment,
        from_state=from_state,
        to_state=to_state,
        source=source,
        reason=reason,
        created_at=now,
    )
    if to_state == S.SUCCEEDED:
        _credit(payment, now)
        _tell(payment, "payment.succeeded")
    elif to_state == S.DECLINED:
        _tell(payment, "payment.declined")
    return True


def _tell(payment: Payment, event: str) -> None:
    """Tell the payer, through the notifications outbox, in this transaction."""
    account = Account.objects.filter(person_id=payment.payer_id, is_active=True).first()
    if account is None:
        return
    invoices = [item.invoice for item in payment.items.select_related("invoice").order_by("id")]
    # in every language: the inbox shows the message in the reader's language when read
    what = {
        language: description_in(invoices[0], language) if invoices else ""
        for language in ("kk", "ru", "en")
    }
    if len(invoices) > 1:
        what = {language: f"{text} (+{len(invoices) - 1})" for language, text in what.items()}
    receipt = Receipt.objects.filter(payment=payment).first()
    context = {
        "amount_tiyn": payment.amount_tiyn,  # formatted in the recipient's language by the event
        "what": what,
        "link": f"/payments/p/{payment.pk}/",
        "receipt": receipt.code if receipt else "",
    }
    recipient = notification_recipient(account=account)
    notify(recipient=recipient, event=event, context=context,
           dedupe_key=f"payment:{payment.pk}:{event}")  # fmt: skip
    if receipt is not None:
        notify(recipient=recipient, event="payment.receipt", context=context,
               dedupe_key=f"payment:{payment.pk}:receipt")  # fmt: skip


def _credit(payment: Payment, now: datetime) -> None:
    """Mark the payment's invoices paid, issue its receipt, and enqueue what the layers above do
    on a paid invoice (never run here: a failure above payments must not undo the credit)."""
    for item in payment.items.select_related("invoice").order_by("id"):
        invoice = item.invoice
        updated = Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.UNPAID).update(
            status=Invoice.Status.PAID, paid_tiyn=item.amount_tiyn, paid_at=now
        )
        if not updated:
            # Paid twice (a late success after the payer paid again): the money is flagged for
            # an officer to return; the invoice stays as it is.
            logger.error(
                "invoice credited twice", extra={"payment": str(payment.pk), "invoice": invoice.pk}
            )
            continue
        paid_hooks_enqueue(invoice)
    Receipt.objects.create(code=code_new(), payment=payment, issued_at=now)
