"""What happens elsewhere when an invoice is paid, without payments importing the layer above.

The applications app (above payments) registers, for example:

    @on_paid("application:")
    def _duty_paid(invoice: Invoice) -> None: ...

Callbacks run inside the crediting transaction: if one raises, the credit rolls back and the
webhook answers an error, so the gateway delivers it again later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qyzmet.payments.models import Invoice

PaidHook = Callable[["Invoice"], None]
_HOOKS: list[tuple[str, PaidHook]] = []


def on_paid(prefix: str) -> Callable[[PaidHook], PaidHook]:
    """Register `callback(invoice)` for paid invoices whose purpose_ref starts with `prefix`."""

    def decorator(callback: PaidHook) -> PaidHook:
        if (prefix, callback) not in _HOOKS:
            _HOOKS.append((prefix, callback))
        return callback

    return decorator


def paid_hooks_run(invoice: Invoice) -> None:
    for prefix, callback in list(_HOOKS):
        if invoice.purpose_ref.startswith(prefix):
            callback(invoice)


def paid_hook_remove(callback: PaidHook) -> None:
    """Forget a callback (tests)."""
    _HOOKS[:] = [(p, c) for p, c in _HOOKS if c is not callback]
