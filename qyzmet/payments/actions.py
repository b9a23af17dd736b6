"""Writes of the payments app: invoices, payments, webhooks, status queries, refunds.

Exactness under retries and crashes rests on three things:
- creating a payment needs an Idempotency-Key; the same key returns the same payment;
- every gateway notification is recorded by (provider, event id) in the same transaction as
  its effect, so a notification delivered again changes nothing;
- the payment row is locked and moved by the table in `states`; crediting (invoices paid, one
  receipt, the paid-hooks) happens only on the move to `succeeded`, which happens once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, NotFound, QyzmetError, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.core.mci import fee_tiyn
from qyzmet.identity.models import Account, Person
from qyzmet.identity.selectors import notification_recipient, person_get_by_iin
from qyzmet.notifications.actions import notify
from qyzmet.payments.codes import code_new
from qyzmet.payments.hooks import paid_hooks_run
from qyzmet.payments.models import (
    Invoice,
    Payment,
    PaymentEvent,
    PaymentItem,
    PaymentKey,
    Receipt,
    Refund,
    WebhookEvent,
)
from qyzmet.payments.providers.gateway import (
    DECLINED,
    FAILED,
    PENDING,
    SUCCEEDED,
    GatewayError,
    default_gateway,
    get_gateway,
)
from qyzmet.payments.states import OPEN, move_allowed, move_check

logger = logging.getLogger(__name__)
S = Payment.State
NO_ID = "00000000-0000-0000-0000-000000000000"  # matches nothing: a lookup of a non-UUID
GATEWAY_STATES = frozenset({SUCCEEDED, DECLINED, FAILED, PENDING})


class CreditFailed(QyzmetError):
    """A paid-hook failed: the credit rolled back; the gateway will deliver the event again."""

    code = "credit_failed"
    status = 503
    default_message = gettext_lazy("The payment could not be credited yet; it will be retried.")


# --- Access -------------------------------------------------------------------------------------


def person_of(account: Account) -> Person:
    person = account.person
    if person is None:
        raise NotFound(_("This account is not linked to a person."), code="no_person")
    return person


def access_invoice_by_id(*, account: Account, invoice_id: str) -> Invoice:
    """The account's own invoice; someone else's is "not found", exactly like a missing one."""
    key = uuid_or_none(invoice_id)
    invoice = (
        Invoice.objects.filter(pk=key, payer_id=account.person_id).first()
        if key and account.person_id
        else None
    )
    if invoice is None:
        raise NotFound(_("This invoice was not found."), code="invoice_not_found")
    return invoice


def access_payment_by_id(*, account: Account, payment_id: str) -> Payment:
    key = uuid_or_none(payment_id)
    payment = (
        Payment.objects.filter(pk=key, payer_id=account.person_id).first()
        if key and account.person_id
        else None
    )
    if payment is None:
        raise NotFound(_("This payment was not found."), code="payment_not_found")
    return payment


# --- Invoices -----------------------------------------------------------------------------------


def invoice_amount(invoice: Invoice, *, on: date) -> int:
    """What the invoice costs when paid on `on`: its fixed amount, or its MCI multiple at the MCI
    in force that day."""
    if invoice.amount_tiyn is not None:
        return invoice.amount_tiyn
    assert invoice.mci_multiple is not None  # noqa: S101 - a check constraint guarantees it
    return fee_tiyn(mci_multiple=Decimal(invoice.mci_multiple), on=on)


def invoice_create(
    *,
    payer: Person,
    kind: str,
    purpose_ref: str,
    description: Mapping[str, str],
    amount_tiyn: int | None = None,
    mci_multiple: Decimal | str | None = None,
    due_date: date | None = None,
    refundable: bool = False,
) -> Invoice:
    """An invoice for one purpose. Asking again for the same purpose returns the same invoice."""
    if kind not in Invoice.Kind.values:
        raise ValidationFailed(code="invoice_kind")
    if (amount_tiyn is None) == (mci_multiple is None):
        raise ValidationFailed(
            _("Give either an amount or a multiple of the MCI."), code="invoice_amount"
        )
    if amount_tiyn is not None and (
        isinstance(amount_tiyn, bool) or not isinstance(amount_tiyn, int) or amount_tiyn <= 0
    ):
        raise ValidationFailed(_("An amount is a whole positive number of tiyn."), code="amount")
    multiple = None
    if mci_multiple is not None:
        if isinstance(mci_multiple, float):
            raise TypeError("pass the MCI multiple as a Decimal or a string, never a float")
        multiple = Decimal(mci_multiple)
        if not multiple.is_finite() or multiple <= 0:
            raise ValidationFailed(
                _("An amount is a whole positive number of tiyn."), code="amount"
            )
    if not purpose_ref or len(purpose_ref) > 200:
        raise ValidationFailed(code="purpose_ref")
    existing = _live_invoice(purpose_ref)
    if existing is not None:
        return _same_payer(existing, payer)
    try:
        with transaction.atomic():
            return Invoice.objects.create(
                payer=payer,
                kind=kind,
                purpose_ref=purpose_ref,
                description=dict(description),
                amount_tiyn=amount_tiyn,
                mci_multiple=multiple,
                due_date=due_date,
                refundable=refundable,
            )
    except IntegrityError:  # created at the same moment elsewhere
        existing = _live_invoice(purpose_ref)
        if existing is None:
            raise
        return _same_payer(existing, payer)


def _live_invoice(purpose_ref: str) -> Invoice | None:
    return (
        Invoice.objects.filter(purpose_ref=purpose_ref)
        .exclude(status=Invoice.Status.CANCELLED)
        .first()
    )


def _same_payer(invoice: Invoice, payer: Person) -> Invoice:
    if invoice.payer_id != payer.pk:
        raise Conflict(_("This purpose is already invoiced to someone else."), code="invoice_ref")
    return invoice


def invoice_cancel(*, invoice_id: str) -> Invoice:
    """Cancel an unpaid invoice (an application withdrawn, a fine annulled)."""
    updated = Invoice.objects.filter(pk=invoice_id, status=Invoice.Status.UNPAID).update(
        status=Invoice.Status.CANCELLED
    )
    if not updated:
        raise Conflict(_("Only an unpaid invoice can be cancelled."), code="invoice_not_unpaid")
    return Invoice.objects.get(pk=invoice_id)


def fine_issue(
    *,
    iin: str,
    number: str,
    mci_multiple: Decimal | str,
    description: Mapping[str, str],
    due_date: date | None = None,
) -> Invoice:
    """A fine (demo and administrators): payable by the person, in MCI on the payment day."""
    person = person_get_by_iin(iin=iin)
    if person is None:
        raise NotFound(_("No person with this IIN."), code="person_not_found")
    return invoice_create(
        payer=person,
        kind=Invoice.Kind.FINE,
        purpose_ref=f"fine:{number}",
        description=description,
        mci_multiple=mci_multiple,
        due_date=due_date,
    )


# --- Payments -----------------------------------------------------------------------------------


def _request_hash(invoice_ids: list[str], gateway: str) -> str:
    text = json.dumps({"invoices": invoice_ids, "gateway": gateway}, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def payment_create(
    *,
    account: Account,
    invoice_ids: list[str],
    idempotency_key: str,
    return_url: str = "",
) -> Payment:
    """Pay one or several unpaid invoices of the account's person in one payment. The same
    Idempotency-Key again returns the same payment; with other invoices it is a conflict."""
    if not idempotency_key or len(idempotency_key) > 100:
        raise ValidationFailed(
            _("Send an Idempotency-Key header (up to 100 characters)."), code="idempotency_key"
        )
    person = person_of(account)
    ids = sorted({uuid_or_none(i) or "" for i in invoice_ids})
    if not ids or "" in ids:
        raise ValidationFailed(
            _("Choose at least one invoice to pay."),
            code="invoices",
            details={"fields": [{"field": "invoices", "message": _("Choose invoices to pay.")}]},
        )
    gateway = default_gateway()
    request_hash = _request_hash(ids, gateway.name)
    try:
        with transaction.atomic():
            payment, new = _payment_new(person, ids, gateway.name, idempotency_key, request_hash)
    except IntegrityError:  # the same key at the same moment from elsewhere
        earlier = _earlier(person, idempotency_key, request_hash)
        if earlier is None:
            raise
        return earlier
    if not new:
        return payment
    # The gateway is called outside our transaction: a slow bank holds no locks of ours.
    try:
        created = gateway.create(payment, return_url=return_url or f"/payments/p/{payment.id}/")
    except GatewayError:
        logger.warning("gateway refused a payment", extra={"payment": str(payment.id)})
        return payment_move(payment_id=str(payment.id), to_state=S.FAILED, reason="gateway_error",
                            source="create")  # fmt: skip
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.gateway_ref, locked.redirect_url = created.ref, created.redirect_url
        if locked.state == S.CREATED:
            _move(locked, S.PENDING, reason="", source="create",
                  also=["gateway_ref", "redirect_url"])  # fmt: skip
        else:  # a notification overtook us and moved it already
            locked.save(update_fields=["gateway_ref", "redirect_url"])
    return locked


def _earlier(person: Person, key: str, request_hash: str) -> Payment | None:
    earlier = PaymentKey.objects.filter(payer=person, key=key).select_related("payment").first()
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise Conflict(
            _("This Idempotency-Key was used for another request."), code="idempotency_reused"
        )
    return earlier.payment


def _payment_new(
    person: Person, ids: list[str], gateway: str, key: str, request_hash: str
) -> tuple[Payment, bool]:
    """The new payment (True), or the one the same key made before (False). The key is looked
    up after the invoices are locked, so a copy of the request that waited for the locks finds
    the payment the first one made."""
    invoices = list(
        Invoice.objects.select_for_update().filter(pk__in=ids, payer=person).order_by("pk")
    )
    earlier = _earlier(person, key, request_hash)
    if earlier is not None:
        return earlier, False
    if len(invoices) != len(ids):
        raise NotFound(_("One of these invoices was not found."), code="invoice_not_found")
    for invoice in invoices:
        if invoice.status in (Invoice.Status.PAID, Invoice.Status.REFUNDED):
            raise Conflict(
                _("This invoice is already paid."),
                code="invoice_paid",
                details={"invoice": str(invoice.pk)},
            )
        if invoice.status == Invoice.Status.CANCELLED:
            raise Conflict(
                _("This invoice was cancelled and cannot be paid."),
                code="invoice_cancelled",
                details={"invoice": str(invoice.pk)},
            )
    open_item = (
        PaymentItem.objects.filter(invoice__in=invoices, payment__state__in=OPEN)
        .values_list("payment_id", flat=True)
        .first()
    )
    if open_item is not None:
        raise Conflict(
            _("A payment for this invoice is already in progress. Finish or wait for it."),
            code="payment_in_progress",
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
    PaymentKey.objects.create(payer=person, key=key, request_hash=request_hash, payment=payment)
    return payment, True


def payment_move(*, payment_id: str, to_state: str, reason: str = "", source: str) -> Payment:
    """Move a payment by the state machine (an impossible move is a `Conflict`)."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().filter(pk=uuid_or_none(payment_id) or NO_ID).first()
        )
        if payment is None:
            raise NotFound(_("This payment was not found."), code="payment_not_found")
        _move(payment, to_state, reason=reason, source=source)
    return payment


