"""Generate volume data for benchmarks (see `qyzmet.demo.generate_registries`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qyzmet.demo.generate_registries import registries_generate


class Command(BaseCommand):
    help = (
        "Generate people (demo population), vehicles with plates and owner histories, and "
        "driving licences with their medical certificates and exam results."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=0)
        parser.add_argument("--vehicles", type=int, default=0)
        parser.add_argument("--licences", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self, *args: Any, people: int, vehicles: int, licences: int, seed: int, **opts: Any
    ) -> None:
        if min(people, vehicles, licences) < 0:
            raise CommandError("The counts must be 0 or more.")
        started = time.perf_counter()
        report = registries_generate(people=people, vehicles=vehicles, licences=licences, seed=seed)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"people {report.people}, vehicles {report.vehicles}, registrations "
            f"{report.registrations}, licences {report.licences} in {seconds:.1f} s"
        )
