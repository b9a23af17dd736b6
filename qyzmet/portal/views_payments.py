"""Payments for the citizen: unpaid duties, fines and bills (several at once), the payment page,
the public receipt check, and the sandbox bank's page (demo mode only)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.applications.actions.duty import DUTY_PREFIX
from qyzmet.core.errors import QyzmetError
from qyzmet.core.ids import uuid_or_none
from qyzmet.core.mci import format_tenge
from qyzmet.identity.models import Account
from qyzmet.payments.actions import access_payment_by_id, payment_create
from qyzmet.payments.codes import code_display
from qyzmet.payments.models import Invoice, Payment
from qyzmet.payments.providers.sandbox import CARD_ACCEPT, CARD_DECLINE, CARD_DELAY, CARD_FAIL
from qyzmet.payments.sandbox_bank import sandbox_card_submit, sandbox_transaction_get
from qyzmet.payments.selectors import (
    description_in,
    invoice_amount_today,
    invoice_choice_for_payer,
    invoice_list_for_payer,
    payment_list_for_payer,
    payment_reason_text,
    payment_receipt_code,
    receipt_check,
    utility_accounts_for,
)
from qyzmet.payments.utility import utility_account_link, utility_account_unlink, utility_providers
from qyzmet.portal.pages import citizen_page, or_404
from qyzmet.portal.session import signed_in_account

# A payment in these states waits for the bank's answer: its page asks for it (payment-status.js).
WAITING = (Payment.State.CREATED, Payment.State.PENDING)


def _invoice_row(invoice: Invoice, language: str, *, checked: bool) -> dict[str, Any]:
    amount = invoice_amount_today(invoice)
    return {
        "invoice": invoice,
        "description": description_in(invoice, language),
        "amount": format_tenge(amount, language),
        "amount_tiyn": amount,
        "checked": checked,
    }


def _go_to_bank(payment: Payment) -> HttpResponse:
    if payment.state == Payment.State.PENDING and payment.redirect_url:
        return redirect(payment.redirect_url)
    return redirect("portal:payment", payment_id=payment.pk)


def _preselected(request: HttpRequest, unpaid: list[Invoice]) -> set[str]:
    """The unpaid invoices to tick when the page opens: none, unless the citizen chose them
    (`?invoice=<id>`, or the choice sent back after an error) or came to pay one application's
    duty (`?application=<id>`). Anything else in the address ticks nothing."""
    values = request.POST if request.method == "POST" else request.GET
    wanted = {uuid_or_none(i) for i in values.getlist("invoice")}
    application = uuid_or_none(request.GET.get("application", ""))
    duty = f"{DUTY_PREFIX}{application}" if application else None
    return {str(i.pk) for i in unpaid if str(i.pk) in wanted or (duty and i.purpose_ref == duty)}


def _number_format(language: str) -> dict[str, str]:
    """How the page's script writes an amount, so that it reads as `format_tenge` writes it."""
    return {
        "group": str(get_format("THOUSAND_SEPARATOR", language, use_l10n=True)),
        "decimal": str(get_format("DECIMAL_SEPARATOR", language, use_l10n=True)),
    }


def _confirm(request: HttpRequest, account: Account, language: str) -> HttpResponse:
    """The step before the bank: exactly what is paid, and the total, stated once more."""
    choice = invoice_choice_for_payer(
        person_id=account.person_id, invoice_ids=request.POST.getlist("invoice")
    )
    ids = [str(invoice.pk) for invoice, _amount in choice.rows]
    context = {
        "rows": [
            (description_in(invoice, language), format_tenge(amount, language))
            for invoice, amount in choice.rows
        ],
        "ids": ids,
        "total": format_tenge(choice.total_tiyn, language),
        "change_url": f"{reverse('portal:payments')}?{urlencode({'invoice': ids}, doseq=True)}",
        "idempotency_key": uuid.uuid4().hex,
    }
    return render(request, "portal/payments_confirm.html", context)


