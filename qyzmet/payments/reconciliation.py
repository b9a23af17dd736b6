"""Reconciliation: the gateway's records of a day against ours, with every mismatch flagged.

Matched by the gateway's reference. Kinds: at the gateway but not here (`missing_here`), here but
not at the gateway (`missing_there`), amounts differ (`amount`), statuses differ (`status`).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction

from qyzmet.core.calendar import ALMATY
from qyzmet.payments.models import Payment, ReconciliationMismatch, ReconciliationRun
from qyzmet.payments.providers.gateway import GatewayTransaction, get_gateway

S = Payment.State
# Our states that agree with each gateway status. Expired agrees with pending (we stopped
# waiting; the bank never finished it).
AGREES: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PENDING, S.EXPIRED, S.CREATED}),
    S.SUCCEEDED: frozenset({S.SUCCEEDED}),
    S.DECLINED: frozenset({S.DECLINED}),
    S.FAILED: frozenset({S.FAILED}),
    S.REFUNDED: frozenset({S.REFUNDED}),
}
K = ReconciliationMismatch.Kind


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=ALMATY)
    end = datetime.combine(day, time.max, tzinfo=ALMATY)
    return start, end


def _ours(payment: Payment) -> dict[str, object]:
    return {"payment": str(payment.pk), "amount_tiyn": payment.amount_tiyn, "state": payment.state}


def _theirs(row: GatewayTransaction) -> dict[str, object]:
    return {"order": row.order, "amount_tiyn": row.amount_tiyn, "state": row.state}


def reconcile(*, gateway_name: str, day: date) -> ReconciliationRun:
    """Compare a day and store the run with its mismatches."""
    theirs = {row.ref: row for row in get_gateway(gateway_name).transactions(day)}
    start, end = _day_bounds(day)
    ours = {
        p.gateway_ref: p
        for p in Payment.objects.filter(
            gateway=gateway_name, created_at__range=(start, end)
        ).exclude(gateway_ref="")
    }
    # A transaction the gateway dated today may be ours from just before midnight, and back.
    missing_ours = set(theirs) - set(ours)
    if missing_ours:
        ours.update(
            {p.gateway_ref: p for p in Payment.objects.filter(gateway_ref__in=missing_ours)}
        )
    mismatches: list[ReconciliationMismatch] = []
    for ref, row in theirs.items():
        payment = ours.get(ref)
        if payment is None:
            mismatches.append(
                ReconciliationMismatch(kind=K.MISSING_HERE, gateway_ref=ref, theirs=_theirs(row))
            )
            continue
        kind = ""
        if row.amount_tiyn != payment.amount_tiyn:
            kind = K.AMOUNT
        elif payment.state not in AGREES.get(row.state, frozenset()):
            kind = K.STATUS
        if kind:
            mismatches.append(
                ReconciliationMismatch(
                    kind=kind,
                    gateway_ref=ref,
                    payment=payment,
                    ours=_ours(payment),
                    theirs=_theirs(row),
                )
            )
    for ref, payment in ours.items():
        if (
            ref not in theirs
            and start <= payment.created_at <= end
            and not _gateway_knows(gateway_name, ref)
        ):
            mismatches.append(
                ReconciliationMismatch(
                    kind=K.MISSING_THERE, gateway_ref=ref, payment=payment, ours=_ours(payment)
                )
            )
    with transaction.atomic():
        run = ReconciliationRun.objects.create(
            gateway=gateway_name, day=day, checked=len(set(theirs) | set(ours))
        )
        for mismatch in mismatches:
            mismatch.run = run
        ReconciliationMismatch.objects.bulk_create(mismatches)
    return run


def _gateway_knows(gateway_name: str, ref: str) -> bool:
    """A transaction of ours the gateway dated another day is not missing there."""
    try:
        get_gateway(gateway_name).status(ref)
    except Exception:  # "not known" is all a failed lookup can tell us
        return False
    return True


def reconciliation_runs(*, limit: int = 20) -> list[ReconciliationRun]:
    return list(ReconciliationRun.objects.prefetch_related("mismatches")[:limit])
