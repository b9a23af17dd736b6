"""Generate past, decided applications for benchmarks (see `qyzmet.demo.generate_applications`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qyzmet.demo.generate_applications import NoPeople, applications_generate


class Command(BaseCommand):
    help = (
        "Generate decided applications of the vehicle and driving-licence services (with their "
        "history) for people already in the population registry, submitted over the past years."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--years", type=int, default=1, help="how far back they go")

    def handle(self, *args: Any, count: int, seed: int, years: int, **options: Any) -> None:
        if count < 0 or years < 1:
            raise CommandError("--count must be 0 or more and --years 1 or more.")
        started = time.perf_counter()
        try:
            report = applications_generate(count=count, seed=seed, years=years)
        except NoPeople as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        services = ", ".join(f"{code} {n}" for code, n in report.by_service.most_common())
        outcomes = ", ".join(f"{name} {n}" for name, n in report.by_outcome.most_common())
        self.stdout.write(
            f"applications {report.applications}, events {report.events}, accounts "
            f"{report.accounts} in {seconds:.1f} s ({report.rows / max(seconds, 1e-9):,.0f} "
            f"rows/s)\n  by service: {services}\n  by outcome: {outcomes}"
        )
