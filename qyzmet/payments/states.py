"""The payment state machine: which moves are possible, and nothing else.

    created  → pending | declined | failed | expired
    pending  → succeeded | declined | failed | expired
    expired  → succeeded | declined | failed   (the bank answered after we gave up waiting)
    succeeded → refunded

A webhook delivered again, or a status query that repeats what we know, is not a move (the
caller checks `state == target` first). Every other move is refused with `Conflict`.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from qyzmet.core.errors import Conflict
from qyzmet.payments.errors import ErrorCode
from qyzmet.payments.models import Payment

S = Payment.State


class PaymentReason(StrEnum):
    """Why a payment did not go through: the stable codes kept in `Payment.reason` (a gateway may
    report others; they read as "the bank declined the payment")."""

    INSUFFICIENT_FUNDS = "insufficient_funds"
    GATEWAY_ERROR = "gateway_error"
    TIMEOUT = "timeout"


MOVES: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.PENDING, S.DECLINED, S.FAILED, S.EXPIRED}),
    S.PENDING: frozenset({S.SUCCEEDED, S.DECLINED, S.FAILED, S.EXPIRED}),
    S.EXPIRED: frozenset({S.SUCCEEDED, S.DECLINED, S.FAILED}),
    S.SUCCEEDED: frozenset({S.REFUNDED}),
    S.DECLINED: frozenset(),
    S.FAILED: frozenset(),
    S.REFUNDED: frozenset(),
}
OPEN = frozenset({S.CREATED, S.PENDING})


def move_allowed(from_state: str, to_state: str) -> bool:
    return to_state in MOVES.get(from_state, frozenset())


def move_check(from_state: str, to_state: str) -> None:
    """Refuse an impossible move."""
    if not move_allowed(from_state, to_state):
        raise Conflict(
            _("A payment cannot go from “%(from)s” to “%(to)s”.")
            % {"from": from_state, "to": to_state},
            code=ErrorCode.PAYMENT_STATE,
            details={"from": from_state, "to": to_state},
        )
