"""Escalate the applications past their deadlines now, or start the sweep's periodic chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.applications.deadlines import deadlines_sweep
from qyzmet.applications.tasks import SWEEP_EVERY, schedule_next_sweep


class Command(BaseCommand):
    help = (
        "Escalate every open application past its legal term or its step's deadline (once per "
        "application) and print how many. With --schedule, enqueue a sweep for the worker "
        f"instead; each run then enqueues the next, every {SWEEP_EVERY.seconds // 60} minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the periodic sweep (nothing is added if a sweep is already waiting).",
        )

    def handle(self, *args: Any, schedule: bool, **options: Any) -> None:
        if schedule:
            if schedule_next_sweep(delay=timedelta(0)):
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
