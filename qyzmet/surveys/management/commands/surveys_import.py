"""Import survey responses from a CSV file and print the report of rejected rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import override

from qyzmet.core.errors import QyzmetError
from qyzmet.surveys.imports import responses_import


class Command(BaseCommand):
    help = (
        "Import responses into an open survey from a CSV file (UTF-8, comma-separated). Header: "
        "region, sex, age_band, optionally respondent_id, then question codes; a multiple "
        "choice's option codes separated by ';'. Good rows are imported, bad rows reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("survey", help="The survey's code.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the report's messages.",
        )

    def handle(self, *args: Any, survey: str, file: Path, language: str, **opts: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        with override(language):
            try:
                report = responses_import(code=survey, data=data)
            except QyzmetError as exc:
                raise CommandError(
                    f"{exc.code}: {exc.message} {exc.details or ''}".strip()
                ) from exc
            self.stdout.write(
                f"rows {report.rows}, imported {report.imported}, rejected {report.rejected_rows}"
            )
            for cell in report.rejected:
                column = cell.column or "-"
                self.stdout.write(
                    f"  row {cell.row_number}, column {column}: {cell.code}: {cell.message}"
                )
