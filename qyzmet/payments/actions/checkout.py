"""Checkout: one payment for one or several unpaid invoices of a person, registered at the
gateway, the payer sent to the gateway's page.

Creating a payment needs an Idempotency-Key; the same key returns the same payment.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict
from qyzmet.core.idempotency import idempotency_key_check, idempotent
from qyzmet.identity.models import Account, Person
from qyzmet.payments.access import person_of
from qyzmet.payments.actions.moves import payment_move, payment_move_locked
from qyzmet.payments.choice import invoice_ids_parse, invoice_not_found, invoice_payable_check
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Invoice, Payment, PaymentItem
from qyzmet.payments.providers.gateway import GatewayError, default_gateway
from qyzmet.payments.selectors import invoice_amount
from qyzmet.payments.states import OPEN, PaymentReason

logger = logging.getLogger(__name__)
S = Payment.State


CREATE = "payments.create"


def payment_create(
    *,
    account: Account,
    invoice_ids: list[str],
    idempotency_key: str,
    return_url: str = "",
) -> Payment:
    """Pay the invoices the payer chose, each an unpaid one of the account's person, in one
    payment: exactly those, never more (no ids is a field error). The same Idempotency-Key again
    returns the same payment; with other invoices it is a conflict."""
    key = idempotency_key_check(key=idempotency_key)
    person = person_of(account)
    ids = invoice_ids_parse(invoice_ids)
    gateway = default_gateway()
    payment, new = idempotent(
        owner=account, key=key, scope=CREATE, payload={"invoices": ids, "gateway": gateway.name},
        run=lambda: (_payment_new(person, ids, gateway.name), True),
        remember=lambda made: str(made[0].pk),
        recall=lambda pk: (Payment.objects.get(pk=pk), False),
    )  # fmt: skip
    if not new:
        return payment
    # The gateway is called outside our transaction: a slow bank holds no locks of ours.
    try:
        created = gateway.create(payment, return_url=return_url or f"/payments/p/{payment.id}/")
    except GatewayError:
        logger.warning("gateway refused a payment", extra={"payment": str(payment.id)})
        return payment_move(
            payment_id=str(payment.id),
            to_state=S.FAILED,
            reason=PaymentReason.GATEWAY_ERROR,
            source="create",
        )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.gateway_ref, locked.redirect_url = created.ref, created.redirect_url
        if locked.state == S.CREATED:
            payment_move_locked(payment=locked, to_state=S.PENDING, reason="", source="create",
                                also=("gateway_ref", "redirect_url"))  # fmt: skip
        else:  # a notification overtook us and moved it already
            locked.save(update_fields=["gateway_ref", "redirect_url"])
    return locked


def _payment_new(person: Person, ids: list[str], gateway: str) -> Payment:
    """The new payment, its invoices locked (a copy of the request with the same key waits on
    the key, see `core.idempotency`; one with another key waits here)."""
    invoices = list(
        Invoice.objects.select_for_update().filter(pk__in=ids, payer=person).order_by("pk")
    )
    if len(invoices) != len(ids):
        raise invoice_not_found()
    for invoice in invoices:
        invoice_payable_check(invoice)
    open_item = (
        PaymentItem.objects.filter(invoice__in=invoices, payment__state__in=OPEN)
        .values_list("payment_id", flat=True)
        .first()
    )
    if open_item is not None:
        raise Conflict(
            _("A payment for this invoice is already in progress. Finish or wait for it."),
            code=ErrorCode.PAYMENT_IN_PROGRESS,
            details={"payment": str(open_item)},
        )
    today = local_today()
    amounts = [(invoice, invoice_amount(invoice, on=today)) for invoice in invoices]
    payment = Payment.objects.create(
        payer=person, gateway=gateway, amount_tiyn=sum(amount for _, amount in amounts)
    )
    PaymentItem.objects.bulk_create(
        [PaymentItem(payment=payment, invoice=i, amount_tiyn=amount) for i, amount in amounts]
    )
    return payment
