"""Escalate the applications past their deadlines now (the worker also runs this periodically;
`--schedule` enqueues a periodic run at once)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.applications.deadlines import deadlines_sweep
from qyzmet.core.periodic import periodic_schedule


class Command(BaseCommand):
    help = (
        "Escalate every open application past its legal term or its step's deadline (once per "
        "application) and print how many. The worker runs it periodically by itself; with "
        "--schedule, enqueue a run for the worker now instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the periodic sweep (nothing is added if a sweep is already waiting).",
        )

    def handle(self, *args: Any, schedule: bool, **options: Any) -> None:
        if schedule:
            if periodic_schedule(name="deadlines", delay=timedelta(0)):
                self.stdout.write(self.style.SUCCESS("Deadline sweep scheduled."))
            else:
                self.stdout.write("A deadline sweep is already scheduled.")
            return
        report = deadlines_sweep()
        self.stdout.write(
            self.style.SUCCESS(
                f"Escalated {report.escalated} of {report.checked} open applications."
            )
        )
