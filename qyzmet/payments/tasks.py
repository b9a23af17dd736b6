"""Background work of the payments app: the sweep that asks the gateway about payments whose
notification is late, every few minutes (a periodic sweep, see `qyzmet.core.periodic`)."""

from __future__ import annotations

from django_tasks import task

from qyzmet.core.periodic import periodic_next
from qyzmet.payments.actions import payments_sweep


@task()
def payments_sweep_task() -> dict[str, int]:
    periodic_next("payments")  # first, so a failing run does not end the chain
    report = payments_sweep()
    return {"checked": report.checked, "changed": report.changed}
