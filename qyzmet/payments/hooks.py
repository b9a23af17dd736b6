"""What happens elsewhere when an invoice is paid, without payments importing the layer above.

A layer above payments registers a callback for the invoices whose `purpose_ref` starts with a
prefix, explicitly, from its `AppConfig.ready()`:

    class ApplicationsConfig(AppConfig):
        def ready(self) -> None:
            on_paid("application:")(duty_paid)

The credit never runs the callbacks itself: in its own transaction it records the payment
(invoices paid, one receipt) and enqueues `invoice_paid_hooks_task` for each invoice it paid, so
a bank's webhook answers 2xx whatever happens above payments. The task runs the callbacks in a
savepoint; when one raises, its writes roll back and the task enqueues itself again, a bounded
backoff later, up to `PAID_HOOK_ATTEMPTS` attempts; the last failure is logged as an error
("paid hooks gave up") and the task row stays failed with the exception.

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
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from qyzmet.payments.models import Invoice

logger = logging.getLogger(__name__)

PaidHook = Callable[[Invoice], None]
_HOOKS: list[tuple[str, PaidHook]] = []
PayableCheck = Callable[[Invoice], str]  # why the invoice may not be paid now; "" when it may
_PAYABLE: list[tuple[str, PayableCheck]] = []

PAID_HOOK_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


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


def paid_hooks_retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt `attempt` (1, 2, …): doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_RETRY)


@task()
def invoice_paid_hooks_task(invoice_id: str, attempt: int = 1) -> None:
    """Run the paid invoice's callbacks; on a failure, try again later (see the module doc)."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        logger.error("paid invoice not found", extra={"invoice": invoice_id})
        return
    failure: Exception | None = None
    with transaction.atomic():
        try:
            with transaction.atomic():  # a failing callback leaves nothing half-written
                paid_hooks_run(invoice)
        except Exception as exc:
            failure = exc
            if attempt < PAID_HOOK_ATTEMPTS:
                # The next attempt is written with the knowledge of this failure: both or neither.
                later = timezone.now() + paid_hooks_retry_delay(attempt)
                invoice_paid_hooks_task.using(run_after=later).enqueue(invoice_id, attempt + 1)
    if failure is None:
        return
    extra = {"invoice": invoice_id, "attempt": attempt, "attempts": PAID_HOOK_ATTEMPTS}
    if attempt < PAID_HOOK_ATTEMPTS:
        logger.warning("paid hooks failed, will retry", extra=extra, exc_info=failure)
    else:
        logger.error("paid hooks gave up", extra=extra, exc_info=failure)
    raise failure  # the task row records the failure and its traceback
