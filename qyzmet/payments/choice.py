"""What a payer chose to pay: the invoice ids read from a request, and whether each chosen invoice
can still be paid. Nothing is ever chosen for the payer: no ids is an error, never "all of them"."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.hooks import invoice_held_reason
from qyzmet.payments.models import Invoice

# The most invoices one payment may carry (the API's schema says the same).
MAX_INVOICES = 50


def invoice_ids_parse(invoice_ids: Iterable[str]) -> list[str]:
    """The chosen invoice ids, canonical, each once, in order. None chosen is a field error; an
    id that is not one is "not found", like an invoice that is someone else's."""
    given = [str(i).strip() for i in invoice_ids if str(i).strip()]
    if not given:
        raise ValidationFailed(
            _("Choose at least one invoice to pay."),
            code=ErrorCode.INVOICES,
            details={
                "fields": [
                    {
                        "field": "invoices",
                        "code": "too_short",
                        "message": _("Choose invoices to pay."),
                    }
                ]
            },
        )
    ids = [uuid_or_none(i) for i in given]
    if None in ids:
        raise invoice_not_found()
    unique = sorted({i for i in ids if i is not None})
    if len(unique) > MAX_INVOICES:
        raise ValidationFailed(
            _("Choose at most %(n)d invoices for one payment.") % {"n": MAX_INVOICES},
            code=ErrorCode.INVOICES,
        )
    return unique


def invoice_not_found() -> NotFound:
    return NotFound(_("One of these invoices was not found."), code=ErrorCode.INVOICE_NOT_FOUND)


def invoice_payable_check(invoice: Invoice) -> None:
    """Refuse an invoice that is paid, refunded or cancelled, or that the layer above holds (a
    duty whose application would be refused: see `hooks.on_payable`)."""
    if invoice.status in (Invoice.Status.PAID, Invoice.Status.REFUNDED):
        raise Conflict(
            _("This invoice is already paid."),
            code=ErrorCode.INVOICE_PAID,
            details={"invoice": str(invoice.pk)},
        )
    if invoice.status == Invoice.Status.CANCELLED:
        raise Conflict(
            _("This invoice was cancelled and cannot be paid."),
            code=ErrorCode.INVOICE_CANCELLED,
            details={"invoice": str(invoice.pk)},
        )
    reason = invoice_held_reason(invoice)
    if reason:
        raise Conflict(
            _("This invoice cannot be paid now: %(reason)s") % {"reason": reason},
            code=ErrorCode.INVOICE_HELD,
            details={"invoice": str(invoice.pk), "reason": reason},
        )