@citizen_page("GET", "POST")
def payments(request: HttpRequest) -> HttpResponse:
    account = signed_in_account(request)
    language = get_language()
    error, status = "", 200
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                return _confirm(request, account, language)
            if action == "pay":
                payment = payment_create(
                    account=account,
                    invoice_ids=request.POST.getlist("invoice"),
                    idempotency_key=request.POST.get("idempotency_key", ""),
                )
                return _go_to_bank(payment)
            if action == "link":
                utility_account_link(
                    account=account,
                    provider_code=request.POST.get("provider", ""),
                    number=request.POST.get("number", ""),
                )
                messages.success(request, _("The account is added."))
                return redirect("portal:payments")
            if action == "unlink":
                utility_account_unlink(
                    account=account, utility_account_id=request.POST.get("account", "")
                )
                messages.success(request, _("The account is removed."))
                return redirect("portal:payments")
        except QyzmetError as exc:
            error, status = str(exc.message), exc.status
            field_errors = exc.field_messages()
    unpaid = list(invoice_list_for_payer(person_id=account.person_id, status=Invoice.Status.UNPAID))
    ticked = _preselected(request, unpaid)
    rows = [_invoice_row(i, language, checked=str(i.pk) in ticked) for i in unpaid]
    groups = [
        (label, [row for row in rows if row["invoice"].kind == kind])
        for kind, label in Invoice.Kind.choices
    ]
    history = [
        {
            "payment": p,
            "amount": format_tenge(p.amount_tiyn, language),
            "purposes": [description_in(item.invoice, language) for item in p.items.all()],
        }
        for p in payment_list_for_payer(person_id=account.person_id, limit=20)
    ]
    context = {
        "groups": [(label, group) for label, group in groups if group],
        "total": format_tenge(sum(r["amount_tiyn"] for r in rows if r["checked"]), language),
        "number_format": _number_format(language),
        "history": history,
        "utility_accounts": [
            (row.pk, row.provider.name.get(language, row.provider.code), row.number)
            for row in utility_accounts_for(person_id=account.person_id)
        ],
        "providers": [(p.code, p.name.get(language, p.code)) for p in utility_providers()],
        "error": error,
        "field_errors": field_errors,
    }
    return render(request, "portal/payments.html", context, status=status)


@citizen_page("GET", "POST")
def payment_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    account = signed_in_account(request)
    payment = or_404(access_payment_by_id, account=account, payment_id=payment_id)
    language = get_language()
    error, status = "", 200
    items = list(payment.items.select_related("invoice").order_by("id"))
    if request.method == "POST":  # try again: a new payment for the invoices still unpaid
        try:
            again = payment_create(
                account=account,
                invoice_ids=[str(i.invoice_id) for i in items if i.invoice.status == "unpaid"],
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
            return _go_to_bank(again)
        except QyzmetError as exc:
            error, status = str(exc.message), exc.status
    context = {
        "payment": payment,
        "amount": format_tenge(payment.amount_tiyn, language),
        "items": [
            (description_in(i.invoice, language), format_tenge(i.amount_tiyn, language))
            for i in items
        ],
        "reason": payment_reason_text(payment.reason),
        "receipt_code": payment_receipt_code(payment),
        "waiting": payment.state in WAITING,
        "can_retry": payment.state
        in (Payment.State.DECLINED, Payment.State.FAILED, Payment.State.EXPIRED)
        and any(i.invoice.status == "unpaid" for i in items),
        "idempotency_key": uuid.uuid4().hex,
        "error": error,
    }
    return render(request, "portal/payment.html", context, status=status)


@citizen_page("GET")
def payment_status(request: HttpRequest, payment_id: str) -> JsonResponse:
    """What the payment page's script polls while the bank has not answered."""
    account = signed_in_account(request)
    payment = or_404(access_payment_by_id, account=account, payment_id=payment_id)
    return JsonResponse({"state": payment.state, "waiting": payment.state in WAITING})


@never_cache
def receipt_page(request: HttpRequest) -> HttpResponse:
    """Anyone can check a receipt code: amount, date, purpose and the payer's IIN masked."""
    code = request.GET.get("code", "").strip()[:40]
    context: dict[str, Any] = {"code": code, "receipt": None, "error": ""}
    status = 200
    if code:
        language = get_language()
        try:
            view = receipt_check(code=code)
            context["receipt"] = {
                "code": code_display(view.code),
                "amount": format_tenge(view.amount_tiyn, language),
                "paid_at": view.paid_at,
                "payer_iin": view.payer_iin_masked,
                "purposes": [p.get(language) or p.get("en", "") for p in view.purposes],
                "refunded": view.state == Payment.State.REFUNDED,
            }
        except QyzmetError as exc:
            context["error"], status = str(exc.message), exc.status
    context["field_errors"] = {"code": context["error"]} if context["error"] else {}
    return render(request, "portal/receipt_check.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sandbox_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The sandbox bank's hosted card page (demo mode only, like the /dev/ pages)."""
    if not settings.QYZMET_DEMO:
        raise Http404
    row = or_404(sandbox_transaction_get, ref=ref)
    error, status = "", 200
    if request.method == "POST":
        try:
            row = sandbox_card_submit(ref=ref, card_number=request.POST.get("card_number", ""))
            target = row.return_url
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/payments/"
            return redirect(target)
        except QyzmetError as exc:
            error, status = str(exc.message), exc.status
    context = {
        "row": row,
        "amount": format_tenge(row.amount_tiyn, get_language()),
        "used": row.status != "awaiting_card",
        "cards": [
            (CARD_ACCEPT, _("accepted")),
            (CARD_DECLINE, _("declined: insufficient funds")),
            (CARD_DELAY, _("delayed: confirmed later")),
            (CARD_FAIL, _("gateway error")),
        ],
        "error": error,
        "field_errors": {"card_number": error} if error else {},
    }
    return render(request, "portal/sandbox_pay.html", context, status=status)
