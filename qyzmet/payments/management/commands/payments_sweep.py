"""Refresh late payments now (the worker also runs this periodically; `--schedule` enqueues a
periodic run at once)."""

from __future__ import annotations

from typing import Any

from qyzmet.core.management.sweeps import SweepCommand
from qyzmet.payments.actions import payments_sweep


class Command(SweepCommand):
    help = (
        "Ask the gateway about payments whose notification is late (the worker does so "
        "periodically by itself); --schedule to enqueue a run for the worker now."
    )
    sweep = "payments"
    scheduled = "Payments sweep scheduled."
    already_scheduled = "Already scheduled."

    def run_now(self, **options: Any) -> None:
        report = payments_sweep()
        self.stdout.write(f"Checked {report.checked}, changed {report.changed}.")
