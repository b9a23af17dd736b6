"""What the two import commands share: read a CSV file, call the import, print the report."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qyzmet.core.importing import ImportReport

SHOWN_REJECTIONS = 20


def csv_import_run(
    command: BaseCommand,
    *,
    file: Path,
    columns: tuple[str, ...],
    run: Callable[..., ImportReport],
) -> ImportReport:
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in columns if name not in header]
            if missing:
                raise CommandError(
                    f"{file}: the header lacks {', '.join(missing)} "
                    f"(expected {', '.join(columns)}). Nothing was imported."
                )
            rows: Iterable[Mapping[str, Any]] = [
                {(k or "").strip(): v for k, v in row.items()} for row in reader
            ]
            report = run(rows=rows)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"Cannot read {file}: {exc}. Nothing was imported.") from exc
    command.stdout.write(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    for row in report.rejected[:SHOWN_REJECTIONS]:
        command.stdout.write(f"  row {row.row_number}: {row.code}: {row.reason}")
    hidden = len(report.rejected) - SHOWN_REJECTIONS
    if hidden > 0:
        command.stdout.write(f"  … and {hidden} more")
    return report


class CsvImportCommand(BaseCommand):
    """An import command: `records` names what the file holds, `columns` its header."""

    records: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    importer: ClassVar[Callable[..., ImportReport]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = (
            f"Import {self.records} from a CSV file with a header row (columns: "
            + ", ".join(self.columns)
            + "). One transaction; rejected rows are listed with their reason; importing the "
            "same file again changes nothing."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, comma-separated.")

    def handle(self, *args: Any, file: Path, **opts: Any) -> None:
        csv_import_run(self, file=file, columns=self.columns, run=type(self).importer)
