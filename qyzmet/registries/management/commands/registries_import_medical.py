"""Import medical certificates from a CSV file (see `qyzmet.registries.imports`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.registries.commands_csv import csv_import_run
from qyzmet.registries.imports import MEDICAL_COLUMNS, medical_import


class Command(BaseCommand):
    help = (
        "Import medical certificates from a CSV file with a header row (columns: "
        + ", ".join(MEDICAL_COLUMNS)
        + "). One transaction; rejected rows are listed with their reason; importing the "
        "same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, comma-separated.")

    def handle(self, *args: Any, file: Path, **opts: Any) -> None:
        csv_import_run(self, file=file, columns=MEDICAL_COLUMNS, run=medical_import)
