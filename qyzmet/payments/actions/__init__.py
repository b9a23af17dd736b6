"""Writes of the payments app, one module per concept:

- `invoices`: an invoice per purpose (duties, fines, utility bills), cancelling;
- `checkout`: a payment for some invoices, registered at the gateway;
- `moves`: a payment's moves by the state machine, the credit and the payer's message;
- `webhooks`: what gateways tell us (notifications, status queries) and the sweep of late ones;
- `refunds`: money back through the gateway.

Exactness under retries and crashes rests on three things:
- creating a payment needs an Idempotency-Key; the same key returns the same payment;
- every gateway notification is recorded by (provider, event id) in the same transaction as
  its effect, so a notification delivered again changes nothing;
- the payment row is locked and moved by the table in `states`; crediting (invoices paid, one
  receipt, the paid hooks enqueued) happens only on the move to `succeeded`, which happens once.

The names callers use are importable from here.
"""

from qyzmet.payments.access import access_invoice_by_id, access_payment_by_id, person_of
from qyzmet.payments.actions.checkout import payment_create
from qyzmet.payments.actions.invoices import fine_issue, invoice_cancel, invoice_create
from qyzmet.payments.actions.moves import payment_move, payment_move_locked
from qyzmet.payments.actions.refunds import invoice_refund
from qyzmet.payments.actions.webhooks import (
    SweepReport,
    WebhookOutcome,
    WebhookResult,
    payment_refresh,
    payments_sweep,
    webhook_receive,
)
from qyzmet.payments.selectors import invoice_amount

__all__ = [
    "SweepReport",
    "WebhookOutcome",
    "WebhookResult",
    "access_invoice_by_id",
    "access_payment_by_id",
    "fine_issue",
    "invoice_amount",
    "invoice_cancel",
    "invoice_create",
    "invoice_refund",
    "payment_create",
    "payment_move",
    "payment_move_locked",
    "payment_refresh",
    "payments_sweep",
    "person_of",
    "webhook_receive",
]
