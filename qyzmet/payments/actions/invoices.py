"""Invoices: one per purpose (a duty, a fine, a utility bill), cancelled while unpaid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import person_get_by_iin
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Invoice
from qyzmet.payments.selectors import invoice_for_ref


def _amount_refused() -> ValidationFailed:
    return ValidationFailed(
        _("An amount is a whole positive number of tiyn."), code=ErrorCode.AMOUNT
    )


def _multiple_checked(mci_multiple: Decimal | str | None) -> Decimal | None:
    if mci_multiple is None:
        return None
    if isinstance(mci_multiple, float):
        raise TypeError("pass the MCI multiple as a Decimal or a string, never a float")
    multiple = Decimal(mci_multiple)
    if not multiple.is_finite() or multiple <= 0:
        raise _amount_refused()
    return multiple


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
        raise ValidationFailed(code=ErrorCode.INVOICE_KIND)
    if (amount_tiyn is None) == (mci_multiple is None):
        raise ValidationFailed(
            _("Give either an amount or a multiple of the MCI."), code=ErrorCode.INVOICE_AMOUNT
        )
    if amount_tiyn is not None and (
        isinstance(amount_tiyn, bool) or not isinstance(amount_tiyn, int) or amount_tiyn <= 0
    ):
        raise _amount_refused()
    multiple = _multiple_checked(mci_multiple)
    if not purpose_ref or len(purpose_ref) > 200:
        raise ValidationFailed(code=ErrorCode.PURPOSE_REF)
    existing = invoice_for_ref(purpose_ref)
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
        existing = invoice_for_ref(purpose_ref)
        if existing is None:
            raise
        return _same_payer(existing, payer)


def _same_payer(invoice: Invoice, payer: Person) -> Invoice:
    if invoice.payer_id != payer.pk:
        raise Conflict(
            _("This purpose is already invoiced to someone else."), code=ErrorCode.INVOICE_REF
        )
    return invoice


def invoice_cancel(*, invoice_id: str) -> Invoice:
    """Cancel an unpaid invoice (an application withdrawn, a fine annulled)."""
    updated = Invoice.objects.filter(pk=invoice_id, status=Invoice.Status.UNPAID).update(
        status=Invoice.Status.CANCELLED
    )
    if not updated:
        raise Conflict(
            _("Only an unpaid invoice can be cancelled."), code=ErrorCode.INVOICE_NOT_UNPAID
        )
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
        raise NotFound(_("No person with this IIN."), code=ErrorCode.PERSON_NOT_FOUND)
    return invoice_create(
        payer=person,
        kind=Invoice.Kind.FINE,
        purpose_ref=f"fine:{number}",
        description=description,
        mci_multiple=mci_multiple,
        due_date=due_date,
    )
