"""The one shape of a sweep's command: run the sweep now and print its report, or with
`--schedule` enqueue a run for the worker at once (`qyzmet.core.periodic`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.core.periodic import periodic_schedule


class SweepCommand(BaseCommand):
    """A management command for the periodic sweep named `sweep`. A subclass says what it prints
    when a run was enqueued or one was already waiting, and does its own work in `run_now`."""

    sweep: str  # the sweep's name in QYZMET_PERIODIC_SWEEPS
    scheduled: str
    already_scheduled: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the periodic sweep (nothing is added if a sweep is already waiting).",
        )

    def handle(self, *args: Any, schedule: bool, **options: Any) -> None:
        if not schedule:
            self.run_now(*args, **options)
        elif periodic_schedule(name=self.sweep, delay=timedelta(0)):
            self.stdout.write(self.style.SUCCESS(self.scheduled))
        else:
            self.stdout.write(self.already_scheduled)

    def run_now(self, *args: Any, **options: Any) -> None:
        raise NotImplementedError