def _move(
    payment: Payment, to_state: str, *, reason: str, source: str, also: list[str] | None = None
) -> bool:
    """Move a locked payment (saving the fields in `also` with it); credit it on success.
    False when it is already there."""
    if payment.state == to_state:
        return False
    move_check(payment.state, to_state)
    from_state, now = payment.state, timezone.now()
    payment.state, payment.reason, payment.updated_at = to_state, reason, now
    payment.save(update_fields=["state", "reason", "updated_at", *(also or [])])
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
    from qyzmet.payments.selectors import description_in  # selectors import this module

    account = Account.objects.filter(person_id=payment.payer_id, is_active=True).first()
    if account is None:
        return
    invoices = [item.invoice for item in payment.items.select_related("invoice").order_by("id")]
    language = account.language or "kk"
    what = description_in(invoices[0], language) if invoices else ""
    if len(invoices) > 1:
        what = f"{what} (+{len(invoices) - 1})"
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
    items = list(payment.items.select_related("invoice").order_by("id"))
    for item in items:
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
        invoice.status, invoice.paid_tiyn, invoice.paid_at = (
            Invoice.Status.PAID,
            item.amount_tiyn,
            now,
        )
        try:
            paid_hooks_run(invoice)
        except Exception as exc:
            logger.exception("paid-hook failed", extra={"invoice": str(invoice.pk)})
            raise CreditFailed(details={"invoice": str(invoice.pk)}) from exc
    Receipt.objects.create(code=code_new(), payment=payment, issued_at=now)


