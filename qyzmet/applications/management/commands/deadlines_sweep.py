"""Escalate the applications past their deadlines now (the worker also runs this periodically;
`--schedule` enqueues a periodic run at once)."""

from __future__ import annotations

from typing import Any

from qyzmet.applications.deadlines import deadlines_sweep
from qyzmet.core.management.sweeps import SweepCommand


class Command(SweepCommand):
    help = (
        "Escalate every open application past its legal term or its step's deadline (once per "
        "application) and print how many. The worker runs it periodically by itself; with "
        "--schedule, enqueue a run for the worker now instead."
    )
    sweep = "deadlines"
    scheduled = "Deadline sweep scheduled."
    already_scheduled = "A deadline sweep is already scheduled."

    def run_now(self, **options: Any) -> None:
        report = deadlines_sweep()
        self.stdout.write(
            self.style.SUCCESS(
                f"Escalated {report.escalated} of {report.checked} open applications."
            )
        )
