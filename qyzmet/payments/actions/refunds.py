"""Refunds: what was paid for a refundable invoice goes back through the gateway it came by."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.core.errors import Conflict, NotFound
from qyzmet.core.ids import uuid_or_none
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import notification_recipient
from qyzmet.notifications.actions import notify
from qyzmet.payments.access import NO_ID
from qyzmet.payments.actions.moves import payment_move_locked
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Invoice, Payment, PaymentItem, Refund
from qyzmet.payments.providers.gateway import get_gateway

S = Payment.State


def invoice_refund(*, invoice_id: str, reason: str = "") -> Refund:
    """Return what was paid for a refundable invoice through the gateway it was paid through.
    The payment becomes `refunded` when all its invoices are."""
    with transaction.atomic():
        key = uuid_or_none(invoice_id) or NO_ID
        invoice = Invoice.objects.select_for_update().filter(pk=key).first()
        if invoice is None:
            raise NotFound(_("This invoice was not found."), code=ErrorCode.INVOICE_NOT_FOUND)
        if invoice.status != Invoice.Status.PAID:
            raise Conflict(
                _("Only a paid invoice can be refunded."), code=ErrorCode.INVOICE_NOT_PAID
            )
        if not invoice.refundable:
            raise Conflict(
                _("This payment is not refundable under the service's rules."),
                code=ErrorCode.INVOICE_NOT_REFUNDABLE,
            )
        item = (
            PaymentItem.objects.filter(invoice=invoice, payment__state=S.SUCCEEDED)
            .select_related("payment")
            .first()
        )
        if item is None:
            raise Conflict(
                _("Only a paid invoice can be refunded."), code=ErrorCode.INVOICE_NOT_PAID
            )
        payment = Payment.objects.select_for_update().get(pk=item.payment_id)
        # Inside the lock on purpose: two refunds of one invoice must never both reach the bank.
        ref = get_gateway(payment.gateway).refund(payment.gateway_ref, amount_tiyn=item.amount_tiyn)
        refund = Refund.objects.create(
            payment=payment, invoice=invoice, amount_tiyn=item.amount_tiyn, gateway_ref=ref,
            reason=reason[:200],
        )  # fmt: skip
        invoice.status = Invoice.Status.REFUNDED
        invoice.save(update_fields=["status"])
        remaining = payment.items.exclude(invoice__status=Invoice.Status.REFUNDED).exists()
        if not remaining:
            payment_move_locked(payment=payment, to_state=S.REFUNDED, reason="", source="refund")
        _refund_tell(refund, invoice)
    return refund


def _refund_tell(refund: Refund, invoice: Invoice) -> None:
    """Tell the payer what comes back and for what (inbox, SMS…), through the outbox, in the
    refund's transaction."""
    account = Account.objects.filter(person_id=invoice.payer_id, is_active=True).first()
    if account is None:
        return
    context = {
        "amount_tiyn": refund.amount_tiyn,  # formatted in the recipient's language by the event
        # in every language: the message is rendered in the reader's
        "what": dict(invoice.description) or invoice.purpose_ref,
        "link": f"/payments/p/{refund.payment_id}/",
    }
    notify(
        recipient=notification_recipient(account=account), event="payment.refunded",
        context=context, dedupe_key=f"refund:{refund.pk}",
    )  # fmt: skip