# --- Webhooks and status queries ----------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResult:
    outcome: str  # moved | unchanged | duplicate | refused | unknown_payment | …
    payment_id: str | None = None


def webhook_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """Take in a gateway notification: verify it, take each event once, move the payment."""
    try:
        gateway = get_gateway(provider)
    except ImproperlyConfigured:
        raise NotFound(code="gateway_unknown") from None
    event = gateway.verify_webhook(body, headers)
    seen = WebhookEvent.objects.filter(provider=provider, event_id=event.event_id)
    try:
        with transaction.atomic():
            # The payment's row lock orders the deliveries of its events: a second copy of this
            # event waits here, then finds the first one's record.
            payment = (
                Payment.objects.select_for_update()
                .filter(pk=uuid_or_none(event.order) or NO_ID, gateway=provider)
                .first()
            )
            if seen.exists():
                return WebhookResult(outcome="duplicate")
            outcome = _apply(payment, event.ref, event.state, event.amount_tiyn, event.reason,
                             source=f"webhook:{provider}")  # fmt: skip
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
        return WebhookResult(outcome="duplicate")
    if outcome not in ("moved", "unchanged"):
        logger.warning("webhook not applied", extra={"event": event.event_id, "outcome": outcome})
    return WebhookResult(outcome=outcome, payment_id=str(payment.pk) if payment else None)


