"""What happens elsewhere when an invoice is paid, without payments importing the layer above.

A layer above payments registers a callback for the invoices whose `purpose_ref` starts with a
prefix, explicitly, from its `AppConfig.ready()`:

    class ApplicationsConfig(AppConfig):
        def ready(self) -> None:
            on_paid("application:")(duty_paid)

The credit never runs the callbacks itself: in its own transaction it records the payment
(invoices paid, one receipt) and enqueues `invoice_paid_hooks_task` for each invoice it paid, so
a bank's webhook answers 2xx whatever happens above payments. The task runs the callbacks in a
savepoint; when one raises, its writes roll back and the task raises: the worker tries it again
by the platform's one retry policy (`qyzmet.core.retries`: a doubling wait, a bounded number of
attempts), and a task that gives up is counted in `/healthz` and listed for staff.

Before an invoice is paid, the layer above may also say it must not be paid now
(`on_payable(prefix)(check)`, `check(invoice)` answering why, "" when it may): the applications'
duty is held while its application would be refused, so nobody pays for a refusal.

A paid callback must therefore be idempotent: it may run again for the same invoice (a retry after a
failure, a second delivery of the task), and a second run must change nothing (the applications'
duty hook ignores an invoice whose application no longer awaits its payment).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django_tasks import task

from qyzmet.payments.models import Invoice

logger = logging.getLogger(__name__)

PaidHook = Callable[[Invoice], None]
_HOOKS: list[tuple[str, PaidHook]] = []
PayableCheck = Callable[[Invoice], str]  # why the invoice may not be paid now; "" when it may
_PAYABLE: list[tuple[str, PayableCheck]] = []


def on_paid(prefix: str) -> Callable[[PaidHook], PaidHook]:
    """Register `callback(invoice)` for paid invoices whose purpose_ref starts with `prefix`."""

    def decorator(callback: PaidHook) -> PaidHook:
        if (prefix, callback) not in _HOOKS:
            _HOOKS.append((prefix, callback))
        return callback

    return decorator


def paid_hook_remove(callback: PaidHook) -> None:
    """Forget a callback (tests)."""
    _HOOKS[:] = [(p, c) for p, c in _HOOKS if c is not callback]


def on_payable(prefix: str) -> Callable[[PayableCheck], PayableCheck]:
    """Register `check(invoice)` for invoices whose purpose_ref starts with `prefix`: asked (a
    read) before a payment of the invoice is made or its total shown."""

    def decorator(check: PayableCheck) -> PayableCheck:
        if (prefix, check) not in _PAYABLE:
            _PAYABLE.append((prefix, check))
        return check

    return decorator


def invoice_held_reason(invoice: Invoice) -> str:
    """Why the layer above holds `invoice` from payment now ("" when it does not)."""
    for prefix, check in list(_PAYABLE):
        if invoice.purpose_ref.startswith(prefix) and (reason := check(invoice)):
            return reason
    return ""


def paid_hooks_run(invoice: Invoice) -> None:
    """Run every callback registered for the invoice's purpose, in registration order."""
    for prefix, callback in list(_HOOKS):
        if invoice.purpose_ref.startswith(prefix):
            callback(invoice)


def paid_hooks_enqueue(invoice: Invoice) -> None:
    """Have the worker run the invoice's callbacks: a task row in the caller's transaction."""
    invoice_paid_hooks_task.enqueue(str(invoice.pk))


@task()
def invoice_paid_hooks_task(invoice_id: str, attempt: int = 1) -> None:
    """Run the paid invoice's callbacks; a failure raises, and the worker tries again later
    (see the module doc). `attempt` is read no more: rows enqueued before keep their shape."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        logger.error("paid invoice not found", extra={"invoice": invoice_id})
        return
    with transaction.atomic():  # a failing callback leaves nothing half-written
        paid_hooks_run(invoice)
