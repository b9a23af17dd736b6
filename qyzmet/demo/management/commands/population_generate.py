"""Write demo population rows to a CSV file, streaming (a million rows in constant memory)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qyzmet.core.management.csv_import import progress_bar
from qyzmet.demo.people import COLUMNS, demo_population_iter


class Command(BaseCommand):
    help = "Write COUNT demo people (valid IINs, families, addresses) to a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file to write.")
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, file: Path, count: int, seed: int, **opts: Any) -> None:
        if count < 0:
            raise CommandError("--count must be 0 or more.")
        # Written beside the target and renamed at the end, so a file of this name is complete.
        partial = file.with_name(file.name + ".partial")
        try:
            with (
                partial.open("w", encoding="utf-8", newline="") as handle,
                progress_bar(total=count, verbosity=opts.get("verbosity", 1)) as bar,
            ):
                writer = csv.DictWriter(handle, fieldnames=COLUMNS)
                writer.writeheader()
                for number, row in enumerate(demo_population_iter(count=count, seed=seed), 1):
                    writer.writerow(row)
                    if number % 10_000 == 0:
                        bar.update(10_000)
                bar.update(count % 10_000)
            os.replace(partial, file)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {file}: {exc.strerror or exc}.") from exc
        self.stdout.write(f"wrote {count} people to {file}")
