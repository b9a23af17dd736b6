"""Import people into the population registry from a CSV file (see `population_import`)."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qyzmet.core.importing import ImportReport, RejectedRow
from qyzmet.core.management.csv_import import CsvImportCommand
from qyzmet.identity.population import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    PopulationImportRejected,
    population_import,
)


class Command(CsvImportCommand):
    records = "people"
    columns = REQUIRED_COLUMNS
    optional_columns = OPTIONAL_COLUMNS
    importer = population_import
    promise = "All or nothing: one transaction. Importing the same file again changes nothing."
    shown_rejections = 10
    timed = True
    with_progress = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--strict", action="store_true", help="Import nothing if any row is rejected."
        )
        parser.add_argument(
            "--report", type=Path, default=None, help="Write the rejected rows to this CSV file."
        )

    def rows_import(
        self, *, rows: Iterator[Mapping[Any, Any]], progress: Callable[[int], Any], **opts: Any
    ) -> ImportReport:
        return population_import(rows=rows, strict=opts["strict"], progress=progress)

    def handle(self, *args: Any, file: Path, **opts: Any) -> None:
        started = time.perf_counter()
        rejected_import = False
        try:
            result = self.file_import(file, **opts)
        except PopulationImportRejected as exc:
            result, rejected_import = exc.report, True
        seconds = time.perf_counter() - started
        report: Path | None = opts["report"]
        if report is not None:
            _write_report(report, result.rejected)
        where = f"; all are in {report}" if report else "; --report FILE lists them all"
        self.report_write(result, seconds=seconds, more=where)
        if rejected_import:
            raise CommandError(
                f"{len(result.rejected)} rows rejected and --strict given: nothing was imported."
            )


def _write_report(path: Path, rejected: list[RejectedRow]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row_number", "code", "reason"])
            writer.writerows((row.row_number, row.code, row.reason) for row in rejected)
    except OSError as exc:
        raise CommandError(f"Cannot write the report {path}: {exc.strerror or exc}.") from exc