def _apply(
    payment: Payment | None, ref: str, state: str, amount_tiyn: int, reason: str, *, source: str
) -> str:
    """Apply what the gateway says about a locked payment; the outcome, as a word."""
    if payment is None:
        return "unknown_payment"
    if state not in GATEWAY_STATES:
        return "ignored"
    if payment.gateway_ref and payment.gateway_ref != ref:
        return "ref_mismatch"
    if state == SUCCEEDED and amount_tiyn != payment.amount_tiyn:
        return "amount_mismatch"
    if not payment.gateway_ref:  # the notification overtook the create's answer
        payment.gateway_ref = ref
        payment.save(update_fields=["gateway_ref"])
    if payment.state == state:
        return "unchanged"
    if not move_allowed(payment.state, state):
        return "refused"
    _move(payment, state, reason=reason if state in (DECLINED, FAILED) else "", source=source)
    return "moved"


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
        if answer is not None and answer.state in (SUCCEEDED, DECLINED, FAILED):
            _apply(payment, answer.ref, answer.state, answer.amount_tiyn, answer.reason,
                   source="refresh")  # fmt: skip
        elif payment.state in OPEN and payment.created_at < expire_before:
            _move(payment, S.EXPIRED, reason="timeout", source="refresh")
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


# --- Refunds ------------------------------------------------------------------------------------


def invoice_refund(*, invoice_id: str, reason: str = "") -> Refund:
    """Return what was paid for a refundable invoice through the gateway it was paid through.
    The payment becomes `refunded` when all its invoices are."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update().filter(pk=uuid_or_none(invoice_id) or NO_ID).first()
        )
        if invoice is None:
            raise NotFound(_("This invoice was not found."), code="invoice_not_found")
        if invoice.status != Invoice.Status.PAID:
            raise Conflict(_("Only a paid invoice can be refunded."), code="invoice_not_paid")
        if not invoice.refundable:
            raise Conflict(
                _("This payment is not refundable under the service's rules."),
                code="invoice_not_refundable",
            )
        item = (
            PaymentItem.objects.filter(invoice=invoice, payment__state=S.SUCCEEDED)
            .select_related("payment")
            .first()
        )
        if item is None:
            raise Conflict(_("Only a paid invoice can be refunded."), code="invoice_not_paid")
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
            _move(payment, S.REFUNDED, reason="", source="refund")
    return refund
