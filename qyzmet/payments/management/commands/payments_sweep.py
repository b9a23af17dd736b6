"""Refresh late payments now, or start the sweep's periodic chain (--schedule)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.payments.actions import payments_sweep
from qyzmet.payments.tasks import schedule_next_sweep


class Command(BaseCommand):
    help = "Ask the gateway about payments whose notification is late; --schedule to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args: Any, schedule: bool, **options: Any) -> None:
        if schedule:
            done = schedule_next_sweep(delay=timedelta(0))
            self.stdout.write("Payments sweep scheduled." if done else "Already scheduled.")
            return
        report = payments_sweep()
        self.stdout.write(f"Checked {report.checked}, changed {report.changed}.")
