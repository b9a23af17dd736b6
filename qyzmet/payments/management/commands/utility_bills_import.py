"""Import a utility provider's monthly bills from its CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qyzmet.core.errors import QyzmetError
from qyzmet.payments.utility import utility_bills_import


class Command(BaseCommand):
    help = (
        "Import monthly bills (CSV: account,period,amount,due_date; amount in tenge). Rejected "
        "rows are listed with the reason; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="The provider's code, e.g. almaty-su")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, provider: str, file: Path, **options: Any) -> None:
        try:
            report = utility_bills_import(
                provider_code=provider, text=file.read_text(encoding="utf-8")
            )
        except (OSError, QyzmetError) as exc:
            raise CommandError(str(exc)) from exc
        for line, reason in report.rejected:
            self.stdout.write(f"line {line}: rejected: {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.imported}, unchanged {report.unchanged}, "
                f"rejected {len(report.rejected)}."
            )
        )
