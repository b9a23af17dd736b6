"""What the file import commands share: read a CSV file with a header row, check the header,
hand the rows to the import, print what it did; and the progress bar of the long file commands
(the registries' and the population's imports, the demo generators)."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from qyzmet.core.importing import ImportReport

SHOWN_REJECTIONS = 20


def progress_bar(*, total: int | None, verbosity: int) -> Any:
    """A bar of rows on stderr (stdout stays the report); silent at verbosity 0."""
    return tqdm(total=total, unit=" rows", unit_scale=True, file=sys.stderr, disable=verbosity < 1)


def csv_rows(reader: Iterator[list[str]], header: Sequence[str]) -> Iterator[dict[Any, Any]]:
    """What `csv.DictReader` gives (fields beyond the header under the key None, blank lines
    skipped; a short row lacks the keys it has no field for), with a third less work per row."""
    width = len(header)
    for values in reader:
        if not values:
            continue
        row: dict[Any, Any] = dict(zip(header, values, strict=False))
        if len(values) > width:
            row[None] = values[width:]
        yield row


def csv_header_check(
    file: Path,
    header: Sequence[str] | None,
    *,
    required: Sequence[str],
    known: Sequence[str] | None = None,
) -> list[str]:
    """The header's column names, stripped; a `CommandError` if one of `required` is missing,
    or (when `known` is given) a column is none of `known`."""
    columns = [name.strip() for name in header or []]
    missing = [name for name in required if name not in columns]
    unknown = [name for name in columns if known is not None and name not in known]
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        if unknown:
            problems.append("unknown columns: " + ", ".join(unknown))
        raise CommandError(
            f"{file} does not have the expected header ({'; '.join(problems)}). "
            f"Expected: {', '.join(known or required)}. Nothing was imported."
        )
    return columns


def csv_data_lines(file: Path) -> int | None:
    """The number of data rows, for the progress bar (a quoted field may span lines: a hint)."""
    try:
        with file.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
    return max(lines - 1, 0)


class CsvImportCommand(BaseCommand):
    """An import command: `records` names what the file holds, `columns` the header it needs,
    `optional_columns` the others it takes (None: it ignores any other column)."""

    records: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    optional_columns: ClassVar[tuple[str, ...] | None] = None
    importer: ClassVar[Callable[..., ImportReport]]
    promise: ClassVar[str] = (
        "One transaction; rejected rows are listed with their reason; importing the same file "
        "again changes nothing."
    )
    shown_rejections: ClassVar[int] = SHOWN_REJECTIONS
    timed: ClassVar[bool] = False  # the summary says how long the import took
    with_progress: ClassVar[bool] = False  # a progress bar on stderr (counts the file's lines)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = (
            f"Import {self.records} from a CSV file with a header row (columns: "
            + ", ".join(self.known_columns())
            + "). "
            + self.promise
        )

    def known_columns(self) -> tuple[str, ...]:
        return self.columns + (self.optional_columns or ())

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, comma-separated.")

    def handle(self, *args: Any, file: Path, **opts: Any) -> None:
        started = time.perf_counter()
        report = self.file_import(file, **opts)
        self.report_write(report, seconds=time.perf_counter() - started)

    def rows_import(
        self, *, rows: Iterator[Mapping[Any, Any]], progress: Callable[[int], Any], **opts: Any
    ) -> ImportReport:
        """Hand the rows to the import (override to pass the command's options)."""
        return type(self).importer(rows=rows)

    def file_import(self, file: Path, **opts: Any) -> ImportReport:
        """Read `file` and import its rows; a `CommandError` when the file cannot be used."""
        verbosity = opts.get("verbosity", 1) if self.with_progress else 0
        total = csv_data_lines(file) if self.with_progress else None
        optional = self.optional_columns
        try:
            with (
                file.open(encoding="utf-8-sig", newline="") as handle,
                progress_bar(total=total, verbosity=verbosity) as bar,
            ):
                reader = csv.reader(handle)
                header = csv_header_check(
                    file,
                    next(reader, None),
                    required=self.columns,
                    known=None if optional is None else self.known_columns(),
                )
                return self.rows_import(rows=csv_rows(reader, header), progress=bar.update, **opts)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {file}: {exc}. Nothing was imported.") from exc

    def report_write(self, report: ImportReport, *, seconds: float, more: str = "") -> None:
        """The counts, the first rejected rows with their reason, and how many more there are
        (`more` says where to find them)."""
        summary = (
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"rejected {len(report.rejected)}"
        )
        if self.timed:
            handled = report.created + report.updated + report.unchanged + len(report.rejected)
            rate = handled / seconds if seconds else 0.0
            summary += f" in {seconds:.1f} s ({rate:,.0f} rows/s)"
        self.stdout.write(summary)
        for row in report.rejected[: self.shown_rejections]:
            self.stdout.write(f"  row {row.row_number}: {row.code}: {row.reason}")
        hidden = len(report.rejected) - self.shown_rejections
        if hidden > 0:
            self.stdout.write(f"  … and {hidden} more{more}")
