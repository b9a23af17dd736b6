"""Refresh late payments now (the worker also runs this periodically; `--schedule` enqueues a
periodic run at once)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.core.periodic import periodic_schedule
from qyzmet.payments.actions import payments_sweep


class Command(BaseCommand):
    help = (
        "Ask the gateway about payments whose notification is late (the worker does so "
        "periodically by itself); --schedule to enqueue a run for the worker now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args: Any, schedule: bool, **options: Any) -> None:
        if schedule:
            done = periodic_schedule(name="payments", delay=timedelta(0))
            self.stdout.write("Payments sweep scheduled." if done else "Already scheduled.")
            return
        report = payments_sweep()
        self.stdout.write(f"Checked {report.checked}, changed {report.changed}.")
