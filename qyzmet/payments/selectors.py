"""Reads of the payments app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.core.iin import iin_mask
from qyzmet.core.mci import fee_tiyn
from qyzmet.payments.choice import invoice_ids_parse, invoice_not_found, invoice_payable_check
from qyzmet.payments.codes import code_display, code_normalize, code_valid
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Invoice, Payment, Receipt, UtilityAccount, UtilityBill
from qyzmet.payments.states import PaymentReason


def invoice_for_ref(ref: str) -> Invoice | None:
    """The live (not cancelled) invoice for a purpose, e.g. "application:<uuid>"."""
    return Invoice.objects.filter(purpose_ref=ref).exclude(status=Invoice.Status.CANCELLED).first()


def invoice_amount(invoice: Invoice, *, on: date) -> int:
    """What the invoice costs when paid on `on`: its fixed amount, or its MCI multiple at the MCI
    in force that day."""
    if invoice.amount_tiyn is not None:
        return invoice.amount_tiyn
    assert invoice.mci_multiple is not None  # noqa: S101 - a check constraint guarantees it
    return fee_tiyn(mci_multiple=Decimal(invoice.mci_multiple), on=on)


def invoice_list_for_payer(
    *, person_id: int | None, kind: str = "", status: str = ""
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(payer_id=person_id).exclude(status=Invoice.Status.CANCELLED)
    if kind:
        invoices = invoices.filter(kind=kind)
    if status:
        invoices = invoices.filter(status=status)
    return invoices.order_by("status", "due_date", "created_at")


def invoice_amount_today(invoice: Invoice, *, on: date | None = None) -> int:
    """What the invoice costs if paid today (what it cost, once paid)."""
    if invoice.paid_tiyn is not None:
        return invoice.paid_tiyn
    return invoice_amount(invoice, on=on or local_today())


def payment_list_for_payer(*, person_id: int | None, limit: int = 50) -> list[Payment]:
    return list(
        Payment.objects.filter(payer_id=person_id)
        .select_related("receipt")
        .prefetch_related("items__invoice")
        .order_by("-created_at")[:limit]
    )


def payment_receipt_code(payment: Payment) -> str:
    """The receipt's code as people read it (groups of four), "" before the credit; read with the
    payment when the list joined it."""
    try:
        return code_display(payment.receipt.code)
    except Receipt.DoesNotExist:
        return ""


@dataclass(frozen=True)
class ReceiptView:
    """What anyone may see of a receipt: no name, the IIN masked."""

    code: str
    amount_tiyn: int
    paid_at: datetime
    payer_iin_masked: str
    purposes: list[dict[str, str]]
    state: str


def receipt_check(*, code: str) -> ReceiptView:
    """Check a receipt code: malformed (typo caught by the check character) or unknown codes
    are refused with different messages, so a person knows whether to re-type it."""
    normalized = code_normalize(code)
    if not code_valid(normalized):
        raise ValidationFailed(
            _("This is not a receipt code: check it for typos."),
            code=ErrorCode.RECEIPT_CODE_MALFORMED,
            status=400,
        )
    receipt = Receipt.objects.filter(code=normalized).select_related("payment__payer").first()
    if receipt is None:
        raise NotFound(_("No payment has this receipt code."), code=ErrorCode.RECEIPT_NOT_FOUND)
    payment = receipt.payment
    purposes = [
        {"kind": item.invoice.kind, **item.invoice.description}
        for item in payment.items.select_related("invoice").order_by("id")
    ]
    return ReceiptView(
        code=receipt.code,
        amount_tiyn=payment.amount_tiyn,
        paid_at=receipt.issued_at,
        payer_iin_masked=iin_mask(payment.payer.iin),
        purposes=purposes,
        state=payment.state,
    )


def utility_accounts_for(*, person_id: int | None) -> list[UtilityAccount]:
    if person_id is None:
        return []
    return list(
        UtilityAccount.objects.filter(person_id=person_id)
        .select_related("provider")
        .order_by("provider__code", "number")
    )


def utility_bills_for(*, account: UtilityAccount) -> list[UtilityBill]:
    return list(account.bills.select_related("invoice").order_by("-period"))


def payment_reason_text(reason: str) -> str:
    """Why a payment did not go through, for people."""
    texts: dict[str, str] = {
        PaymentReason.INSUFFICIENT_FUNDS: _("The bank declined the card: insufficient funds."),
        PaymentReason.GATEWAY_ERROR: _(
            "The payment service failed. Nothing was charged; please try again."
        ),
        PaymentReason.TIMEOUT: _("The bank did not confirm the payment in time."),
    }
    if not reason:
        return ""
    return texts.get(reason, _("The bank declined the payment."))


def description_in(invoice: Invoice, language: str) -> str:
    text: str = invoice.description.get(language) or invoice.description.get("en") or ""
    return text or invoice.purpose_ref


@dataclass(frozen=True)
class InvoiceChoice:
    """The invoices a payer chose, each with what it costs today, and their total: what the
    payer is told before the card, and what a payment of them charges."""

    rows: list[tuple[Invoice, int]]
    total_tiyn: int


def invoice_choice_for_payer(
    *, person_id: int | None, invoice_ids: list[str], on: date | None = None
) -> InvoiceChoice:
    """Exactly the chosen invoices of this payer, all still payable; someone else's invoice is
    "not found", like one that does not exist."""
    ids = invoice_ids_parse(invoice_ids)
    invoices = list(
        Invoice.objects.filter(pk__in=ids, payer_id=person_id).order_by("due_date", "created_at")
    )
    if person_id is None or len(invoices) != len(ids):
        raise invoice_not_found()
    for invoice in invoices:
        invoice_payable_check(invoice)
    day = on or local_today()
    rows = [(invoice, invoice_amount(invoice, on=day)) for invoice in invoices]
    return InvoiceChoice(rows=rows, total_tiyn=sum(amount for _, amount in rows))
