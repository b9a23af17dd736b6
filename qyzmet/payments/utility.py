"""Utility bills: providers' personal accounts linked by citizens, and monthly bills imported
from a provider's file.

A bill becomes an invoice when its account is linked to a person (at import, or later at
linking), since an invoice always has a payer.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.identity.models import Account
from qyzmet.payments.access import person_of
from qyzmet.payments.actions.invoices import invoice_create
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Invoice, UtilityAccount, UtilityBill, UtilityProvider

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
COLUMNS = ("account", "period", "amount", "due_date")
MAX_TIYN = 100_000_000_000  # one billion tenge: anything above is a mistake in the file


def utility_bill_invoice(bill: UtilityBill) -> None:
    """Invoice a bill to its account's person, once."""
    account = bill.account
    if bill.invoice_id is not None or account.person is None:
        return
    name = account.provider.name
    bill.invoice = invoice_create(
        payer=account.person,
        kind=Invoice.Kind.UTILITY,
        purpose_ref=f"utility:{bill.pk}",
        description={
            "kk": f"{name.get('kk', '')}, дербес шот {account.number}, {bill.period}",
            "ru": f"{name.get('ru', '')}, лицевой счёт {account.number}, {bill.period}",
            "en": f"{name.get('en', '')}, account {account.number}, {bill.period}",
        },
        amount_tiyn=bill.amount_tiyn,
        due_date=bill.due_date,
    )
    bill.save(update_fields=["invoice"])


def utility_account_link(*, account: Account, provider_code: str, number: str) -> UtilityAccount:
    """Link a provider's personal account to the citizen; its unpaid bills become invoices."""
    person = person_of(account)
    number = number.strip()
    with transaction.atomic():
        row = (
            UtilityAccount.objects.select_for_update()
            .filter(provider__code=provider_code, number=number)
            .select_related("provider")
            .first()
        )
        if row is None:
            raise NotFound(
                _("The provider has no account with this number."),
                code=ErrorCode.UTILITY_ACCOUNT_NOT_FOUND,
                details={"fields": [{"field": "number", "message": _("Check the number.")}]},
            )
        if row.person_id is not None and row.person_id != person.pk:
            raise Conflict(
                _("This account is already linked by someone else."),
                code=ErrorCode.UTILITY_ACCOUNT_TAKEN,
            )
        if row.person_id is None:
            row.person, row.linked_at = person, timezone.now()
            row.save(update_fields=["person", "linked_at"])
        for bill in row.bills.filter(invoice__isnull=True).order_by("period"):
            bill.account = row
            utility_bill_invoice(bill)
    return row


def access_utility_account(*, account: Account, utility_account_id: int | str) -> UtilityAccount:
    row = (
        UtilityAccount.objects.filter(
            pk=int(utility_account_id) if str(utility_account_id).isdigit() else 0,
            person_id=account.person_id,
        )
        .select_related("provider")
        .first()
        if account.person_id
        else None
    )
    if row is None:
        raise NotFound(_("This account was not found."), code=ErrorCode.UTILITY_ACCOUNT_NOT_FOUND)
    return row


def utility_account_unlink(*, account: Account, utility_account_id: int | str) -> None:
    """Unlink: the unpaid invoices of its bills are cancelled (they come back on a new link)."""
    row = access_utility_account(account=account, utility_account_id=utility_account_id)
    with transaction.atomic():
        for bill in row.bills.select_related("invoice").filter(
            invoice__status=Invoice.Status.UNPAID
        ):
            assert bill.invoice is not None  # noqa: S101 - filtered on its status
            Invoice.objects.filter(pk=bill.invoice.pk, status=Invoice.Status.UNPAID).update(
                status=Invoice.Status.CANCELLED
            )
            bill.invoice = None
            bill.save(update_fields=["invoice"])
        row.person, row.linked_at = None, None
        row.save(update_fields=["person", "linked_at"])


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _amount_tiyn(text: str) -> int | None:
    try:
        value = Decimal(text.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    tiyn = int(value * 100)
    return tiyn if tiyn <= MAX_TIYN else None


def utility_bills_import(*, provider_code: str, text: str) -> ImportReport:
    """Import a provider's monthly bills (CSV: account,period,amount,due_date; amount in tenge
    with up to two decimals). Rows with a problem are rejected with the reason; the rest are
    imported in one transaction. Importing the same file again changes nothing."""
    provider = UtilityProvider.objects.filter(code=provider_code).first()
    if provider is None:
        raise NotFound(_("No such utility provider."), code=ErrorCode.PROVIDER_NOT_FOUND)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValidationFailed(
            _("The file must have the columns: %(columns)s.") % {"columns": ",".join(COLUMNS)},
            code=ErrorCode.IMPORT_COLUMNS,
        )
    report = ImportReport()
    seen: set[tuple[str, str]] = set()
    with transaction.atomic():
        for row in reader:
            line = reader.line_num
            reason = _import_row(provider, row, seen, report)
            if reason:
                report.rejected.append((line, reason))
    return report


def _import_row(
    provider: UtilityProvider, row: dict[str, str], seen: set[tuple[str, str]], report: ImportReport
) -> str:
    number = (row.get("account") or "").strip()
    period = (row.get("period") or "").strip()
    if not number or len(number) > 40:
        return _("no account number")
    if not PERIOD.match(period):
        return _("the period is not YYYY-MM")
    amount = _amount_tiyn(row.get("amount") or "")
    if amount is None:
        return _("the amount is not a positive sum in tenge")
    try:
        due = date.fromisoformat((row.get("due_date") or "").strip())
    except ValueError:
        return _("the due date is not YYYY-MM-DD")
    if (number, period) in seen:
        return _("the same account and period twice in the file")
    seen.add((number, period))
    account, _created = UtilityAccount.objects.get_or_create(provider=provider, number=number)
    account.provider = provider
    existing = UtilityBill.objects.filter(account=account, period=period).first()
    if existing is not None:
        if existing.amount_tiyn == amount and existing.due_date == due:
            report.unchanged += 1
            return ""
        return _("already billed for this period with another amount")
    bill = UtilityBill.objects.create(
        account=account, period=period, amount_tiyn=amount, due_date=due
    )
    utility_bill_invoice(bill)
    report.imported += 1
    return ""


def utility_providers() -> list[UtilityProvider]:
    return list(UtilityProvider.objects.order_by("code"))


def utility_provider_ensure(*, code: str, name: dict[str, str], service: str) -> UtilityProvider:
    provider, _created = UtilityProvider.objects.update_or_create(
        code=code, defaults={"name": name, "service": service}
    )
    return provider
