"""/api/v1/payments: invoices, payments, utility accounts, receipts and gateway webhooks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from qyzmet.api.idempotency import idempotency_header
from qyzmet.api.schemas import ErrorOut, Text
from qyzmet.api.security import AccessToken, current_account
from qyzmet.core.errors import NotFound
from qyzmet.core.mci import format_tenge
from qyzmet.payments.actions import (
    access_invoice_by_id,
    access_payment_by_id,
    payment_create,
    webhook_receive,
)
from qyzmet.payments.codes import code_display
from qyzmet.payments.models import Invoice, Payment, UtilityBill
from qyzmet.payments.sandbox_bank import sandbox_card_submit
from qyzmet.payments.selectors import (
    description_in,
    invoice_amount_today,
    invoice_list_for_payer,
    payment_list_for_payer,
    payment_reason_text,
    payment_receipt_code,
    receipt_check,
    utility_accounts_for,
    utility_bills_for,
)
from qyzmet.payments.utility import (
    access_utility_account,
    utility_account_link,
    utility_account_unlink,
    utility_providers,
)

router = Router(tags=["payments"])
AUTH = AccessToken()
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 502: ErrorOut}
IDEMPOTENCY_HEADER = idempotency_header(
    required=True, description="A retried create with the same key returns the same payment"
)


# Built from an `Invoice`.
class InvoiceOut(Schema):
    id: Text
    kind: str
    purpose_ref: str
    description: str
    amount_tiyn: int = Field(description="What it costs if paid today (what it cost, once paid)")
    amount_text: str
    mci_multiple: str | None
    due_date: date | None
    status: str
    refundable: bool
    paid_at: datetime | None

    @staticmethod
    def resolve_description(invoice: Invoice) -> str:
        return description_in(invoice, get_language())

    @staticmethod
    def resolve_amount_tiyn(invoice: Invoice) -> int:
        return invoice_amount_today(invoice)

    @staticmethod
    def resolve_amount_text(invoice: Invoice) -> str:
        return format_tenge(invoice_amount_today(invoice), get_language())

    @staticmethod
    def resolve_mci_multiple(invoice: Invoice) -> str | None:
        return str(invoice.mci_multiple) if invoice.mci_multiple is not None else None


# Built from a `Payment` (its items and receipt read with it in lists).
class PaymentOut(Schema):
    id: Text
    state: str
    state_label: Text = Field(validation_alias="get_state_display")
    reason: str
    reason_message: str
    amount_tiyn: int
    amount_text: str
    gateway: str
    redirect_url: str
    invoices: list[str]
    receipt_code: str
    created_at: datetime

    @staticmethod
    def resolve_reason_message(payment: Payment) -> str:
        return payment_reason_text(payment.reason)

    @staticmethod
    def resolve_amount_text(payment: Payment) -> str:
        return format_tenge(payment.amount_tiyn, get_language())

    @staticmethod
    def resolve_invoices(payment: Payment) -> list[str]:
        return [str(item.invoice_id) for item in payment.items.all()]

    @staticmethod
    def resolve_receipt_code(payment: Payment) -> str:
        return payment_receipt_code(payment)


class PaymentIn(Schema):
    invoices: list[str] = Field(..., min_length=1, max_length=50)
    return_url: str = Field("", max_length=300)


class UtilityAccountIn(Schema):
    provider: str = Field(..., max_length=40)
    number: str = Field(..., max_length=40)


class UtilityAccountOut(Schema):
    id: int
    provider: str
    provider_name: str
    number: str


class UtilityProviderOut(Schema):
    code: str
    name: str
    service: str


# Built from a `UtilityBill` (its invoice read with it).
class BillOut(Schema):
    period: str
    amount_tiyn: int
    due_date: date
    invoice: InvoiceOut | None


class ReceiptOut(Schema):
    code: str
    amount_tiyn: int
    amount_text: str
    paid_at: datetime
    payer_iin: str = Field(description="Masked")
    purposes: list[str]
    state: str


class WebhookOut(Schema):
    outcome: str


class CardIn(Schema):
    card_number: str = Field(..., max_length=30)


class CardOut(Schema):
    status: str
    return_url: str


@router.get("/invoices", response=list[InvoiceOut], auth=AUTH, summary="My invoices")
def invoices(request: HttpRequest, kind: str = "", status: str = "") -> QuerySet[Invoice]:
    account = current_account(request)
    return invoice_list_for_payer(person_id=account.person_id, kind=kind, status=status)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, auth=AUTH,
            summary="An invoice")  # fmt: skip
def invoice(request: HttpRequest, invoice_id: str) -> Invoice:
    return access_invoice_by_id(account=current_account(request), invoice_id=invoice_id)


@router.get("/utility/providers", response=list[UtilityProviderOut], summary="Utility providers")
def providers(request: HttpRequest) -> list[dict[str, Any]]:
    language = get_language()
    return [
        {"code": p.code, "name": p.name.get(language, p.code), "service": p.service}
        for p in utility_providers()
    ]


def _utility_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "provider": row.provider.code,
        "provider_name": row.provider.name.get(get_language(), row.provider.code),
        "number": row.number,
    }


@router.get("/utility/accounts", response=list[UtilityAccountOut], auth=AUTH,
            summary="My utility accounts")  # fmt: skip
def utility_accounts(request: HttpRequest) -> list[dict[str, Any]]:
    account = current_account(request)
    return [_utility_out(row) for row in utility_accounts_for(person_id=account.person_id)]


@router.post("/utility/accounts", response={201: UtilityAccountOut, **ERRORS}, auth=AUTH,
             summary="Link a utility account")  # fmt: skip
def utility_account_add(request: HttpRequest, body: UtilityAccountIn) -> Status[dict[str, Any]]:
    row = utility_account_link(
        account=current_account(request), provider_code=body.provider, number=body.number
    )
    return Status(201, _utility_out(row))


@router.delete("/utility/accounts/{account_id}", response={204: None, **ERRORS}, auth=AUTH,
               summary="Unlink a utility account")  # fmt: skip
def utility_account_remove(request: HttpRequest, account_id: str) -> Status[None]:
    utility_account_unlink(account=current_account(request), utility_account_id=account_id)
    return Status(204, None)


@router.get("/utility/accounts/{account_id}/bills", response={200: list[BillOut], **ERRORS},
            auth=AUTH, summary="The bills of my utility account")  # fmt: skip
def utility_bills(request: HttpRequest, account_id: str) -> list[UtilityBill]:
    row = access_utility_account(account=current_account(request), utility_account_id=account_id)
    return utility_bills_for(account=row)


@router.post("/webhooks/{provider}", response={200: WebhookOut, **ERRORS, 503: ErrorOut},
             summary="Gateway notifications (signed)")  # fmt: skip
def webhook(request: HttpRequest, provider: str) -> dict[str, str]:
    result = webhook_receive(provider=provider, body=request.body, headers=request.headers)
    return {"outcome": result.outcome}


@router.get("/receipts/{code}", response={200: ReceiptOut, **ERRORS},
            summary="Check a receipt by its code (public)")  # fmt: skip
def receipt(request: HttpRequest, code: str) -> dict[str, Any]:
    view = receipt_check(code=code)
    language = get_language()
    return {
        "code": code_display(view.code),
        "amount_tiyn": view.amount_tiyn,
        "amount_text": format_tenge(view.amount_tiyn, language),
        "paid_at": view.paid_at,
        "payer_iin": view.payer_iin_masked,
        "purposes": [p.get(language) or p.get("en", "") for p in view.purposes],
        "state": view.state,
    }


@router.post("/sandbox/{ref}/card", response={200: CardOut, **ERRORS},
             summary="Demo only: pay on the sandbox bank's page with a test card")  # fmt: skip
def sandbox_card(request: HttpRequest, ref: str, body: CardIn) -> dict[str, str]:
    if not settings.QYZMET_DEMO:
        raise NotFound()
    row = sandbox_card_submit(ref=ref, card_number=body.card_number)
    return {"status": row.status, "return_url": row.return_url}


@router.post("", response={201: PaymentOut, **ERRORS}, auth=AUTH, summary="Pay invoices",
             openapi_extra=IDEMPOTENCY_HEADER)  # fmt: skip
def create(request: HttpRequest, body: PaymentIn) -> Status[Payment]:
    payment = payment_create(
        account=current_account(request),
        invoice_ids=body.invoices,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        return_url=body.return_url,
    )
    return Status(201, payment)


@router.get("", response=list[PaymentOut], auth=AUTH, summary="My payments")
def history(request: HttpRequest) -> list[Payment]:
    return payment_list_for_payer(person_id=current_account(request).person_id)


@router.get("/{payment_id}", response={200: PaymentOut, **ERRORS}, auth=AUTH,
            summary="A payment's status")  # fmt: skip
def status(request: HttpRequest, payment_id: str) -> Payment:
    return access_payment_by_id(account=current_account(request), payment_id=payment_id)
