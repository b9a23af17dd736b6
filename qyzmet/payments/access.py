"""Access choke points of the payments app: a person's own invoices and payments.

Someone else's invoice or payment is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TypeVar

from django.utils.translation import gettext as _

from qyzmet.core.errors import NotFound
from qyzmet.core.ids import uuid_or_none
from qyzmet.identity.models import Account, Person
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Invoice, Payment

# A primary key that matches nothing: what a lookup by a malformed id asks for.
NO_ID = "00000000-0000-0000-0000-000000000000"

Owned = TypeVar("Owned", Invoice, Payment)


def person_of(account: Account) -> Person:
    person = account.person
    if person is None:
        raise NotFound(_("This account is not linked to a person."), code=ErrorCode.NO_PERSON)
    return person


def _own(model: type[Owned], *, account: Account, object_id: str) -> Owned | None:
    """The row of `model` with this id when the account's person pays it, else None."""
    key = uuid_or_none(object_id) or NO_ID
    return model.objects.filter(pk=key, payer_id=account.person_id).first()


def access_invoice_by_id(*, account: Account, invoice_id: str) -> Invoice:
    """The account's own invoice."""
    invoice = _own(Invoice, account=account, object_id=invoice_id)
    if invoice is None:
        raise NotFound(_("This invoice was not found."), code=ErrorCode.INVOICE_NOT_FOUND)
    return invoice


def access_payment_by_id(*, account: Account, payment_id: str) -> Payment:
    """The account's own payment."""
    payment = _own(Payment, account=account, object_id=payment_id)
    if payment is None:
        raise NotFound(_("This payment was not found."), code=ErrorCode.PAYMENT_NOT_FOUND)
    return payment
